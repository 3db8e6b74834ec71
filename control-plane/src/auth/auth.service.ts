import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { ForbiddenProblem, UnauthorizedProblem } from '../http/problems.js';
import { SecretBox } from '../security/secret-box.js';
import { AccessTokens } from './access-tokens.js';
import { auditAlone } from './auth-audit.js';
import type { AuthContext } from './auth-context.js';
import type { MfaChallenge, TokenPair } from './auth.schemas.js';
import type { ClientInfo } from './client-info.js';
import { LoginThrottle } from './login-throttle.js';
import { verifyPassword } from './password.js';
import { sessionExists } from './session.repository.js';
import { SessionService, SessionTakenProblem } from './session.service.js';
import { recoveryCodeMac } from './recovery-codes.js';
import { countRecoveryCodes, useRecoveryCode } from './recovery-codes.repository.js';
import { checkTotp } from './totp.js';
import {
  acceptTotpStep,
  findUserByEmail,
  findUserById,
  readTenant,
  recordLogin,
  tenantBySlug,
  type AuthTenant,
  type AuthUser,
} from './user-auth.repository.js';

/** Seconds the token between password and second factor is valid. */
export const MFA_TOKEN_TTL_SECONDS = 300;

type FailureReason =
  | 'unknown_tenant'
  | 'unknown_user'
  | 'wrong_password'
  | 'user_not_active'
  | 'locked'
  | 'totp_invalid'
  | 'totp_reused'
  | 'recovery_code_invalid';

/** The one answer to every wrong account name or password. */
export function invalidCredentials(): UnauthorizedProblem {
  return new UnauthorizedProblem('the tenant, email or password is wrong', 'invalid_credentials');
}

/**
 * Sign-in: password (argon2id), then the second factor when the user has TOTP on. An unknown tenant, an
 * unknown user, a disabled user and a wrong password get the same 401 after the same work (a dummy hash is
 * verified for unknown users); the account-specific refusals (unverified email, suspended tenant) come only
 * after a correct password. Every attempt is audited; failures in a transaction of their own.
 */
