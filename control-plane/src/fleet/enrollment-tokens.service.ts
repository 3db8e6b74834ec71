// Enrollment tokens: scoped to a tenant and an agent group, expiring, limited in uses, revocable. The token
// string is `<tenant id>.<32 random bytes, base64url>` so the enroll path can scope its transaction before
// anything else is known; only its SHA-256 is stored, and it is shown once.
import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { NotFoundProblem } from '../http/problems.js';
import { findGroup } from './agent-groups.repository.js';
import { AgentGroupsService } from './agent-groups.service.js';
import { auditBy, type FleetActor } from './fleet-actor.js';
import { cursorKeys, decodeFleetCursor, encodeFleetCursor } from './fleet-cursor.js';
import { FleetPki } from './fleet-pki.service.js';
import type { EnrollmentTokenView } from './fleet-schemas.js';
import { AgentControlEndpoint } from './agent-control-endpoint.js';
import {
  findEnrollmentToken,
  insertEnrollmentToken,
  listEnrollmentTokens,
  revokeEnrollmentToken,
  type EnrollmentTokenRow,
} from './enrollment-tokens.repository.js';

const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/** SHA-256 of a token string: what is stored and looked up. */
export function enrollmentTokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The tenant an enrollment token names, or undefined when it is not shaped like one. */
export function enrollmentTokenTenant(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

function tokenView(t: EnrollmentTokenRow): EnrollmentTokenView {
  const now = Date.now();
  const status = t.revokedAt
    ? 'revoked'
    : t.uses >= t.maxUses
      ? 'used'
      : t.expiresAt.getTime() <= now
        ? 'expired'
        : 'active';
  return {
    id: t.id,
    groupId: t.groupId,
    groupName: t.groupName,
    description: t.description,
    maxUses: t.maxUses,
    uses: t.uses,
    expiresAt: t.expiresAt.toISOString(),
    revokedAt: t.revokedAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    createdBy: t.createdBy,
    status,
  };
}

/** A token just created: its view, the token itself (once) and how to use it. */
export interface IssuedEnrollmentToken extends EnrollmentTokenView {
  token: string;
  installCommand: string;
  server: string;
  caSha256: string;
}

@Injectable()
export class EnrollmentTokensService {
  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(AgentGroupsService) private readonly groups: AgentGroupsService,
    @Inject(FleetPki) private readonly pki: FleetPki,
    @Inject(AgentControlEndpoint) private readonly endpoint: AgentControlEndpoint,
  ) {}

  /**
   * Creates a token for the group (default: the tenant's default group). The appliance calls this with
   * systemActor() to enroll its local agent.
   */
  async issue(
    actor: FleetActor,
    input: { groupId?: string; description: string; ttlSeconds: number; maxUses: number },
  ): Promise<IssuedEnrollmentToken> {
    const root = await this.pki.root();
    const token = `${actor.tenantId}.${randomBytes(32).toString('base64url')}`;
    const row = await this.db.tx(actor, async (client) => {
      const group = input.groupId
        ? await findGroup(client, input.groupId)
        : await this.groups.ensureDefaultGroup(client, actor.tenantId);
      if (!group) throw new NotFoundProblem('agent group');
      const created = await insertEnrollmentToken(client, {
        tenantId: actor.tenantId,
        groupId: group.id,
        tokenHash: enrollmentTokenDigest(token),
        description: input.description,
        maxUses: input.maxUses,
        ttlSeconds: input.ttlSeconds,
        createdBy: actor.userId,
      });
      await recordAudit(client, {
        ...auditBy(actor),
        action: 'enrollment_token.create',
        resourceType: 'enrollment_token',
        resourceId: created.id,
        outcome: 'success',
        details: {
          groupId: group.id,
          maxUses: input.maxUses,
          expiresAt: created.expiresAt.toISOString(),
        },
      });
      return created;
    });
    const server = this.endpoint.url();
    return {
      ...tokenView(row),
      token,
      server,
      caSha256: root.sha256,
      installCommand: `inosec-agent enroll --server ${server} --token ${token} --ca-sha256 ${root.sha256}`,
    };
  }

  async list(
    actor: FleetActor,
    query: { cursor?: string | undefined; limit: number; active?: boolean | undefined },
  ): Promise<{ items: EnrollmentTokenView[]; nextCursor: string | null }> {
    const after = query.cursor
      ? decodeFleetCursor(query.cursor, [cursorKeys.time, cursorKeys.uuid])
      : undefined;
    return this.db.tx(actor, async (client) => {
      const rows = await listEnrollmentTokens(client, {
        ...(after ? { after: { createdAt: after[0] as string, id: after[1] as string } } : {}),
        ...(query.active !== undefined ? { active: query.active } : {}),
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(tokenView),
        nextCursor: rows.length > query.limit && last ? encodeFleetCursor([last.cursorAt, last.id]) : null,
      };
    });
  }

  /** Revokes a token: later enrollments with it are refused; agents it enrolled stay. */
  async revoke(actor: FleetActor, id: string): Promise<void> {
    await this.db.tx(actor, async (client) => {
      const before = await findEnrollmentToken(client, id);
      if (!before || !(await revokeEnrollmentToken(client, id)))
        throw new NotFoundProblem('enrollment token');
      await recordAudit(client, {
        ...auditBy(actor),
        action: 'enrollment_token.revoke',
        resourceType: 'enrollment_token',
        resourceId: id,
        outcome: 'success',
        details: { uses: before.uses, alreadyRevoked: before.revokedAt !== null },
      });
    });
  }
}
