import { inosec, type IPushAck } from '@inosec/protos';
import type { Logger } from 'pino';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import { AgentNotAllowedError, isConnectionError } from '../storage/telemetry.repository.js';
import type { TelemetryWriter } from '../storage/telemetry-writer.js';
import type { EncodeResult } from './batch-encoder.js';
import type { AgentIdentity } from './batch-validator.js';
import type { BatchEncoder } from './encoder-pool.js';

const Reason = inosec.v1.PushRejection.Reason;
const Status = inosec.v1.PushAck.Status;

export type IngestTransport = 'grpc' | 'nats' | 'local';

export interface IngestServiceOptions {
  /** Decodes, validates and encodes received batches (on worker threads). */
  encoder: BatchEncoder;
  /** Where encoded batches are stored (group commit, exactly once). */
  writer: TelemetryWriter;
  metrics: CollectorMetrics;
  logger: Logger;
  /** How long an agent waits before re-sending after a transient failure. */
  retryAfterMs?: number;
  /** Microseconds since the epoch; injectable for tests of the time checks. */
  clockUs?: () => number;
  /**
   * Bytes of received batches in processing at most, over all transports and agents: past it the transports
   * stop reading (capacity()), and gRPC flow control and JetStream's max-ack-pending hold the agents back.
   */
  maxInFlightBytes?: number;
}

/** What happened to one batch. */
export interface BatchOutcome {
  status: 'stored' | 'rejected' | 'retry';
  batchId: string;
  /** The batch's seq range when it could be decoded. */
  firstSeq?: number;
  lastSeq?: number;
  stored: number;
  duplicates: number;
  rejection?: {
    reason: inosec.v1.PushRejection.Reason;
    code: string;
    message: string;
    eventIndex?: number;
    retryAfterMs?: number;
  };
  /** The agent may not send at all (unknown, revoked, wrong tenant): the transport ends its connection. */
  forbidden?: AgentNotAllowedError;
}

/**
 * The transport-independent ingest path: decode within the size limit, validate against the sender's
 * authenticated identity, store exactly once, and say what happened. It never throws for a bad batch or a
 * failing database: every outcome is a value the transport turns into an ack, and every refusal is counted
 * and logged with its reason.
 */