@Injectable()
export class AuthService {
  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(AccessTokens) private readonly tokens: AccessTokens,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(SessionService) private readonly sessions: SessionService,
  ) {}

  async login(
    input: { tenant: string; email: string; password: string },
    info: ClientInfo,
  ): Promise<TokenPair | MfaChallenge> {
    const key = this.throttle.key(input.tenant, input.email);
    const tenant = await this.db.unscoped((client) => tenantBySlug(client, input.tenant));
    const user =
      tenant === undefined
        ? undefined
        : await this.db.tx({ tenantId: tenant.id }, (client) => findUserByEmail(client, input.email));
    try {
      await this.throttle.assertOpen(key);
    } catch (error) {
      await this.auditFailure(tenant?.id ?? null, user, input.email, 'locked', info);
      throw error;
    }
    const passwordOk = await verifyPassword(user?.passwordHash, input.password);
    if (tenant === undefined || user === undefined || !passwordOk || user.status !== 'active') {
      const reason: FailureReason =
        tenant === undefined
          ? 'unknown_tenant'
          : user === undefined
            ? 'unknown_user'
            : !passwordOk
              ? 'wrong_password'
              : 'user_not_active';
      const locked = await this.throttle.fail(key);
      await this.auditFailure(tenant?.id ?? null, user, input.email, reason, info, locked);
      throw invalidCredentials();
    }
    if (tenant.status !== 'active') {
      await this.auditFailure(tenant.id, user, input.email, 'tenant_inactive', info);
      throw new ForbiddenProblem(`the tenant is ${tenant.status}; sign-in is closed`, 'tenant_inactive');
    }
    if (user.emailVerifiedAt === null) {
      await this.auditFailure(tenant.id, user, input.email, 'email_not_verified', info);
      throw new ForbiddenProblem(
        'the email address is not verified yet: open the link in the verification mail',
        'email_not_verified',
      );
    }
    await this.throttle.succeed(key);
    if (user.totpEnabledAt !== null) {
      const mfaToken = await this.tokens.issue(
        { userId: user.id, tenantId: tenant.id, sessionId: randomUUID() },
        'mfa',
        MFA_TOKEN_TTL_SECONDS,
      );
      return { mfaRequired: true, mfaToken };
    }
    return this.db.tx({ tenantId: tenant.id, userId: user.id }, async (client) => {
      const pair = await this.sessions.open(client, user, info, { mfa: false });
      await recordLogin(client, user.id);
      await recordAudit(client, {
        tenantId: tenant.id,
        actorType: 'user',
        actorId: user.id,
        actorIp: info.ip,
        action: 'auth.login',
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
        requestId: info.requestId,
        details: { mfa: false },
      });
      return pair;
    });
  }

  /**
   * The second step: the mfa token from /login and a TOTP code (later than the last one accepted) or an unused
   * recovery code (then used up). Wrong codes count towards the account's lockout. The mfa token opens one
   * session only.
   */
  async loginTotp(
    input: { mfaToken: string; code?: string | undefined; recoveryCode?: string | undefined },
    info: ClientInfo,
  ): Promise<TokenPair> {
    const claims = await this.tokens.verify(input.mfaToken, 'mfa');
    const found = await this.db.tx({ tenantId: claims.tenantId }, async (client) => {
      const user = await findUserById(client, claims.userId);
      const tenant = await readTenant(client, claims.tenantId);
      const used = await sessionExists(client, claims.sessionId);
      return user === undefined || tenant === undefined ? undefined : { user, tenant, used };
    });
    if (found?.used === true) throw new SessionTakenProblem();
    if (found === undefined || found.user.status !== 'active' || found.user.totpSecret === null) {
      throw invalidCredentials();
    }
    const { user, tenant } = found;
    if (tenant.status !== 'active') {
      throw new ForbiddenProblem(`the tenant is ${tenant.status}; sign-in is closed`, 'tenant_inactive');
    }
    const key = this.throttle.key(tenant.slug, user.email);
    try {
      await this.throttle.assertOpen(key);
    } catch (error) {
      await this.auditFailure(tenant.id, user, user.email, 'locked', info);
      throw error;
    }
    const secret = this.secretBox.open(user.totpSecret ?? '', `totp:${user.id}`).toString('utf8');
    const recoveryMac =
      input.recoveryCode === undefined ? undefined : recoveryCodeMac(this.secretBox, input.recoveryCode);
    const check =
      input.code !== undefined
        ? checkTotp(secret, input.code, user.totpLastStep)
        : recoveryMac !== undefined
          ? ({ ok: true, step: -1 } as const)
          : ({ ok: false, reason: 'invalid' } as const);
    let recoveryCodesLeft: number | undefined;
    const pair = check.ok
      ? await this.db.tx({ tenantId: tenant.id, userId: user.id }, async (client) => {
          if (recoveryMac !== undefined) {
            if (!(await useRecoveryCode(client, user.id, recoveryMac))) return undefined;
            recoveryCodesLeft = await countRecoveryCodes(client, user.id);
          } else if (!(await acceptTotpStep(client, user.id, check.step))) {
            return undefined;
          }
          const opened = await this.sessions.open(client, user, info, {
            mfa: true,
            sessionId: claims.sessionId,
          });
          await recordLogin(client, user.id);
          await recordAudit(client, {
            tenantId: tenant.id,
            actorType: 'user',
            actorId: user.id,
            actorIp: info.ip,
            action: 'auth.login',
            resourceType: 'user',
            resourceId: user.id,
            outcome: 'success',
            requestId: info.requestId,
            details:
              recoveryCodesLeft === undefined
                ? { mfa: true }
                : { mfa: true, recoveryCode: true, recoveryCodesLeft },
          });
          return opened;
        })
      : undefined;
    if (pair === undefined) {
      const reason: FailureReason =
        input.recoveryCode !== undefined
          ? 'recovery_code_invalid'
          : !check.ok && check.reason === 'invalid'
            ? 'totp_invalid'
            : 'totp_reused';
      const locked = await this.throttle.fail(key);
      await this.auditFailure(tenant.id, user, user.email, reason, info, locked);
      if (reason === 'recovery_code_invalid') {
        throw new UnauthorizedProblem(
          'the recovery code is not valid or was already used',
          'invalid_recovery_code',
        );
      }
      throw reason === 'totp_reused'
        ? new UnauthorizedProblem('this code was already used; wait for the next one', 'totp_code_reused')
        : new UnauthorizedProblem('the code is not valid', 'invalid_totp_code');
    }
    await this.throttle.succeed(key);
    return pair;
  }

  /** The caller, their tenant and permissions. */
  async me(auth: AuthContext): Promise<{ user: AuthUser; tenant: AuthTenant; recoveryCodesLeft: number }> {
    const found = await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, async (client) => {
      const user = await findUserById(client, auth.userId);
      const tenant = await readTenant(client, auth.tenantId);
      const recoveryCodesLeft = await countRecoveryCodes(client, auth.userId);
      return user === undefined || tenant === undefined ? undefined : { user, tenant, recoveryCodesLeft };
    });
    if (found === undefined) throw new UnauthorizedProblem('the session ended', 'session_ended');
    return found;
  }

  private async auditFailure(
    tenantId: string | null,
    user: AuthUser | undefined,
    email: string,
    reason: FailureReason | 'tenant_inactive' | 'email_not_verified',
    info: ClientInfo,
    locked = false,
  ): Promise<void> {
    const denied = reason === 'locked' || reason === 'tenant_inactive' || reason === 'email_not_verified';
    await auditAlone(this.db, {
      tenantId,
      actorType: user === undefined ? 'anonymous' : 'user',
      actorId: user?.id ?? null,
      actorIp: info.ip,
      action: 'auth.login',
      resourceType: 'user',
      resourceId: user?.id ?? null,
      outcome: denied ? 'denied' : 'failure',
      requestId: info.requestId,
      // The typed name helps an investigation; an unknown name is kept only within the tenant's own chain.
      details: { reason, email: tenantId === null ? undefined : email, ...(locked ? { locked: true } : {}) },
    });
  }
}
