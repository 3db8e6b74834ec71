import {
  compactHits,
  detectedPayloads,
  matchEvents,
  matchIocs,
  type CorrelationReads,
  type DetectedPayloads,
  type IocMatcher,
  type RuleSet,
  type SigmaHit,
  type SigmaHitGroup,
} from '@inosec/detectors';
import { Event, EventBatch, inosec, tryDecodeMessage, type IEvent, type IHost } from '@inosec/protos';
import { encodeBatchRows, type EncodedRows } from '../storage/event-rows.js';
import {
  validateBatch,
  type AgentIdentity,
  type BatchRejection,
  type ValidationLimits,
} from './batch-validator.js';
import { encodeWireBatch, type WireDetectionInput } from './wire-batch-encoder.js';

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
  /**
   * The detection rules' matches on the batch's events (absent without rules): one each for the rules
   * correlations read (views cut to the fields they read), in match order; all of them without
   * `correlationReads`.
   */
  hits?: SigmaHit[];
  /** The matches of the other rules, aggregated per rule and host (compactHits). */
  hitGroups?: SigmaHitGroup[];
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
  /**
   * The rules the sending tenant's correlations read (AlertBuilder.correlationReads): the other rules' hits
   * are aggregated here. None: every hit is returned with its whole view.
   */
  correlationReads?: CorrelationReads | undefined;
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
  const payloads = detectionPayloads(options);
  const input: WireDetectionInput | undefined = payloads ? { payloads, items: [] } : undefined;
  const result =
    encodeWireBatch(identity, bytes, options, input) ?? encodeIncomingReference(identity, bytes, options);
  if (result.ok && result.hits === undefined && input) {
    // The fast path decoded no event: detection decodes those of the kinds it reads (the batch is valid).
    const events = decodeForDetection(bytes, input);
    if (typeof events === 'string') result.detectionError = `cannot decode for detection: ${events}`;
    else detect(result, options, identity, events, input.host);
  }
  return result;
}

/**
 * The events the fast path listed for detection, in batch order: those given by byte range decoded (with the
 * reference decoder's checks), the others as decoded already. Returns the decoder's message if one does not
 * decode.
 */
function decodeForDetection(bytes: Uint8Array, input: WireDetectionInput): IEvent[] | string {
  const events: IEvent[] = [];
  for (const item of input.items) {
    if (!Array.isArray(item)) {
      events.push(item);
      continue;
    }
    const [start, end] = item;
    const decoded = tryDecodeMessage(Event, bytes.subarray(start, end), { maxBytes: end - start });
    if (!decoded.ok) return decoded.error.message;
    events.push(decoded.value);
  }
  return events;
}

/** The events detection reads (detectedPayloads); undefined without rules or feeds. */
function detectionPayloads(options: EncodeOptions): DetectedPayloads | undefined {
  return detectedPayloads({
    sigma: (options.ruleSet?.size ?? 0) > 0 || (options.tenantRuleSet?.size ?? 0) > 0,
    ioc: options.iocMatcher !== undefined,
  });
}

/**
 * Runs the rules on a stored-to-be batch's events and records the hits on it, compacted (compactHits). A rule
 * or engine failure (a bug) is recorded, never thrown: losing the batch would be worse than missing its
 * detections.
 */
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
    const compact = compactHits(hits, options.correlationReads);
    result.hits = compact.hits;
    if (compact.groups.length > 0) result.hitGroups = compact.groups;
  } catch (error) {
    result.hits = [];
    delete result.hitGroups;
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
  if (detectionPayloads(options)) detect(result, options, identity, events, batch.host);
  return { ok: true, ...result };
}
