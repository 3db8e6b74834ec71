import { afterEach, describe, expect, it, vi } from 'vitest';
import { PrincipalCache } from './principal-cache.js';
import type { Principal } from './principal.repository.js';

const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const U1 = '33333333-3333-4333-8333-333333333333';

function principal(sessionExpiresAt = Date.now() + 3_600_000): Principal {
  return {
    sessionLive: true,
    sessionExpiresAt,
    userStatus: 'active',
    tenantStatus: 'active',
    email: 'a@b.test',
    superAdmin: false,
    platformOperator: false,
    mfa: false,
    permissions: ['alerts:read'],
  };
}

afterEach(() => vi.useRealTimers());

describe('PrincipalCache', () => {
  it('keeps entries a minute while changes are announced and 5 s while they are not', () => {
    vi.useFakeTimers();
    const cache = new PrincipalCache();
    cache.set('s1', T1, U1, principal(), cache.generation);
    vi.advanceTimersByTime(5_001);
    expect(cache.get('s1')).toBeUndefined();
    cache.setAnnounced(true);
    cache.set('s1', T1, U1, principal(), cache.generation);
    vi.advanceTimersByTime(59_000);
    expect(cache.get('s1')?.principal?.email).toBe('a@b.test');
    vi.advanceTimersByTime(1_001);
    expect(cache.get('s1')).toBeUndefined();
  });

  it('never keeps an entry past its session expiry', () => {
    vi.useFakeTimers();
    const cache = new PrincipalCache();
    cache.setAnnounced(true);
    cache.set('s1', T1, U1, principal(Date.now() + 2_000), cache.generation);
    vi.advanceTimersByTime(2_001);
    expect(cache.get('s1')).toBeUndefined();
  });

  it('empties itself when announcements start or stop (what was said in between is lost)', () => {
    const cache = new PrincipalCache();
    cache.set('s1', T1, U1, principal(), cache.generation);
    cache.setAnnounced(true);
    expect(cache.size).toBe(0);
    cache.set('s1', T1, U1, principal(), cache.generation);
    cache.setAnnounced(false);
    expect(cache.size).toBe(0);
  });

  it('drops a tenant’s entries only', () => {
    const cache = new PrincipalCache();
    cache.set('s1', T1, U1, principal(), cache.generation);
    cache.set('s2', T2, U1, principal(), cache.generation);
    cache.invalidateTenant(T1);
    expect(cache.get('s1')).toBeUndefined();
    expect(cache.get('s2')).toBeDefined();
  });

  it('does not store a read that raced an invalidation, but still answers it', async () => {
    const cache = new PrincipalCache();
    let reads = 0;
    const first = await cache.resolve('s1', T1, U1, async () => {
      reads += 1;
      cache.invalidateTenant(T1); // the notice of a change arrives while the read is in flight
      return principal();
    });
    expect(first?.sessionLive).toBe(true);
    expect(cache.get('s1')).toBeUndefined();
    // The next resolve reads again (and stores it: nothing raced this time).
    await cache.resolve('s1', T1, U1, async () => {
      reads += 1;
      return principal();
    });
    await cache.resolve('s1', T1, U1, async () => {
      reads += 1;
      return principal();
    });
    expect(reads).toBe(2);
  });

  it('reads again when the token names another user or tenant for a cached session id', async () => {
    const cache = new PrincipalCache();
    await cache.resolve('s1', T1, U1, async () => principal());
    const other = await cache.resolve('s1', T2, U1, async () => undefined);
    expect(other).toBeUndefined();
  });

  it('evicts the oldest entry at the bound', () => {
    const cache = new PrincipalCache(60_000, 5_000, 2);
    cache.set('s1', T1, U1, principal(), cache.generation);
    cache.set('s2', T1, U1, principal(), cache.generation);
    cache.set('s3', T1, U1, principal(), cache.generation);
    expect(cache.get('s1')).toBeUndefined();
    expect(cache.get('s3')).toBeDefined();
  });
});
