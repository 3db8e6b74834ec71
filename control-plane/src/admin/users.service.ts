// User administration within the caller's tenant (FR-RBAC-01..04, FR-AUTH-05): invitation, status, roles and
// sessions, with the guard rails — no granting what you do not hold, no acting on a user who outranks you, no
// tenant without an active admin, no disabling or deleting yourself.
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log.js';
import { PrincipalCache } from '../auth/principal-cache.js';
import { issueUserToken } from '../auth/user-tokens.js';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { TenantDb } from '../database/tenant-db.js';
import { ConflictProblem, NotFoundProblem } from '../http/problems.js';
import { Mailer } from '../mail/mailer.js';
import type { ServerContext } from '../server-context.js';
import { CONFIG, LOGGER, SERVER_CONTEXT } from '../tokens.js';
import { auditingEscalation } from './admin-audit.js';
import { sessionDto, userDto, type SessionDto, type UserDto } from './admin-schemas.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { consoleUrl, INVITE_TTL_SECONDS, invitationMail } from './invitation-mail.js';
import { LastAdminProblem, SelfChangeProblem } from './privilege-rules.js';
import { auditBy, type RequestActor } from './request-actor.js';
import { refuseGrant, refuseOutranked, rolesOrBadRequest } from './role-grants.js';
import { findRolesByIds } from './roles.repository.js';
import { readTenant } from './tenant-settings.repository.js';
import {
  burnUserTokens,
  countActiveAdministrators,
  deleteUser,
  findUser,
  insertInvitedUser,
  listUserSessions,
  listUsers,
  lockAdministrators,
  replaceUserRoles,
  revokeUserSessions,
  updateUser,
  type UserListQuery,
  type UserRecord,
} from './users.repository.js';
import { z } from 'zod';

const emailCursor = z.tuple([z.string().min(1).max(254)]);
const sessionCursor = z.tuple([z.iso.datetime(), z.uuid()]);

/** The result of an invitation: the user, and whether the mail reached the SMTP server. */
export interface InvitationResult {
  user: UserDto;
  invitationSent: boolean;
}

/**
 * Whether a change to `before` (the user as it was) left the tenant without an active administrator of its
 * own: only a change to such an administrator can (a tenant still waiting for its invited first admin, where a
 * platform operator works, has none to lose). A platform operator's delegate never counts as one.
 */
async function leftWithoutAdministrator(client: pg.ClientBase, before: UserRecord): Promise<boolean> {
  const wasAdministrator =
    before.status === 'active' && !before.platformOperator && before.roles.some((r) => r.name === 'admin');
  return wasAdministrator && (await countActiveAdministrators(client)) === 0;
}

@Injectable()
export class UsersService {
  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(SERVER_CONTEXT) private readonly context: ServerContext,
    @Inject(CONFIG) private readonly config: ControlPlaneConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private scope(actor: RequestActor) {
    return { tenantId: actor.auth.tenantId, userId: actor.auth.userId };
  }

