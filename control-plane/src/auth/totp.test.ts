import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { checkTotp, newTotpSecret, totpCode } from './totp.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 10);
const step = (ms: number) => Math.floor(ms / 30_000);

describe('TOTP', () => {
  it('makes a 160-bit base32 secret and an otpauth URI for it', () => {
    const { secret, otpauthUri } = newTotpSecret('alice@example.test');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/InoSec:alice%40example\.test\?/);
    expect(otpauthUri).toContain('period=30');
    expect(otpauthUri).toContain('digits=6');
  });

  it('agrees with an independent RFC 6238 generator (SHA1, 6 digits, 30 s)', () => {
    const { secret } = newTotpSecret('x');
    const other = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    expect(totpCode(secret, T0)).toBe(other.generate({ timestamp: T0 }));
  });

  it('accepts one step of drift either way and no more', () => {
    const { secret } = newTotpSecret('x');
    expect(checkTotp(secret, totpCode(secret, T0 - 30_000), null, T0)).toEqual({
      ok: true,
      step: step(T0) - 1,
    });
    expect(checkTotp(secret, totpCode(secret, T0 + 30_000), null, T0)).toEqual({
      ok: true,
      step: step(T0) + 1,
    });
    expect(checkTotp(secret, totpCode(secret, T0 - 60_000), null, T0)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(checkTotp(secret, totpCode(secret, T0 + 90_000), null, T0).ok).toBe(false);
  });

  it('refuses a code for a step at or before the last accepted one', () => {
    const { secret } = newTotpSecret('x');
    const code = totpCode(secret, T0);
    const first = checkTotp(secret, code, null, T0);
    expect(first.ok).toBe(true);
    const last = first.ok ? first.step : 0;
    expect(checkTotp(secret, code, last, T0 + 1_000)).toEqual({ ok: false, reason: 'reused' });
    expect(checkTotp(secret, totpCode(secret, T0 - 30_000), last, T0)).toEqual({
      ok: false,
      reason: 'reused',
    });
    expect(checkTotp(secret, totpCode(secret, T0 + 30_000), last, T0 + 30_000).ok).toBe(true);
  });

  it('refuses malformed codes and wrong secrets', () => {
    const { secret } = newTotpSecret('x');
    const other = newTotpSecret('y').secret;
    expect(checkTotp(secret, '12345', null, T0).ok).toBe(false);
    expect(checkTotp(secret, 'abcdef', null, T0).ok).toBe(false);
    expect(checkTotp(secret, totpCode(other, T0), null, T0).ok).toBe(false);
    const spaced = totpCode(secret, T0).replace(/^(\d{3})/, '$1 ');
    expect(checkTotp(secret, spaced, null, T0).ok).toBe(true);
  });
});
