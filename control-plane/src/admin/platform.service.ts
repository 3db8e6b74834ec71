// Platform operations of super admins (FR-TENANT-01, -04): tenants across the platform, their creation with an
// invited first administrator, and their suspension. Each is audited twice in one transaction: in the platform
// chain (no tenant) and in the affected tenant's chain.
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log.js';
import { listPlatformAuditEntries } from '../audit/audit.repository.js';
import { BUILTIN_ROLES } from '../auth/permissions.js';
import type { TokenPair } from '../auth/auth.schemas.js';
import type { ClientInfo } from '../auth/client-info.js';
import { PrincipalCache } from '../auth/principal-cache.js';
import { SessionService } from '../auth/session.service.js';
import { findUserById } from '../auth/user-auth.repository.js';
import { issueUserToken } from '../auth/user-tokens.js';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { TenantDb } from '../database/tenant-db.js';
import { ConflictProblem, ForbiddenProblem, NotFoundProblem } from '../http/problems.js';
import { Mailer } from '../mail/mailer.js';
import type { ServerContext } from '../server-context.js';
import { CONFIG, LOGGER, SERVER_CONTEXT } from '../tokens.js';
import { z } from 'zod';
import { auditEntryDto, tenantDto, type AuditEntryDto, type TenantDto } from './admin-schemas.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { consoleUrl, INVITE_TTL_SECONDS, invitationMail } from './invitation-mail.js';
import { isInsufficientPrivilege, isUniqueViolation, sqlState } from './pg-errors.js';
import {
  platformCreateTenant,
  platformFindTenant,
  platformListTenants,
  platformSetTenantStatus,
  scopeTransactionTo,
  type TenantListQuery,
} from './platform.repository.js';
import { auditBy, type RequestActor } from './request-actor.js';
import { insertRole } from './roles.repository.js';
import type { TenantRecord } from './tenant-settings.repository.js';
import { insertInvitedUser, replaceUserRoles } from './users.repository.js';

const slugCursor = z.tuple([z.string().min(1).max(63)]);
const idCursor = z.tuple([z.number().int().positive()]);

/** A created tenant, its invited administrator, and whether the invitation reached the SMTP server. */
export interface CreatedTenant {
  tenant: TenantDto;
  admin: { id: string; email: string };
  invitationSent: boolean;
}

/** Maps the database's own super-admin refusal (42501) to 403. */
function platformRefusal(error: unknown): unknown {
  return isInsufficientPrivilege(error)
    ? new ForbiddenProblem('this is a platform operation (super admin only)')
    : error;
}

/** Maps the refusals of inosec.platform_enter_tenant (migration 0009) to problems; others pass through. */
function enterRefusal(error: unknown): unknown {
  const message = error instanceof Error ? error.message : '';
  switch (sqlState(error)) {
    case '42501':
      return new ForbiddenProblem(
        message.includes('disabled')
          ? "this tenant's administrators disabled platform access for you"
          : 'this is a platform operation (super admin only)',
        message.includes('disabled') ? 'operator_disabled' : undefined,
      );
    case 'P0002':
      return new NotFoundProblem('tenant');
    case '22023':
      return new ConflictProblem('this is your own tenant: you are already in it', 'own_tenant');
    case '55000':
      return new ConflictProblem(`${message}: it cannot be entered`, 'tenant_inactive');
    default:
      return error;
  }
}

/** Runs a platform transaction (no tenant set); the database's super-admin refusal becomes a 403. */
async function platformTx<T>(db: TenantDb, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    return await db.unscoped(fn);
  } catch (error) {
    throw platformRefusal(error);
  }
}