  /** A page of the tenant's users, ordered by email. */
  async list(
    actor: RequestActor,
    query: Omit<UserListQuery, 'afterEmail'> & { cursor?: string | undefined },
  ): Promise<{ items: UserDto[]; nextCursor: string | null }> {
    const after = decodeCursor(query.cursor, emailCursor);
    const rows = await this.db.tx(this.scope(actor), (client) =>
      listUsers(client, { ...query, afterEmail: after?.[0] }),
    );
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(userDto),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.email]) : null,
    };
  }

  /** One user of the tenant (404 for any other id). */
  async get(actor: RequestActor, userId: string): Promise<UserDto> {
    const user = await this.db.tx(this.scope(actor), (client) => findUser(client, userId));
    if (user === undefined) throw new NotFoundProblem('user');
    return userDto(user);
  }

  /** Invites a user with `roleIds`: creates them as `invited` and mails a single-use link. */
  async invite(
    actor: RequestActor,
    input: { email: string; displayName?: string | undefined; roleIds: string[] },
  ): Promise<InvitationResult> {
    const email = input.email.trim().toLowerCase();
    const roleIds = [...new Set(input.roleIds)];
    const created = await auditingEscalation(
      this.db,
      actor,
      { action: 'user.invite', resourceType: 'user', resourceId: null },
      () =>
        this.db.tx(this.scope(actor), async (client) => {
          const roles = await rolesOrBadRequest(client, roleIds);
          refuseGrant(actor, roles);
          const userId = await insertInvitedUser(client, actor.auth.tenantId, email, input.displayName ?? '');
          if (userId === undefined) {
            throw new ConflictProblem(`a user with the email ${email} already exists`, 'email_taken');
          }
          await replaceUserRoles(client, actor.auth.tenantId, userId, roleIds, actor.auth.userId);
          const token = await issueUserToken(
            client,
            actor.auth.tenantId,
            userId,
            'invite',
            INVITE_TTL_SECONDS,
          );
          await recordAudit(
            client,
            auditBy(actor, {
              action: 'user.invite',
              resourceType: 'user',
              resourceId: userId,
              details: { email, roles: roles.map((r) => r.name) },
            }),
          );
          const tenant = await readTenant(client);
          const user = await findUser(client, userId);
          return { token, tenant: tenant!, user: user! };
        }),
    );
    const invitationSent = await this.mailInvitation(
      created.user.email,
      created.token,
      created.tenant,
      actor,
    );
    return { user: userDto(created.user), invitationSent };
  }

  /** Mails a new invitation link to a user who has not accepted theirs yet (the old link stops working). */
  async resendInvitation(actor: RequestActor, userId: string): Promise<{ invitationSent: boolean }> {
    const issued = await this.db.tx(this.scope(actor), async (client) => {
      const user = await findUser(client, userId);
      if (user === undefined) throw new NotFoundProblem('user');
      if (user.status !== 'invited') {
        throw new ConflictProblem(`the user is ${user.status}, not invited`, 'not_invited');
      }
      const token = await issueUserToken(client, actor.auth.tenantId, userId, 'invite', INVITE_TTL_SECONDS);
      await recordAudit(
        client,
        auditBy(actor, {
          action: 'user.invite_resend',
          resourceType: 'user',
          resourceId: userId,
          details: { email: user.email },
        }),
      );
      return { token, email: user.email, tenant: (await readTenant(client))! };
    });
    return { invitationSent: await this.mailInvitation(issued.email, issued.token, issued.tenant, actor) };
  }

  /** Changes a user's display name or status; disabling ends their sessions and mailed links at once. */
  async update(
    actor: RequestActor,
    userId: string,
    change: { displayName?: string | undefined; status?: 'active' | 'disabled' | undefined },
  ): Promise<UserDto> {
    if (change.status === 'disabled' && userId === actor.auth.userId) throw new SelfChangeProblem('disable');
    const updated = await auditingEscalation(
      this.db,
      actor,
      { action: 'user.update', resourceType: 'user', resourceId: userId },
      () =>
        this.db.tx(this.scope(actor), async (client) => {
          await lockAdministrators(client, actor.auth.tenantId);
          const user = await findUser(client, userId);
          if (user === undefined) throw new NotFoundProblem('user');
          const status = this.nextStatus(user, change.status);
          const statusChanged = status !== user.status;
          if (statusChanged) await refuseOutranked(actor, client, user);
          await updateUser(client, userId, { displayName: change.displayName, status });
          let sessionsRevoked = 0;
          if (status === 'disabled' && statusChanged) {
            sessionsRevoked = await revokeUserSessions(client, userId, 'user_disabled');
            await burnUserTokens(client, userId);
          }
          if (statusChanged && (await leftWithoutAdministrator(client, user))) throw new LastAdminProblem();
          const changes: Record<string, { from: string; to: string }> = {};
          if (change.displayName !== undefined && change.displayName !== user.displayName) {
            changes['displayName'] = { from: user.displayName, to: change.displayName };
          }
          if (statusChanged) changes['status'] = { from: user.status, to: status };
          await recordAudit(
            client,
            auditBy(actor, {
              action: 'user.update',
              resourceType: 'user',
              resourceId: userId,
              details: { changes, ...(sessionsRevoked > 0 ? { sessionsRevoked } : {}) },
            }),
          );
          return (await findUser(client, userId))!;
        }),
    );
    this.cache.invalidateUser(userId);
    return userDto(updated);
  }

  /** Deletes a user of the tenant with their grants, sessions and tokens. */
  async remove(actor: RequestActor, userId: string): Promise<void> {
    if (userId === actor.auth.userId) throw new SelfChangeProblem('delete');
    await auditingEscalation(
      this.db,
      actor,
      { action: 'user.delete', resourceType: 'user', resourceId: userId },
      () =>
        this.db.tx(this.scope(actor), async (client) => {
          await lockAdministrators(client, actor.auth.tenantId);
          const user = await findUser(client, userId);
          if (user === undefined) throw new NotFoundProblem('user');
          await refuseOutranked(actor, client, user);
          await deleteUser(client, userId);
          if (await leftWithoutAdministrator(client, user)) throw new LastAdminProblem();
          await recordAudit(
            client,
            auditBy(actor, {
              action: 'user.delete',
              resourceType: 'user',
              resourceId: userId,
              details: { email: user.email, roles: user.roles.map((r) => r.name) },
            }),
          );
        }),
    );
    this.cache.invalidateUser(userId);
  }

  /** Makes `roleIds` exactly the user's roles; granting or revoking needs every permission involved. */
  async setRoles(actor: RequestActor, userId: string, input: { roleIds: string[] }): Promise<UserDto> {
    const roleIds = [...new Set(input.roleIds)];
    const updated = await auditingEscalation(
      this.db,
      actor,
      { action: 'user.roles_set', resourceType: 'user', resourceId: userId },
      () =>
        this.db.tx(this.scope(actor), async (client) => {
          await lockAdministrators(client, actor.auth.tenantId);
          const user = await findUser(client, userId);
          if (user === undefined) throw new NotFoundProblem('user');
          const wanted = await rolesOrBadRequest(client, roleIds);
          const currentIds = new Set(user.roles.map((r) => r.id));
          const wantedIds = new Set(roleIds);
          const added = wanted.filter((r) => !currentIds.has(r.id));
          const removedIds = [...currentIds].filter((id) => !wantedIds.has(id));
          const removed = await findRolesByIds(client, removedIds);
          refuseGrant(actor, [...added, ...removed]);
          await replaceUserRoles(client, actor.auth.tenantId, userId, roleIds, actor.auth.userId);
          if (await leftWithoutAdministrator(client, user)) throw new LastAdminProblem();
          await recordAudit(
            client,
            auditBy(actor, {
              action: 'user.roles_set',
              resourceType: 'user',
              resourceId: userId,
              details: {
                roles: wanted.map((r) => r.name),
                added: added.map((r) => r.name),
                removed: removed.map((r) => r.name),
              },
            }),
          );
          return (await findUser(client, userId))!;
        }),
    );
    this.cache.invalidateUser(userId);
    return userDto(updated);
  }

  /** A page of a user's sessions, newest first (`live`: only unrevoked, unexpired ones). */
  async sessions(
    actor: RequestActor,
    userId: string,
    query: { live: boolean; cursor?: string | undefined; limit: number },
  ): Promise<{ items: SessionDto[]; nextCursor: string | null }> {
    const after = decodeCursor(query.cursor, sessionCursor);
    const rows = await this.db.tx(this.scope(actor), async (client) => {
      if ((await findUser(client, userId)) === undefined) throw new NotFoundProblem('user');
      return listUserSessions(client, userId, {
        live: query.live,
        after: after && { createdAt: after[0], id: after[1] },
        limit: query.limit,
      });
    });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(sessionDto),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.sortKey, last.id]) : null,
    };
  }

  /** Ends every session of a user (FR-AUTH-05, revoked by an administrator). */
  async revokeSessions(actor: RequestActor, userId: string): Promise<{ revoked: number }> {
    const revoked = await this.db.tx(this.scope(actor), async (client) => {
      if ((await findUser(client, userId)) === undefined) throw new NotFoundProblem('user');
      const count = await revokeUserSessions(client, userId, 'admin');
      await recordAudit(
        client,
        auditBy(actor, {
          action: 'user.sessions_revoke',
          resourceType: 'user',
          resourceId: userId,
          details: { revoked: count },
        }),
      );
      return count;
    });
    this.cache.invalidateUser(userId);
    return { revoked };
  }

  /** The status a change leads to; an invitation cannot be skipped by setting a user active. */
  private nextStatus(user: UserRecord, wanted: 'active' | 'disabled' | undefined): UserRecord['status'] {
    if (wanted === undefined || wanted === user.status) return user.status;
    if (wanted === 'disabled') return 'disabled';
    if (user.status === 'invited') {
      throw new ConflictProblem('the user has not accepted the invitation yet', 'invitation_pending');
    }
    // Re-enabling someone disabled before they accepted: back to invited (they still have no password).
    return user.passwordSet ? 'active' : 'invited';
  }

  private async mailInvitation(
    to: string,
    token: string,
    tenant: { slug: string; name: string },
    actor: RequestActor,
  ): Promise<boolean> {
    try {
      await this.mailer.send(
        invitationMail({
          to,
          token,
          tenant,
          baseUrl: consoleUrl(this.context, this.config),
          invitedBy: actor.auth.email,
        }),
      );
      return true;
    } catch (error) {
      this.logger.warn(
        { err: error, to },
        'invitation mail not sent; resend it with POST /api/users/:id/invite',
      );
      return false;
    }
  }
}
