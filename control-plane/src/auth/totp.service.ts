import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { ConflictProblem, ForbiddenProblem, UnprocessableProblem } from '../http/problems.js';
import { SecretBox } from '../security/secret-box.js';
import type { AuthContext } from './auth-context.js';
import type { ClientInfo } from './client-info.js';
import { verifyPassword } from './password.js';
import { PrincipalCache } from './principal-cache.js';
import { newRecoveryCodes, recoveryCodeMac } from './recovery-codes.js';
import { deleteRecoveryCodes, replaceRecoveryCodes } from './recovery-codes.repository.js';
import { markSessionMfa } from './session.repository.js';
import { actor } from './session.service.js';
import { checkTotp, newTotpSecret } from './totp.js';
import {
  acceptTotpStep,
  clearTotp,
  findUserById,
  storePendingTotp,
  type AuthUser,
} from './user-auth.repository.js';

function codeRefused(reason: 'invalid' | 'reused'): UnprocessableProblem {
  return reason === 'reused'
    ? new UnprocessableProblem(
        'this code was already used; wait for the next one',
        [{ path: 'body.code', message: 'already used' }],
        'totp_code_reused',
      )
    : new UnprocessableProblem(
        'the code does not match the authenticator (check the device clock)',
        [{ path: 'body.code', message: 'does not match' }],
        'invalid_totp_code',
      );
}

/**
 * TOTP enrolment of the signed-in user: enroll stores a new sealed secret (off until a code proves the app has
 * it), activate turns it on and hands out ten recovery codes, disable needs the password and a current code,
 * and so does a new set of recovery codes. Secrets are sealed with the data key bound to `totp:<userId>`.
 */
@Injectable()
export class TotpService {
  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
  ) {}

  /** A new secret for the caller, pending activation; 409 when TOTP is already on. */
  async enroll(auth: AuthContext): Promise<{ secret: string; otpauthUri: string }> {
    return this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, async (client) => {
      const user = await this.user(client, auth);
      if (user.totpEnabledAt !== null) {
        throw new ConflictProblem(
          'two-factor sign-in is already on; disable it first',
          'totp_already_enabled',
        );
      }
      const enrollment = newTotpSecret(user.email);
      await storePendingTotp(client, user.id, this.secretBox.seal(enrollment.secret, `totp:${user.id}`));
      return enrollment;
    });
  }

  /**
   * Turns TOTP on with a code of the pending secret; the current session counts as second-factor. Returns the
   * recovery codes (shown once).
   */
  async activate(auth: AuthContext, code: string, info: ClientInfo): Promise<string[]> {
    const codes = newRecoveryCodes();
    await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, async (client) => {
      const user = await this.user(client, auth);
      if (user.totpEnabledAt !== null) {
        throw new ConflictProblem('two-factor sign-in is already on', 'totp_already_enabled');
      }
      if (user.totpSecret === null) {
        throw new ConflictProblem(
          'no pending enrolment: call /api/auth/totp/enroll first',
          'totp_not_enrolled',
        );
      }
      const check = checkTotp(this.secret(user), code, user.totpLastStep);
      if (!check.ok) throw codeRefused(check.reason);
      if (!(await acceptTotpStep(client, user.id, check.step, true))) throw codeRefused('reused');
      await markSessionMfa(client, auth.sessionId);
      await replaceRecoveryCodes(client, auth.tenantId, user.id, this.macs(codes));
      await recordAudit(client, {
        ...actor(auth, info),
        action: 'auth.totp_enable',
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
        details: { recoveryCodes: codes.length },
      });
    });
    this.cache.invalidateSession(auth.sessionId);
    return codes;
  }

  /**
   * A new set of recovery codes (the old ones stop working); needs the password (403 `wrong_password`) and a
   * current code (422), like turning TOTP off.
   */
  async regenerateRecoveryCodes(
    auth: AuthContext,
    input: { password: string; code: string },
    info: ClientInfo,
  ): Promise<string[]> {
    const codes = newRecoveryCodes();
    await this.confirmed(auth, input, info, 'auth.recovery_codes_regenerate', async (client, user) => {
      await replaceRecoveryCodes(client, auth.tenantId, user.id, this.macs(codes));
    });
    return codes;
  }

  /** Turns TOTP off (and its recovery codes); needs the password (403 `wrong_password`) and a fresh code (422). */
  async disable(
    auth: AuthContext,
    input: { password: string; code: string },
    info: ClientInfo,
  ): Promise<void> {
    await this.confirmed(auth, input, info, 'auth.totp_disable', async (client, user) => {
      await clearTotp(client, user.id);
      await deleteRecoveryCodes(client, user.id);
    });
    this.cache.invalidateUser(auth.userId);
  }

  /**
   * Runs `change` once the caller proved the password and a current TOTP code (TOTP must be on), in the
   * transaction that uses up the code's step; audits `action` either way.
   */
  private async confirmed(
    auth: AuthContext,
    input: { password: string; code: string },
    info: ClientInfo,
    action: string,
    change: (client: pg.PoolClient, user: AuthUser) => Promise<void>,
  ): Promise<void> {
    const user = await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, (client) =>
      this.user(client, auth),
    );
    if (user.totpEnabledAt === null || user.totpSecret === null) {
      throw new ConflictProblem('two-factor sign-in is not on', 'totp_not_enabled');
    }
    if (!(await verifyPassword(user.passwordHash, input.password))) {
      await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, (client) =>
        recordAudit(client, {
          ...actor(auth, info),
          action,
          resourceType: 'user',
          resourceId: user.id,
          outcome: 'failure',
          details: { reason: 'wrong_password' },
        }),
      );
      throw new ForbiddenProblem('the password is wrong', 'wrong_password');
    }
    const check = checkTotp(this.secret(user), input.code, user.totpLastStep);
    if (!check.ok) throw codeRefused(check.reason);
    await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, async (client) => {
      if (!(await acceptTotpStep(client, user.id, check.step))) throw codeRefused('reused');
      await change(client, user);
      await recordAudit(client, {
        ...actor(auth, info),
        action,
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
      });
    });
  }

  private macs(codes: string[]): Buffer[] {
    return codes.map((code) => recoveryCodeMac(this.secretBox, code)!);
  }

  private async user(client: Parameters<typeof findUserById>[0], auth: AuthContext): Promise<AuthUser> {
    const user = await findUserById(client, auth.userId, true);
    if (user === undefined) throw new ForbiddenProblem('the account is gone', 'session_ended');
    return user;
  }

  private secret(user: AuthUser): string {
    return this.secretBox.open(user.totpSecret ?? '', `totp:${user.id}`).toString('utf8');
  }
}
