import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccessTokens } from './access-tokens.js';

const claims = {
  userId: '33333333-3333-4333-8333-333333333333',
  tenantId: '11111111-1111-4111-8111-111111111111',
  sessionId: '44444444-4444-4444-8444-444444444444',
};

afterEach(() => vi.useRealTimers());

describe('AccessTokens', () => {
  it('verifies its own tokens, again from the cache, and refuses another secret’s', async () => {
    const tokens = new AccessTokens('a'.repeat(32), 900);
    const token = await tokens.issue(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    const foreign = await new AccessTokens('b'.repeat(32), 900).issue(claims);
    await expect(tokens.verify(foreign)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('refuses a tampered token even after verifying the original', async () => {
    const tokens = new AccessTokens('a'.repeat(32), 900);
    const token = await tokens.issue(claims);
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(
      JSON.stringify({ ...body, tid: '22222222-2222-4222-8222-222222222222' }),
    ).toString('base64url');
    await expect(tokens.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'invalid_token',
    });
  });

  it('a cached token expires at its exp', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = new AccessTokens('a'.repeat(32), 60);
    const token = await tokens.issue(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    vi.setSystemTime(Date.now() + 66_000); // past exp and jose's 5 s tolerance
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('an MFA token is not an access token, and an access token is not an MFA token', async () => {
    const tokens = new AccessTokens('a'.repeat(32), 900);
    const mfa = await tokens.issue(claims, 'mfa', 300);
    await expect(tokens.verify(mfa)).rejects.toMatchObject({ code: 'invalid_token' });
    const access = await tokens.issue(claims);
    await tokens.verify(access);
    await expect(tokens.verify(access, 'mfa')).rejects.toMatchObject({ code: 'invalid_token' });
    expect(await tokens.verify(mfa, 'mfa')).toEqual(claims);
  });
});
