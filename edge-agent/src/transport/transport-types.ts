import type { IHost } from '@inosec/protos';
import type { Logger } from 'pino';

/** One spooled event: its seq and its encoded inosec.v1.Event. */
export interface SpooledRecord {
  seq: number;
  payload: Uint8Array;
}

/** What a transport needs of the spool (the Spool class provides it). */
export interface SpoolSource {
  /** Records with seq > afterSeq, in order: at least one when any exists, then up to the bounds. */
  read(afterSeq: number, maxRecords: number, maxBytes: number): Promise<SpooledRecord[]>;
  /** Resolves when a record with seq > afterSeq exists (or the signal aborts). */
  waitForData(afterSeq: number, signal?: AbortSignal): Promise<void>;
  /** Everything up to seq is delivered (stored by the collector, or refused for good and quarantined). */
  ack(seq: number): Promise<void>;
  /** Keeps a batch the collector refused for good, for diagnosis. */
  quarantine(records: readonly SpooledRecord[], reason: string): Promise<void>;
  stats(): { ackedSeq: number; lastSeq: number };
}

export interface BatchLimits {
  /** Most events per batch. */
  maxEvents: number;
  /** Most encoded bytes per batch (must stay under the collector's limit). */
  maxBytes: number;
  /** Batches sent and not yet acknowledged at once. */
  window: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxEvents: 2_000, maxBytes: 1_048_576, window: 16 };

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000 };

/** Counters and state a transport reports (heartbeat, `inosec-agent status`). */
export interface TransportStatus {
  kind: 'grpc' | 'nats';
  connected: boolean;
  /** Highest seq the collector (or JetStream) has durably accepted. */
  lastAckedSeq: number;
  lastAckAt?: string;
  batchesSent: number;
  batchesRejected: number;
  eventsRejected: number;
  retries: number;
  reconnects: number;
  lastError?: string;
}

export interface TransportOptions {
  agentId: string;
  spool: SpoolSource;
  /** The host, sent once per batch. */
  host: IHost;
  logger: Logger;
  limits?: Partial<BatchLimits>;
  backoff?: Partial<BackoffOptions>;
}

export interface Transport {
  /** Drains the spool until stopped; resolves when stop() has finished. */
  run(): Promise<void>;
  /** Stops sending; batches in flight that are not acknowledged stay in the spool. */
  stop(): Promise<void>;
  status(): TransportStatus;
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, initial * 2^attempt)]. */
export function backoffDelay(attempt: number, options: BackoffOptions, random = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

/** Waits ms, or less if the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
