// Load generation for the API benchmark: autocannon on loopback, every response time recorded (autocannon's own
// histogram has no p95 and, under a rate, adds coordinated-omission corrections for a 1 ms interval), every
// status counted. A fixed rate is spread over the second: autocannon's overallRate lets each connection send its
// whole per-second quota back to back when its one-second timer fires, and all connections of one instance fire
// together, so one instance at 1,000 req/s is a 1,000-request burst per second. Here a rate R runs as `slots`
// instances started 1000/slots ms apart, each with connections sending one request per second: R/slots
// concurrent requests every 1000/slots ms.
import autocannon from 'autocannon';

const TIMEOUT_SECONDS = 10;

/** The next request's path and bearer token (called for every request). */
export type NextRequest = () => { path: string; token: string };

/** Latency and counts of one run. */
export interface LoadResult {
  /** Requests recorded: answers plus `errors` (unanswered). */
  responses: number;
  /** Responses outside 2xx, by status. */
  non2xx: Record<string, number>;
  /** Requests without an answer within the timeout (or a connection error): counted at the timeout in the
   * percentiles, so a saturated server is not hidden by the requests it never answered. */
  errors: number;
  /** Wall time of the run, staggered starts and the last answers included. */
  seconds: number;
  /** Answers per second: over `seconds` of one window at a fixed rate, over the wall time otherwise. */
  achievedRps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

class Recorder {
  private times = new Float64Array(1 << 16);
  private count = 0;
  readonly non2xx: Record<string, number> = {};
  errors = 0;

  /** One answer (statusCode 0: none, see `errors`). */
  record(statusCode: number, ms: number): void {
    if (statusCode !== 0 && (statusCode < 200 || statusCode >= 300)) {
      this.non2xx[statusCode] = (this.non2xx[statusCode] ?? 0) + 1;
    }
    if (this.count === this.times.length) {
      const grown = new Float64Array(this.times.length * 2);
      grown.set(this.times);
      this.times = grown;
    }
    this.times[this.count++] = ms;
  }

  result(seconds: number): LoadResult {
    const sorted = this.times.slice(0, this.count).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      responses: this.count,
      non2xx: this.non2xx,
      errors: this.errors,
      seconds,
      achievedRps: (this.count - this.errors) / seconds,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      mean: this.count === 0 ? Number.NaN : sum / this.count,
    };
  }
}

function instance(
  url: string,
  next: NextRequest,
  recorder: Recorder,
  options: { connections: number; seconds: number; overallRate?: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const cannon = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.seconds,
        ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
        timeout: TIMEOUT_SECONDS,
        requests: [
          {
            method: 'GET',
            setupRequest: (request) => {
              const { path, token } = next();
              return { ...request, path, headers: { authorization: `Bearer ${token}` } };
            },
          },
        ],
      },
      (error: unknown) =>
        error
          ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }))
          : resolve(),
    );
    cannon.on('response', (_client, statusCode, _bytes, responseTime) =>
      recorder.record(statusCode, responseTime),
    );
    cannon.on('reqError', () => {
      recorder.errors += 1;
      recorder.record(0, TIMEOUT_SECONDS * 1_000);
    });
  });
}

/**
 * Sends `rate` requests per second for `seconds` from `rate` connections (one request per connection per
 * second) in `slots` staggered autocannon instances; records every response.
 */
export async function runAtRate(
  url: string,
  next: NextRequest,
  options: { rate: number; seconds: number; slots?: number },
): Promise<LoadResult> {
  const slots = Math.min(options.slots ?? 100, options.rate);
  const recorder = new Recorder();
  const started = performance.now();
  const runs: Array<Promise<void>> = [];
  for (let slot = 0; slot < slots; slot += 1) {
    const share = Math.floor(options.rate / slots) + (slot < options.rate % slots ? 1 : 0);
    runs.push(
      instance(url, next, recorder, { connections: share, overallRate: share, seconds: options.seconds }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000 / slots));
  }
  await Promise.all(runs);
  // Each instance sends for `seconds`, the last one starting a second after the first: the rate is what
  // arrived per second of one instance's window, not over the staggered total.
  const result = recorder.result((performance.now() - started) / 1_000);
  return { ...result, achievedRps: (result.responses - result.errors) / options.seconds };
}

/** As many requests as `connections` keep-alive connections get answered in `seconds` (closed loop). */
export async function runMax(
  url: string,
  next: NextRequest,
  options: { connections: number; seconds: number },
): Promise<LoadResult> {
  const recorder = new Recorder();
  const started = performance.now();
  await instance(url, next, recorder, options);
  return recorder.result((performance.now() - started) / 1_000);
}
