import { EventBatch, inosec, tryDecodeMessage, type IPushAck } from '@inosec/protos';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import { AgentNotAllowedError, isConnectionError, storeBatch } from '../storage/telemetry.repository.js';
import {
  DEFAULT_LIMITS,
  validateBatch,
  type AgentIdentity,
  type ValidationLimits,
} from './batch-validator.js';

const Reason = inosec.v1.PushRejection.Reason;
const Status = inosec.v1.PushAck.Status;

export type IngestTransport = 'grpc' | 'nats' | 'local';

export interface IngestServiceOptions {
  pool: pg.Pool;
  metrics: CollectorMetrics;
  logger: Logger;
  maxBatchBytes: number;
  limits?: ValidationLimits;
  /** How long an agent waits before re-sending after a transient failure. */
  retryAfterMs?: number;
  /** Microseconds since the epoch; injectable for tests of the time checks. */
  clockUs?: () => number;
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
  private readonly limits: ValidationLimits;
  private readonly retryAfterMs: number;
  private readonly clockUs: () => number;

  constructor(private readonly options: IngestServiceOptions) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.retryAfterMs = options.retryAfterMs ?? 1_000;
    this.clockUs = options.clockUs ?? (() => Date.now() * 1000);
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
    }
  }

  private async process(
    identity: AgentIdentity,
    bytes: Uint8Array,
    transport: IngestTransport,
  ): Promise<BatchOutcome> {
    const log = this.options.logger;
    const decoded = tryDecodeMessage(EventBatch, bytes, { maxBytes: this.options.maxBatchBytes });
    if (!decoded.ok) {
      const tooLarge = decoded.error.reason === 'too_large';
      const rejection = {
        reason: tooLarge ? Reason.REASON_TOO_LARGE : Reason.REASON_MALFORMED,
        code: tooLarge ? 'too_large' : 'malformed',
        message: decoded.error.message,
      };
      log.warn(
        { agentId: identity.agentId, transport, reason: rejection.code, bytes: bytes.byteLength },
        `Batch refused: ${rejection.message}`,
      );
      return { status: 'rejected', batchId: '', stored: 0, duplicates: 0, rejection };
    }
    const batch = decoded.value;
    const validation = validateBatch(batch, identity, this.clockUs(), this.limits);
    if (!validation.ok) {
      const { ok: _, ...rejection } = validation;
      log.warn(
        {
          agentId: identity.agentId,
          batchId: batch.batchId,
          transport,
          reason: rejection.code,
          eventIndex: rejection.eventIndex,
        },
        `Batch refused: ${rejection.message}`,
      );
      // No seq range: an invalid batch's seqs are not trusted to move the stream's acked_seq.
      return { status: 'rejected', batchId: batch.batchId, stored: 0, duplicates: 0, rejection };
    }
    const { firstSeq, lastSeq, tenantOverwritten } = validation;
    if (tenantOverwritten > 0) {
      this.options.metrics.tenantOverwritten.inc(tenantOverwritten);
      log.warn(
        { agentId: identity.agentId, batchId: batch.batchId, events: tenantOverwritten },
        'Events carried a tenant id other than their agent’s; it was replaced by the authenticated tenant',
      );
    }
    try {
      const result = await storeBatch(this.options.pool, identity, batch, firstSeq, lastSeq);
      return {
        status: 'stored',
        batchId: batch.batchId,
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
          batchId: batch.batchId,
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
        log.error({ err: error, agentId: identity.agentId, batchId: batch.batchId }, message);
        return {
          status: 'rejected',
          batchId: batch.batchId,
          firstSeq,
          lastSeq,
          stored: 0,
          duplicates: 0,
          rejection: { reason: Reason.REASON_INVALID_EVENT, code: 'storage_refused', message },
        };
      }
      log.warn(
        { err: error, agentId: identity.agentId, batchId: batch.batchId },
        'Storage unavailable; the agent will resend',
      );
      return {
        status: 'retry',
        batchId: batch.batchId,
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
