import { matchEvents, matchIocs, type IocMatcher, type RuleSet, type SigmaHit } from '@inosec/detectors';
import { EventBatch, inosec, tryDecodeMessage, type Event, type IEvent, type IHost } from '@inosec/protos';
import { encodeBatchRows, type EncodedRows } from '../storage/event-rows.js';
import {
  validateBatch,
  type AgentIdentity,
  type BatchRejection,
  type ValidationLimits,
} from './batch-validator.js';
import { encodeWireBatch } from './wire-batch-encoder.js';

const Reason = inosec.v1.PushRejection.Reason;

/** A batch ready for its transaction: validated, with its rows encoded for COPY. */
export interface EncodedBatch {
  batchId: string;
  firstSeq: number;
  lastSeq: number;
  /** Events in the batch. */
  events: number;
  /** Events whose tenant_id the agent had set to something else: overwritten. */
  tenantOverwritten: number;
  /** Events the fast path (encodeWireBatch) left to the reference code; absent when the whole batch took it. */
  referenceEvents?: number;
  rows: EncodedRows;
  /** The detection rules' matches on the batch's events (absent without rules). */
  hits?: SigmaHit[];
  /** Why detection failed on this batch (a bug in a rule or the engine): the events are stored regardless. */
  detectionError?: string;
}

/** What encoding a received batch gave: the batch, or why it is refused. */
export type EncodeResult =
  ({ ok: true } & EncodedBatch) | { ok: false; batchId: string; rejection: BatchRejection };

export interface EncodeOptions {
  maxBatchBytes: number;
  limits: ValidationLimits;
  /** The collector's clock, microseconds since the epoch, for the time checks. */
  nowUs: number;
  /** The detection rules to run on the batch's events (none: no detection). */
  ruleSet?: RuleSet | undefined;
  /** The sending tenant's own rules, run as well. */
  tenantRuleSet?: RuleSet | undefined;
  /** Threat-intelligence feeds the events' addresses, domains and hashes are looked up in. */
  iocMatcher?: IocMatcher | undefined;
}

/**
 * The CPU-heavy part of ingest, in one pure step (it runs on a worker thread): decode the batch within the
 * size limit, validate it against the sender's authenticated identity (the tenant is overwritten there),
 * and encode its rows in binary COPY format. Straight from the wire bytes where it can (encodeWireBatch,
 * the same rows without decoding), else by the reference path.
 */
export function encodeIncoming(
  identity: AgentIdentity,
  bytes: Uint8Array,
  options: EncodeOptions,
): EncodeResult {
  const result =
    encodeWireBatch(identity, bytes, options) ?? encodeIncomingReference(identity, bytes, options);
  if (result.ok && result.hits === undefined && hasRules(options)) {
    // The fast path did not decode the events: detection does (the batch is known to be valid).
    const decoded = tryDecodeMessage(EventBatch, bytes, { maxBytes: options.maxBatchBytes });
    if (decoded.ok) detect(result, options, identity, decoded.value.events ?? [], decoded.value.host);
    else result.detectionError = `cannot decode for detection: ${decoded.error.message}`;
  }
  return result;
}

/**
 * Runs the rules on a stored-to-be batch's events and records the hits on it. A rule or engine failure (a
 * bug) is recorded, never thrown: losing the batch would be worse than missing its detections.
 */
function hasRules(options: EncodeOptions): boolean {
  return (
    (options.ruleSet?.size ?? 0) > 0 ||
    (options.tenantRuleSet?.size ?? 0) > 0 ||
    options.iocMatcher !== undefined
  );
}

function detect(
  result: EncodedBatch,
  options: EncodeOptions,
  identity: AgentIdentity,
  events: readonly IEvent[],
  batchHost?: IHost | null,
): void {
  try {
    const hits = options.ruleSet ? matchEvents(options.ruleSet, identity.agentId, events, batchHost) : [];
    if (options.tenantRuleSet) {
      hits.push(...matchEvents(options.tenantRuleSet, identity.agentId, events, batchHost));
    }
    if (options.iocMatcher) {
      for (const event of events) matchIocs(options.iocMatcher, identity.agentId, event, hits, batchHost);
    }
    result.hits = hits;
  } catch (error) {
    result.hits = [];
    result.detectionError = `detection failed: ${(error as Error).message}`;
  }
}

/**
 * The reference path: the generated decoder, validateBatch, encodeBatchRows. It defines the rows and the
 * refusals; the fast path must give the same (wire-batch-encoder.test.ts). The decoded events are dropped on
 * return.
 */
export function encodeIncomingReference(
  identity: AgentIdentity,
  bytes: Uint8Array,
  options: EncodeOptions,
): EncodeResult {
  const decoded = tryDecodeMessage(EventBatch, bytes, { maxBytes: options.maxBatchBytes });
  if (!decoded.ok) {
    const tooLarge = decoded.error.reason === 'too_large';
    return {
      ok: false,
      batchId: '',
      rejection: {
        reason: tooLarge ? Reason.REASON_TOO_LARGE : Reason.REASON_MALFORMED,
        code: tooLarge ? 'too_large' : 'malformed',
        message: decoded.error.message,
      },
    };
  }
  const batch = decoded.value;
  const validation = validateBatch(batch, identity, options.nowUs, options.limits);
  if (!validation.ok) {
    const { ok: _, ...rejection } = validation;
    return { ok: false, batchId: batch.batchId, rejection };
  }
  // Decoded batches hold Event instances (with the `payload` oneof getter), whatever the declared type says.
  const events = batch.events as Event[];
  const result: EncodedBatch = {
    batchId: batch.batchId,
    firstSeq: validation.firstSeq,
    lastSeq: validation.lastSeq,
    events: events.length,
    tenantOverwritten: validation.tenantOverwritten,
    rows: encodeBatchRows(events),
  };
  if (hasRules(options)) detect(result, options, identity, events, batch.host);
  return { ok: true, ...result };
}
