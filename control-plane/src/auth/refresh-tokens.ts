// Refresh tokens: `<tenantId>.<32 random bytes, base64url>`. The tenant comes first because Row Level Security
// needs it before the token can be looked up; only the SHA-256 of the whole token is stored.
import { createHash, randomBytes } from 'node:crypto';

const FORMAT = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/** A new refresh token of `tenantId`. */
export function newRefreshToken(tenantId: string): string {
  return `${tenantId}.${randomBytes(32).toString('base64url')}`;
}

/** The tenant a refresh token names, or undefined when it is malformed. */
export function refreshTokenTenant(token: string): string | undefined {
  return FORMAT.exec(token)?.[1];
}

/** The stored form of a token. */
export function refreshTokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
