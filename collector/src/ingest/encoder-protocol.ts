// The messages between the batch encoder (encoder-pool.ts) and its worker threads (encode-worker.ts).
import type { CorrelationReads, RuleText } from '@inosec/detectors';
import type { BinaryRowsParts } from '../storage/binary-copy.js';
import type { TelemetryTable } from '../storage/event-rows.js';
import type { EncodedBatch } from './batch-encoder.js';
import type { AgentIdentity, BatchRejection, ValidationLimits } from './batch-validator.js';

/** What every encode worker is started with. */
export interface EncoderWorkerData {
  maxBatchBytes: number;
  limits: ValidationLimits;
  /** Rule directories each worker loads (loadInosecRuleSet) to run detection on the batches it encodes. */
  ruleDirs?: readonly string[];
  /** Threat-intelligence feed files (CSV or STIX 2.1) each worker loads. */
  iocFeeds?: readonly string[];
}

/** What a worker posts once its module has loaded, before any reply. */
export const WORKER_READY = 'ready';

/** A tenant's own rules for the workers (texts: none or empty to drop them). */
export interface TenantRulesMessage {
  tenantRules: { tenantId: string; texts: RuleText[] };
}

/**
 * What the correlations read (AlertBuilder.correlationReads) of a tenant with rules of its own, or (tenantId
 * null) of every other tenant; reads null: forget them (the tenant: back to the shared reads; shared: every
 * hit crosses with its whole view).
 */
export interface CorrelationReadsMessage {
  correlationReads: { tenantId: string | null; reads: CorrelationReads | null };
}

/** One batch for a worker, with the batch bytes (a copy of just the message). */
export interface EncodeJob {
  id: number;
  identity: AgentIdentity;
  bytes: Uint8Array;
  nowUs: number;
}

/** A worker's answer: the result with each table's rows as transferable parts, or the error it threw. */
export type EncodeReply =
  | {
      id: number;
      result:
        | ({ ok: true } & Omit<EncodedBatch, 'rows'> & { rows: Record<TelemetryTable, BinaryRowsParts> })
        | { ok: false; batchId: string; rejection: BatchRejection };
      error?: undefined;
    }
  | { id: number; error: string; result?: undefined };
