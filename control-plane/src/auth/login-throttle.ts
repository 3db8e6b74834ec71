import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { TenantDb } from '../database/tenant-db.js';
import { TooManyRequestsProblem } from '../http/problems.js';
import type { ServerContext } from '../server-context.js';
import { CONFIG, SERVER_CONTEXT } from '../tokens.js';
import { clearFailures, countFailure, lockRemaining, purgeStale } from './login-throttle.repository.js';

/**
 * Account lockout: failed sign-ins are counted per (tenant slug, email) under an HMAC key derived from the JWT
 * secret, so the table names nobody and an unknown account is counted, locked and answered exactly like a
 * known one. After INOSEC_LOGIN_MAX_FAILURES failures within INOSEC_LOGIN_LOCKOUT_SECONDS, every attempt for
 * the key is refused for INOSEC_LOGIN_LOCKOUT_SECONDS, whatever the password.
 */
@Injectable()
export class LoginThrottle {
  private readonly hmacKey: Buffer;
  private readonly maxFailures: number;
  private readonly windowSeconds: number;

  constructor(
    @Inject(CONFIG) config: ControlPlaneConfig,
    @Inject(SERVER_CONTEXT) context: ServerContext,
    @Inject(TenantDb) private readonly db: TenantDb,
  ) {
    this.hmacKey = Buffer.from(hkdfSync('sha256', context.jwtSecret, 'inosec', 'login-throttle', 32));
    this.maxFailures = config.INOSEC_LOGIN_MAX_FAILURES;
    this.windowSeconds = config.INOSEC_LOGIN_LOCKOUT_SECONDS;
  }

  /** The throttle key of an account name. */
  key(tenantSlug: string, email: string): Buffer {
    return createHmac('sha256', this.hmacKey)
      .update(`${tenantSlug.trim().toLowerCase()}\n${email.trim().toLowerCase()}`)
      .digest();
  }

  /** Throws 429 `too_many_attempts` with Retry-After when the key is locked. */
  async assertOpen(key: Buffer): Promise<void> {
    const remaining = await this.db.unscoped((client) => lockRemaining(client, key));
    if (remaining !== undefined) throw TooManyAttemptsProblem.for(remaining);
  }

  /** Counts a failure; true when this one locked the key. */
  async fail(key: Buffer): Promise<boolean> {
    const { locked } = await this.db.unscoped(async (client) => {
      const result = await countFailure(client, key, this.maxFailures, this.windowSeconds);
      // Now and then, drop keys nobody failed on for a day.
      if (Math.random() < 0.01) await purgeStale(client, Math.max(86_400, this.windowSeconds));
      return result;
    });
    return locked;
  }

  /** Forgets a key's failures after a successful sign-in. */
  async succeed(key: Buffer): Promise<void> {
    await this.db.unscoped((client) => clearFailures(client, key));
  }
}

/** 429 `too_many_attempts`: the account name is locked after repeated failures. */
export class TooManyAttemptsProblem extends TooManyRequestsProblem {
  static for(retryAfterSeconds: number): TooManyAttemptsProblem {
    return new TooManyAttemptsProblem(
      'too many failed sign-in attempts for this account; try again later',
      retryAfterSeconds,
      'too_many_attempts',
    );
  }
}
