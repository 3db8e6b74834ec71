import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { ForbiddenProblem, ProblemError } from '../http/problems.js';
import { AuthMail, RESET_PASSWORD_TTL_SECONDS, VERIFY_EMAIL_TTL_SECONDS } from './auth-mail.js';
import type { AuthContext } from './auth-context.js';
import type { ClientInfo } from './client-info.js';
import { enforcePasswordPolicy, hashPassword, verifyPassword } from './password.js';
import { PrincipalCache } from './principal-cache.js';
import { revokeUserSessions } from './session.repository.js';
import { actor } from './session.service.js';
import { consumeUserToken, issueUserToken, tokenTenant, type UserTokenPurpose } from './user-tokens.js';
import {
  findUserByEmail,
  findUserById,
  grantRoleByName,
  insertUnverifiedUser,
  markEmailVerified,
  readTenant,
  setDisplayName,
  setPassword,
  tenantBySlug,
  type AuthUser,
} from './user-auth.repository.js';

/** The role a self-registered user starts with. */
export const REGISTRATION_ROLE = 'viewer';

/** 400 `invalid_token`: a mailed link that is malformed, unknown, used, expired or replaced. */
export class InvalidMailedTokenProblem extends ProblemError {
  constructor() {
    super(400, 'invalid_token', 'the link is not valid: it expired, was already used, or was replaced', {
      errors: [{ path: 'body.token', message: 'unknown, expired or already used' }],
    });
  }
}

function invalidToken(): InvalidMailedTokenProblem {
  return new InvalidMailedTokenProblem();
}

function registrationClosed(): ForbiddenProblem {
  return new ForbiddenProblem(
    'registration is closed for this tenant or this email domain; ask an administrator for an invitation',
    'registration_closed',
  );
}

/**
 * The account's own lifecycle: self-registration with email verification, invitations, forgotten and changed
 * passwords. Answers never tell whether an address has an account (registration and reset requests answer 202
 * either way and mail in the background).
 */
