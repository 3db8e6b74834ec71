import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from './rate-limit.js';

describe('TokenBucketLimiter', () => {
  it('allows a burst of capacity, then refuses with the wait until the next token', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(3, 60_000, 100, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect(limiter.take('b').allowed).toBe(true);
    now = 19_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 20_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('stays bounded: full buckets go first, then the oldest', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(2, 1_000, 3, () => now);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    now = 5_000; // all refilled
    limiter.take('d');
    expect(limiter.size).toBe(1);
    limiter.take('e');
    limiter.take('f');
    limiter.take('g');
    expect(limiter.size).toBeLessThanOrEqual(3);
  });
});
