// TOTP second factor (RFC 6238): 30-second steps, 6 digits, HMAC-SHA1, one step of clock drift either way. A
// code is accepted only for a step later than the last accepted one, so each code works once.
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
const ISSUER = 'InoSec';

/** A code as users type it: six digits (spaces allowed between groups). */
export const TOTP_CODE = /^\s*\d{3}\s?\d{3}\s*$/;

function totp(secretBase32: string, label = 'InoSec'): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** A new random secret (160 bits, base32) and its otpauth:// URI for authenticator apps. */
export function newTotpSecret(accountLabel: string): { secret: string; otpauthUri: string } {
  const secret = new Secret({ size: 20 }).base32;
  return { secret, otpauthUri: totp(secret, accountLabel).toString() };
}

/** The outcome of checking a code. */
export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'reused' };

/**
 * Checks `code` against the secret at `nowMs` (±1 step). A code valid for a step at or before `lastStep` is
 * refused as reused. On success, store the returned step as the new last step.
 */
export function checkTotp(
  secretBase32: string,
  code: string,
  lastStep: number | null,
  nowMs = Date.now(),
): TotpCheck {
  if (!TOTP_CODE.test(code)) return { ok: false, reason: 'invalid' };
  const token = code.replace(/\s/g, '');
  const delta = totp(secretBase32).validate({ token, timestamp: nowMs, window: 1 });
  if (delta === null) return { ok: false, reason: 'invalid' };
  const step = Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
  if (lastStep !== null && step <= lastStep) return { ok: false, reason: 'reused' };
  return { ok: true, step };
}

/** The code for `secretBase32` at `nowMs` (tests and tools). */
export function totpCode(secretBase32: string, nowMs = Date.now()): string {
  return totp(secretBase32).generate({ timestamp: nowMs });
}
