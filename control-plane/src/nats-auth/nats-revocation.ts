import type { RevocationList } from '@nats-io/jwt';
import {
  NatsAuthError,
  encodeTelemetryAccountJwt,
  type NatsAuthority,
  type TelemetryAccountLimits,
} from './nats-authority.js';
import { MAX_CREDENTIALS_TTL_SECONDS } from './nats-user-credentials.js';

const USER_KEY = /^U[A-Z2-7]{55}$/;

/** The telemetry account's JWT after a revocation, and the revocation list to keep for the next one. */
export interface RevokedAccount {
  accountJwt: string;
  revocations: RevocationList;
}

/**
 * Revokes a NATS user: adds its public key to the telemetry account's revocation list (every JWT of that
 * user issued at or before `at` is refused) and re-signs the account JWT. Push the returned JWT to the
 * servers (resolver_preload and a reload with the memory resolver; a `$SYS.REQ.CLAIMS.UPDATE` with the
 * full resolver); a revoked client already connected is disconnected when the server applies it.
 * `revocations` is the current list (kept by the caller, e.g. derived from the revoked agents' rows); it is
 * not modified. Entries older than the longest credential lifetime are dropped (those JWTs expired anyway).
 */
export async function revokeUser(
  authority: NatsAuthority,
  revocations: Readonly<RevocationList>,
  userPublicKey: string,
  options: { at?: Date; limits?: TelemetryAccountLimits } = {},
): Promise<RevokedAccount> {
  if (!USER_KEY.test(userPublicKey))
    throw new NatsAuthError('a NATS user public key starts with U (56 characters)');
  const at = options.at ?? new Date();
  const next = pruneRevocations({ ...revocations, [userPublicKey]: Math.floor(at.getTime() / 1_000) }, at);
  return { accountJwt: await encodeTelemetryAccountJwt(authority, next, options.limits), revocations: next };
}

/**
 * Drops revocations that can no longer match a live JWT: a user revoked more than a year before `now` has
 * only JWTs issued before then, which expired (issuing refuses lifetimes past MAX_CREDENTIALS_TTL_SECONDS,
 * one year). Keeps the account JWT small however many agents were ever revoked.
 */
export function pruneRevocations(revocations: Readonly<RevocationList>, now = new Date()): RevocationList {
  const horizon = Math.floor(now.getTime() / 1_000) - MAX_CREDENTIALS_TTL_SECONDS;
  const kept: RevocationList = {};
  for (const [key, revokedAt] of Object.entries(revocations)) {
    if (revokedAt >= horizon) kept[key] = revokedAt;
  }
  return kept;
}