@Injectable()
export class AccountService {
  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(AuthMail) private readonly mail: AuthMail,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
  ) {}

  /**
   * Registers an unverified user holding the viewer role and mails a verification link, if the tenant is open
   * for the address's domain (403 `registration_closed` otherwise). An address that already has an account
   * gets a notice instead; the caller sees the same answer.
   */
  async register(
    input: { tenant: string; email: string; password: string; displayName?: string | undefined },
    info: ClientInfo,
  ): Promise<void> {
    enforcePasswordPolicy(input.password, input.email);
    const found = await this.db.unscoped((client) => tenantBySlug(client, input.tenant));
    if (found === undefined || found.status !== 'active') throw registrationClosed();
    // Hash first: the time taken must not depend on whether the address is known.
    const passwordHash = await hashPassword(input.password);
    const domain = input.email.slice(input.email.lastIndexOf('@') + 1);
    const mail = await this.db.tx({ tenantId: found.id }, async (client) => {
      const tenant = await readTenant(client, found.id);
      const domains = (tenant?.allowedEmailDomains ?? []).map((d) => d.toLowerCase());
      if (tenant === undefined || !tenant.selfRegistration || !domains.includes(domain)) return undefined;
      const existing = await findUserByEmail(client, input.email);
      const userId =
        existing === undefined
          ? await insertUnverifiedUser(client, {
              tenantId: tenant.id,
              email: input.email,
              displayName: input.displayName ?? '',
              passwordHash,
            })
          : undefined;
      if (userId === undefined) {
        await recordAudit(client, {
          tenantId: tenant.id,
          actorType: 'anonymous',
          actorIp: info.ip,
          action: 'auth.register',
          resourceType: 'user',
          resourceId: existing?.id ?? null,
          outcome: 'denied',
          requestId: info.requestId,
          details: { reason: 'email_taken' },
        });
        return this.mail.registrationAttempt(input.email, tenant.name);
      }
      await grantRoleByName(client, tenant.id, userId, REGISTRATION_ROLE);
      const token = await issueUserToken(client, tenant.id, userId, 'verify_email', VERIFY_EMAIL_TTL_SECONDS);
      await recordAudit(client, {
        tenantId: tenant.id,
        actorType: 'anonymous',
        actorIp: info.ip,
        action: 'auth.register',
        resourceType: 'user',
        resourceId: userId,
        outcome: 'success',
        requestId: info.requestId,
        details: { role: REGISTRATION_ROLE },
      });
      return this.mail.verifyEmail(input.email, tenant.name, token);
    });
    if (mail === undefined) throw registrationClosed();
    this.mail.sendLater(mail);
  }

  /** Mails a new verification link to an active, unverified account; silent otherwise. */
  async resendVerification(input: { tenant: string; email: string }): Promise<void> {
    const found = await this.db.unscoped((client) => tenantBySlug(client, input.tenant));
    if (found === undefined || found.status !== 'active') return;
    const mail = await this.db.tx({ tenantId: found.id }, async (client) => {
      const user = await findUserByEmail(client, input.email);
      const tenant = await readTenant(client, found.id);
      if (
        user === undefined ||
        tenant === undefined ||
        user.status !== 'active' ||
        user.emailVerifiedAt !== null
      ) {
        return undefined;
      }
      const token = await issueUserToken(
        client,
        tenant.id,
        user.id,
        'verify_email',
        VERIFY_EMAIL_TTL_SECONDS,
      );
      return this.mail.verifyEmail(user.email, tenant.name, token);
    });
    if (mail !== undefined) this.mail.sendLater(mail);
  }

  /** Consumes a verification token (once) and marks the address verified. */
  async verifyEmail(token: string, info: ClientInfo): Promise<{ tenant: string; email: string }> {
    return this.withToken(token, 'verify_email', async (client, user, tenantSlug) => {
      await markEmailVerified(client, user.id);
      await recordAudit(client, {
        tenantId: user.tenantId,
        actorType: 'user',
        actorId: user.id,
        actorIp: info.ip,
        action: 'auth.verify_email',
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
        requestId: info.requestId,
      });
      return { tenant: tenantSlug, email: user.email };
    });
  }

  /** Consumes an invitation (once): sets the password; the user becomes active with a verified address. */
  async acceptInvite(
    input: { token: string; password: string; displayName?: string | undefined },
    info: ClientInfo,
  ): Promise<{ tenant: string; email: string }> {
    const passwordHash = await hashPassword(input.password);
    return this.withToken(input.token, 'invite', async (client, user, tenantSlug) => {
      if (user.status === 'disabled') throw invalidToken();
      enforcePasswordPolicy(input.password, user.email);
      await setPassword(client, user.id, passwordHash, { activate: true, verifyEmail: true });
      if (input.displayName !== undefined && input.displayName !== '') {
        await setDisplayName(client, user.id, input.displayName);
      }
      await recordAudit(client, {
        tenantId: user.tenantId,
        actorType: 'user',
        actorId: user.id,
        actorIp: info.ip,
        action: 'auth.invite_accept',
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
        requestId: info.requestId,
      });
      return { tenant: tenantSlug, email: user.email };
    });
  }

  /** Mails a reset link (1 h, single use) when the account exists and is active; silent otherwise. */
  async forgotPassword(input: { tenant: string; email: string }, info: ClientInfo): Promise<void> {
    const found = await this.db.unscoped((client) => tenantBySlug(client, input.tenant));
    if (found === undefined || found.status !== 'active') return;
    const mail = await this.db.tx({ tenantId: found.id }, async (client) => {
      const user = await findUserByEmail(client, input.email);
      const tenant = await readTenant(client, found.id);
      if (user === undefined || tenant === undefined || user.status !== 'active') return undefined;
      const token = await issueUserToken(
        client,
        tenant.id,
        user.id,
        'reset_password',
        RESET_PASSWORD_TTL_SECONDS,
      );
      await recordAudit(client, {
        tenantId: tenant.id,
        actorType: 'anonymous',
        actorIp: info.ip,
        action: 'auth.password_reset_request',
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
        requestId: info.requestId,
      });
      return this.mail.resetPassword(user.email, tenant.name, token);
    });
    if (mail !== undefined) this.mail.sendLater(mail);
  }

  /** Consumes a reset token (once): sets the password and ends every session of the user. */
  async resetPassword(
    input: { token: string; password: string },
    info: ClientInfo,
  ): Promise<{ tenant: string; email: string }> {
    const passwordHash = await hashPassword(input.password);
    const result = await this.withToken(input.token, 'reset_password', async (client, user, tenantSlug) => {
      if (user.status !== 'active') throw invalidToken();
      enforcePasswordPolicy(input.password, user.email);
      // The mail reached its owner: the address is proven too.
      await setPassword(client, user.id, passwordHash, { verifyEmail: true });
      const ended = await revokeUserSessions(client, user.id, 'password_change');
      await recordAudit(client, {
        tenantId: user.tenantId,
        actorType: 'user',
        actorId: user.id,
        actorIp: info.ip,
        action: 'auth.password_reset',
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
        requestId: info.requestId,
        details: { sessionsEnded: ended.length },
      });
      return { tenant: tenantSlug, email: user.email, userId: user.id };
    });
    this.cache.invalidateUser(result.userId);
    return { tenant: result.tenant, email: result.email };
  }

  /**
   * Changes the caller's password after checking the current one (403 `wrong_password`); the caller's other
   * sessions end.
   */
  async changePassword(
    auth: AuthContext,
    input: { currentPassword: string; newPassword: string },
    info: ClientInfo,
  ): Promise<void> {
    const user = await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, (client) =>
      findUserById(client, auth.userId),
    );
    const ok = await verifyPassword(user?.passwordHash, input.currentPassword);
    if (user === undefined || !ok) {
      await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, (client) =>
        recordAudit(client, {
          ...actor(auth, info),
          action: 'auth.password_change',
          resourceType: 'user',
          resourceId: auth.userId,
          outcome: 'failure',
          details: { reason: 'wrong_password' },
        }),
      );
      throw new ForbiddenProblem('the current password is wrong', 'wrong_password');
    }
    enforcePasswordPolicy(input.newPassword, user.email, 'body.newPassword');
    const passwordHash = await hashPassword(input.newPassword);
    await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, async (client) => {
      await setPassword(client, user.id, passwordHash);
      const ended = await revokeUserSessions(client, user.id, 'password_change', auth.sessionId);
      await recordAudit(client, {
        ...actor(auth, info),
        action: 'auth.password_change',
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
        details: { otherSessionsEnded: ended.length },
      });
    });
    this.cache.invalidateUser(auth.userId);
  }

  /**
   * Runs `fn` with the user a mailed token names, in that token's tenant, consuming the token; a malformed,
   * unknown, used or expired token is a 400 `invalid_token`. If `fn` throws, the token stays unused.
   */
  private async withToken<T>(
    token: string,
    purpose: UserTokenPurpose,
    fn: (client: pg.PoolClient, user: AuthUser, tenantSlug: string) => Promise<T>,
  ): Promise<T> {
    const tenantId = tokenTenant(token);
    if (tenantId === undefined) throw invalidToken();
    return this.db.tx({ tenantId }, async (client) => {
      const consumed = await consumeUserToken(client, token, purpose);
      if (consumed === undefined) throw invalidToken();
      const user = await findUserById(client, consumed.userId, true);
      const tenant = await readTenant(client, tenantId);
      if (user === undefined || tenant === undefined) throw invalidToken();
      return fn(client, user, tenant.slug);
    });
  }
}
