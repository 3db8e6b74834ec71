/** The outcome of taking a token from a bucket. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * In-memory token buckets per key (a client address): `capacity` requests at once, refilled at
 * `capacity / periodMs`. Bounded: past `maxKeys`, full buckets are dropped first, then the oldest.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;

  constructor(
    readonly capacity: number,
    readonly periodMs: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    if (capacity < 1 || periodMs <= 0) throw new RangeError('a bucket needs capacity >= 1 and a period > 0');
    this.ratePerMs = capacity / periodMs;
  }

  /** Takes one token for `key`; refused with the seconds until one is available. */
  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? this.admit(key, now);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.updated) * this.ratePerMs);
    bucket.updated = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerMs / 1000)),
    };
  }

  /** Forgets every bucket. */
  reset(): void {
    this.buckets.clear();
  }

  get size(): number {
    return this.buckets.size;
  }

  private admit(key: string, now: number): Bucket {
    if (this.buckets.size >= this.maxKeys) this.prune(now);
    const bucket = { tokens: this.capacity, updated: now };
    this.buckets.set(key, bucket);
    return bucket;
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updated) * this.ratePerMs >= this.capacity) this.buckets.delete(key);
    }
    while (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }
}