export class IngestService {
  private readonly retryAfterMs: number;
  private readonly clockUs: () => number;
  private readonly maxInFlightBytes: number;
  private inFlightBytes = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: IngestServiceOptions) {
    this.retryAfterMs = options.retryAfterMs ?? 1_000;
    this.clockUs = options.clockUs ?? (() => Date.now() * 1000);
    this.maxInFlightBytes = options.maxInFlightBytes ?? 256 * 1_048_576;
  }

  /** Bytes of received batches not answered yet. */
  get bytesInFlight(): number {
    return this.inFlightBytes;
  }

  /**
   * Resolves when the collector can take another batch: transports await it before reading the next one,
   * so memory stays bounded however many agents send at once.
   */
  capacity(): Promise<void> {
    if (this.inFlightBytes < this.maxInFlightBytes) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(bytes: number): void {
    this.inFlightBytes -= bytes;
    while (this.inFlightBytes < this.maxInFlightBytes && this.waiting.length > 0) this.waiting.shift()?.();
  }

  async ingest(
    identity: AgentIdentity,
    bytes: Uint8Array,
    transport: IngestTransport,
  ): Promise<BatchOutcome> {
    const { metrics } = this.options;
    const started = performance.now();
    metrics.bytes.inc({ transport }, bytes.byteLength);
    metrics.queueDepth.inc({ transport });
    const size = bytes.byteLength;
    this.inFlightBytes += size;
    try {
      const outcome = await this.process(identity, bytes, transport);
      metrics.batches.inc({ transport, status: outcome.status });
      if (outcome.status === 'stored') {
        metrics.events.inc({ transport }, outcome.stored);
        if (outcome.duplicates > 0) metrics.duplicates.inc({ transport }, outcome.duplicates);
        metrics.commitSeconds.observe({ transport }, (performance.now() - started) / 1000);
      } else if (outcome.rejection) {
        metrics.rejects.inc({ transport, reason: outcome.rejection.code });
      }
      return outcome;
    } finally {
      metrics.queueDepth.dec({ transport });
      this.release(size);
    }
  }

  private async process(
    identity: AgentIdentity,
    bytes: Uint8Array,
    transport: IngestTransport,
  ): Promise<BatchOutcome> {
    const log = this.options.logger;
    const started = performance.now();
    let encoded: EncodeResult;
    try {
      encoded = await this.options.encoder.encode(identity, bytes, this.clockUs());
    } catch (error) {
      // The encoder broke (a worker died): the batch was not judged, so the agent resends it.
      log.error(
        { err: error, agentId: identity.agentId, transport },
        'Batch encoding failed; the agent will resend',
      );
      return {
        status: 'retry',
        batchId: '',
        stored: 0,
        duplicates: 0,
        rejection: {
          reason: Reason.REASON_STORAGE_UNAVAILABLE,
          code: 'encoder_failed',
          message: (error as Error).message,
          retryAfterMs: this.retryAfterMs,
        },
      };
    }
    if (log.isLevelEnabled('debug')) {
      log.debug(
        { agentId: identity.agentId, transport, ms: Math.round(performance.now() - started) },
        'Batch encoded',
      );
    }
    if (!encoded.ok) {
      const { batchId, rejection } = encoded;
      log.warn(
        {
          agentId: identity.agentId,
          ...(batchId ? { batchId } : {}),
          transport,
          reason: rejection.code,
          ...(rejection.eventIndex === undefined ? {} : { eventIndex: rejection.eventIndex }),
          bytes: bytes.byteLength,
        },
        `Batch refused: ${rejection.message}`,
      );
      // No seq range: an invalid batch's seqs are not trusted to move the stream's acked_seq.
      return { status: 'rejected', batchId, stored: 0, duplicates: 0, rejection };
    }
    const { batchId, firstSeq, lastSeq, tenantOverwritten } = encoded;
    const slow = encoded.referenceEvents ?? encoded.events;
    if (slow > 0) this.options.metrics.referencePathEvents.inc(slow);
    if (encoded.detectionError !== undefined) {
      this.options.metrics.detectionErrors.inc();
      log.error(
        { agentId: identity.agentId, batchId, error: encoded.detectionError },
        'Detection failed on a batch; its events are stored without detection',
      );
    }
    if (tenantOverwritten > 0) {
      this.options.metrics.tenantOverwritten.inc(tenantOverwritten);
      log.warn(
        { agentId: identity.agentId, batchId, events: tenantOverwritten },
        'Events carried a tenant id other than their agent’s; it was replaced by the authenticated tenant',
      );
    }
    try {
      const result = await this.options.writer.store(identity, encoded);
      return {
        status: 'stored',
        batchId,
        firstSeq,
        lastSeq,
        stored: result.stored,
        duplicates: result.duplicates,
      };
    } catch (error) {
      if (error instanceof AgentNotAllowedError) {
        log.warn({ agentId: identity.agentId, transport, reason: error.code }, error.message);
        return {
          status: 'rejected',
          batchId,
          firstSeq,
          lastSeq,
          stored: 0,
          duplicates: 0,
          rejection: { reason: Reason.REASON_AGENT_MISMATCH, code: error.code, message: error.message },
          forbidden: error,
        };
      }
      if (!isConnectionError(error)) {
        // The database refused the data itself: resending cannot succeed.
        const message = `storage refused the batch: ${(error as Error).message}`;
        log.error({ err: error, agentId: identity.agentId, batchId }, message);
        return {
          status: 'rejected',
          batchId,
          firstSeq,
          lastSeq,
          stored: 0,
          duplicates: 0,
          rejection: { reason: Reason.REASON_INVALID_EVENT, code: 'storage_refused', message },
        };
      }
      log.warn(
        { err: error, agentId: identity.agentId, batchId },
        'Storage unavailable; the agent will resend',
      );
      return {
        status: 'retry',
        batchId,
        firstSeq,
        lastSeq,
        stored: 0,
        duplicates: 0,
        rejection: {
          reason: Reason.REASON_STORAGE_UNAVAILABLE,
          code: 'storage_unavailable',
          message: `storage unavailable: ${(error as Error).message}`,
          retryAfterMs: this.retryAfterMs,
        },
      };
    }
  }
}

/**
 * Turns a stream's outcomes into PushAcks. acked_seq never decreases and never covers a batch answered with
 * RETRY: after a RETRY it stays put until the agent has re-sent from that batch on, so an agent deleting its
 * spool up to acked_seq can never delete what was not stored.
 */
export class StreamAcks {
  private ackedSeq = 0;
  private retryFrom: number | undefined;

  constructor(private readonly agentId: string) {}

  ack(outcome: BatchOutcome): IPushAck {
    const { firstSeq, lastSeq } = outcome;
    if (outcome.status === 'retry') {
      if (firstSeq !== undefined && (this.retryFrom === undefined || firstSeq < this.retryFrom)) {
        this.retryFrom = firstSeq;
      }
    } else if (firstSeq !== undefined && lastSeq !== undefined) {
      if (this.retryFrom !== undefined && firstSeq <= this.retryFrom) this.retryFrom = undefined;
      if (this.retryFrom === undefined) this.ackedSeq = Math.max(this.ackedSeq, lastSeq);
    }
    const status =
      outcome.status === 'stored'
        ? Status.STATUS_STORED
        : outcome.status === 'retry'
          ? Status.STATUS_RETRY
          : Status.STATUS_REJECTED;
    const ack: IPushAck = {
      agentId: this.agentId,
      batchId: outcome.batchId,
      status,
      ackedSeq: this.ackedSeq,
    };
    if (outcome.rejection) {
      const { reason, message, eventIndex, retryAfterMs } = outcome.rejection;
      ack.rejection = { reason, message, retryAfterMs: retryAfterMs ?? 0 };
      if (eventIndex !== undefined) ack.rejection.eventIndex = eventIndex;
    }
    return ack;
  }
}