@Injectable()
export class PlatformService {
  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(SERVER_CONTEXT) private readonly context: ServerContext,
    @Inject(CONFIG) private readonly config: ControlPlaneConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A page of every tenant, ordered by slug. */
  async listTenants(
    actor: RequestActor,
    query: Omit<TenantListQuery, 'afterSlug'> & { cursor?: string | undefined },
  ): Promise<{ items: TenantDto[]; nextCursor: string | null }> {
    const after = decodeCursor(query.cursor, slugCursor);
    const rows = await platformTx(this.db, (client) =>
      platformListTenants(client, actor.auth.userId, { ...query, afterSlug: after?.[0] }),
    );
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(tenantDto),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.slug]) : null,
    };
  }

  /**
   * The tenant switcher: opens a session for the operator inside another tenant, as its delegate user there
   * (created with the tenant's admin role on the first entry; migration 0009). The session lives only while the
   * operator's own one does. Audited in the platform chain and in the tenant's chain, in one transaction.
   */
  async enterTenant(
    actor: RequestActor,
    tenantId: string,
    info: ClientInfo,
  ): Promise<TokenPair & { tenant: { id: string; slug: string; name: string } }> {
    try {
      return await this.db.unscoped(async (client) => {
        const { rows } = await client.query<{ delegate: string }>(
          'SELECT inosec.platform_enter_tenant($1, $2, $3)::text AS delegate',
          [actor.auth.userId, actor.auth.sessionId, tenantId],
        );
        const delegateId = rows[0]!.delegate;
        const tenant = (await platformFindTenant(client, actor.auth.userId, tenantId))!;
        const entry = {
          action: 'platform.tenant_enter',
          resourceType: 'tenant',
          resourceId: tenantId,
          details: {
            operatorId: actor.auth.userId,
            operatorEmail: actor.auth.email,
            operatorTenantId: actor.auth.tenantId,
            delegateId,
            slug: tenant.slug,
          },
        } as const;
        await recordAudit(client, auditBy(actor, { ...entry, tenantId: null }));
        await scopeTransactionTo(client, tenantId);
        const delegate = (await findUserById(client, delegateId))!;
        await recordAudit(client, { ...auditBy(actor, { ...entry, tenantId }), actorId: delegateId });
        const pair = await this.sessions.open(client, delegate, info, {
          mfa: actor.auth.mfa,
          delegatedFrom: actor.auth.sessionId,
        });
        return { ...pair, tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name } };
      });
    } catch (error) {
      throw enterRefusal(error);
    }
  }

  /** One tenant by id. */
  async getTenant(actor: RequestActor, tenantId: string): Promise<TenantDto> {
    const tenant = await platformTx(this.db, (client) =>
      platformFindTenant(client, actor.auth.userId, tenantId),
    );
    if (tenant === undefined) throw new NotFoundProblem('tenant');
    return tenantDto(tenant);
  }

  /**
   * Creates a tenant with the builtin roles and an invited administrator, all in one transaction, then mails
   * the invitation.
   */
  async createTenant(
    actor: RequestActor,
    input: { slug: string; name: string; adminEmail: string },
  ): Promise<CreatedTenant> {
    const adminEmail = input.adminEmail.trim().toLowerCase();
    const created = await platformTx(this.db, async (client) => {
      let tenant: TenantRecord;
      try {
        tenant = await platformCreateTenant(client, actor.auth.userId, input.slug, input.name);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictProblem(`a tenant with the slug ${input.slug} already exists`, 'slug_taken');
        }
        throw error;
      }
      const details = {
        slug: tenant.slug,
        name: tenant.name,
        adminEmail,
        actorTenantId: actor.auth.tenantId,
      };
      await recordAudit(
        client,
        auditBy(actor, {
          tenantId: null,
          action: 'tenant.create',
          resourceType: 'tenant',
          resourceId: tenant.id,
          details,
        }),
      );
      await scopeTransactionTo(client, tenant.id);
      let adminRoleId: string | undefined;
      for (const role of BUILTIN_ROLES) {
        const id = await insertRole(client, tenant.id, { ...role, builtin: true });
        if (role.name === 'admin') adminRoleId = id;
      }
      const adminId = (await insertInvitedUser(client, tenant.id, adminEmail, ''))!;
      await replaceUserRoles(client, tenant.id, adminId, [adminRoleId!], actor.auth.userId);
      const token = await issueUserToken(client, tenant.id, adminId, 'invite', INVITE_TTL_SECONDS);
      await recordAudit(
        client,
        auditBy(actor, {
          tenantId: tenant.id,
          action: 'tenant.create',
          resourceType: 'tenant',
          resourceId: tenant.id,
          details,
        }),
      );
      await recordAudit(
        client,
        auditBy(actor, {
          tenantId: tenant.id,
          action: 'user.invite',
          resourceType: 'user',
          resourceId: adminId,
          details: { email: adminEmail, roles: ['admin'] },
        }),
      );
      return { tenant, adminId, token };
    });
    let invitationSent = true;
    try {
      await this.mailer.send(
        invitationMail({
          to: adminEmail,
          token: created.token,
          tenant: created.tenant,
          baseUrl: consoleUrl(this.context, this.config),
        }),
      );
    } catch (error) {
      invitationSent = false;
      this.logger.warn({ err: error, tenant: created.tenant.slug }, 'tenant admin invitation not sent');
    }
    return {
      tenant: tenantDto(created.tenant),
      admin: { id: created.adminId, email: adminEmail },
      invitationSent,
    };
  }

  /**
   * Activates, suspends or archives a tenant. Suspended and archived tenants keep their data; their users are
   * refused at once in this process (and within the principal cache's TTL on other replicas) and their
   * agents at their next batch.
   */
  async setTenantStatus(
    actor: RequestActor,
    tenantId: string,
    input: { status: TenantRecord['status']; reason?: string | undefined },
  ): Promise<TenantDto> {
    if (tenantId === actor.auth.tenantId && input.status !== 'active') {
      throw new ConflictProblem('a super admin cannot suspend or archive its own tenant', 'own_tenant');
    }
    const changed = await platformTx(this.db, async (client) => {
      const before = await platformFindTenant(client, actor.auth.userId, tenantId);
      if (before === undefined) throw new NotFoundProblem('tenant');
      const after = await platformSetTenantStatus(
        client,
        actor.auth.userId,
        tenantId,
        input.status,
        input.reason ?? null,
      );
      if (after === undefined) throw new NotFoundProblem('tenant');
      const details = {
        slug: after.slug,
        from: before.status,
        to: after.status,
        reason: input.reason ?? null,
        actorTenantId: actor.auth.tenantId,
      };
      await recordAudit(
        client,
        auditBy(actor, {
          tenantId: null,
          action: 'tenant.status',
          resourceType: 'tenant',
          resourceId: tenantId,
          details,
        }),
      );
      await scopeTransactionTo(client, tenantId);
      await recordAudit(
        client,
        auditBy(actor, {
          tenantId,
          action: 'tenant.status',
          resourceType: 'tenant',
          resourceId: tenantId,
          details,
        }),
      );
      return after;
    });
    this.cache.invalidateTenant(tenantId);
    return tenantDto(changed);
  }

  /** A page of the platform chain, newest first. */
  async audit(
    actor: RequestActor,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<{ items: AuditEntryDto[]; nextCursor: string | null }> {
    const before = decodeCursor(query.cursor, idCursor);
    const rows = await platformTx(this.db, (client) =>
      listPlatformAuditEntries(client, actor.auth.userId, {
        beforeId: before?.[0],
        limit: query.limit + 1,
      }),
    );
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(auditEntryDto),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null,
    };
  }
}
