// Single-use, time-limited tokens mailed to users (email verification, password reset, invitation). The token
// names its tenant (Row Level Security needs it before anything else is known) and 32 random bytes; only the
// SHA-256 of the whole token is stored.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

export type UserTokenPurpose = 'verify_email' | 'reset_password' | 'invite';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The tenant a token was issued in, or undefined when the token is malformed. */
export function tokenTenant(token: string): string | undefined {
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match && UUID.test(match[1] ?? '') ? match[1] : undefined;
}

/** Creates a token for `userId`; earlier unused tokens of the same purpose stop working. */
export async function issueUserToken(
  client: pg.ClientBase,
  tenantId: string,
  userId: string,
  purpose: UserTokenPurpose,
  ttlSeconds: number,
): Promise<string> {
  await client.query(
    `UPDATE inosec.user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
    [userId, purpose],
  );
  const token = `${tenantId}.${randomBytes(32).toString('base64url')}`;
  await client.query(
    `INSERT INTO inosec.user_tokens (token_hash, tenant_id, user_id, purpose, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
    [digest(token), tenantId, userId, purpose, ttlSeconds],
  );
  return token;
}

/**
 * Uses a token once: returns its user when it exists in the transaction's tenant, has this purpose, is
 * unused and unexpired, and marks it used; undefined otherwise (all failures look alike to the caller).
 */
export async function consumeUserToken(
  client: pg.ClientBase,
  token: string,
  purpose: UserTokenPurpose,
): Promise<{ userId: string } | undefined> {
  const { rows } = await client.query<{ user_id: string }>(
    `UPDATE inosec.user_tokens SET used_at = now()
      WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
      RETURNING user_id::text`,
    [digest(token), purpose],
  );
  return rows[0] === undefined ? undefined : { userId: rows[0].user_id };
}
