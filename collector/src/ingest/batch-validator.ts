import { inosec, type EventBatch } from '@inosec/protos';

const Reason = inosec.v1.PushRejection.Reason;

/** Who sent a batch, as the transport authenticated it (mTLS certificate, NATS subject and credentials). */
export interface AgentIdentity {
  agentId: string;
  tenantId: string;
}

export interface ValidationLimits {
  /** Most events in one batch. */
  maxEvents: number;
  /** How far in the past an event time may be, in microseconds (the retention: older rows would be dropped). */
  maxPastUs: number;
  /** How far ahead of the collector's clock an event time may be, in microseconds. */
  maxFutureUs: number;
}

export const DEFAULT_LIMITS: ValidationLimits = {
  maxEvents: 50_000,
  maxPastUs: 30 * 86_400_000_000,
  maxFutureUs: 86_400_000_000,
};

export interface BatchRejection {
  reason: inosec.v1.PushRejection.Reason;
  /** Short machine-friendly code for metrics and logs: agent_mismatch, invalid_seq, invalid_time, ... */
  code: string;
  message: string;
  eventIndex?: number;
}

export interface ValidatedBatch {
  firstSeq: number;
  lastSeq: number;
  /** Events whose tenant_id the agent had set to something else: overwritten, counted, logged. */
  tenantOverwritten: number;
}

export type ValidationResult = ({ ok: true } & ValidatedBatch) | ({ ok: false } & BatchRejection);

function reject(
  reason: inosec.v1.PushRejection.Reason,
  code: string,
  message: string,
  eventIndex?: number,
): ValidationResult {
  return eventIndex === undefined
    ? { ok: false, reason, code, message }
    : { ok: false, reason, code, message, eventIndex };
}

function iso(unixUs: number): string {
  const date = new Date(unixUs / 1000);
  return Number.isNaN(date.getTime()) ? String(unixUs) : date.toISOString();
}

/**
 * Checks a decoded batch against the sender's authenticated identity and the collector's limits, and
 * normalises it in place: every event gets the identity's tenant (whatever the agent put there: tenant
 * identity never comes from the payload), the batch host when it has none, and an observed time.
 * A batch is accepted or refused as a whole; the first offending event is named.
 */
export function validateBatch(
  batch: EventBatch,
  identity: AgentIdentity,
  nowUs: number,
  limits: ValidationLimits = DEFAULT_LIMITS,
): ValidationResult {
  if (batch.agentId !== identity.agentId) {
    return reject(
      Reason.REASON_AGENT_MISMATCH,
      'agent_mismatch',
      `batch agent_id "${batch.agentId}" is not the authenticated agent "${identity.agentId}"`,
    );
  }
  const events = batch.events;
  if (events.length === 0)
    return reject(Reason.REASON_INVALID_EVENT, 'empty_batch', 'the batch has no events');
  if (events.length > limits.maxEvents) {
    return reject(
      Reason.REASON_TOO_LARGE,
      'too_many_events',
      `${events.length} events in one batch; at most ${limits.maxEvents} are accepted`,
    );
  }
  const firstSeq = batch.firstSeq;
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1) {
    return reject(Reason.REASON_INVALID_SEQ, 'invalid_seq', `first_seq ${firstSeq} must be 1 or more`);
  }
  const earliest = nowUs - limits.maxPastUs;
  const latest = nowUs + limits.maxFutureUs;
  let tenantOverwritten = 0;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as inosec.v1.Event;
    const expected = firstSeq + i;
    if (event.seq !== expected) {
      return reject(
        Reason.REASON_INVALID_SEQ,
        'invalid_seq',
        `events[${i}]: seq ${event.seq}, expected ${expected} (first_seq ${firstSeq} + ${i})`,
        i,
      );
    }
    if (event.agentId !== '' && event.agentId !== identity.agentId) {
      return reject(
        Reason.REASON_AGENT_MISMATCH,
        'agent_mismatch',
        `events[${i}]: agent_id "${event.agentId}" is not the authenticated agent "${identity.agentId}"`,
        i,
      );
    }
    if (event.payload === undefined) {
      return reject(Reason.REASON_INVALID_EVENT, 'no_payload', `events[${i}]: no payload`, i);
    }
    const time = event.timeUnixUs;
    if (!time)
      return reject(Reason.REASON_INVALID_EVENT, 'no_time', `events[${i}]: time_unix_us is not set`, i);
    if (time < earliest || time > latest) {
      const days = Math.round(Math.abs(time - nowUs) / 86_400_000_000);
      return reject(
        Reason.REASON_INVALID_EVENT,
        'invalid_time',
        `events[${i}]: time ${iso(time)} is ${days} days ${time < nowUs ? 'behind' : 'ahead of'} the collector clock (${iso(nowUs)}); accepted: ${limits.maxPastUs / 86_400_000_000} days back to ${limits.maxFutureUs / 3_600_000_000} h ahead`,
        i,
      );
    }
    if (event.payload === 'metric' && (!event.metric?.name || !Number.isFinite(event.metric.value))) {
      return reject(
        Reason.REASON_INVALID_EVENT,
        'invalid_metric',
        `events[${i}]: a metric needs a name and a finite value`,
        i,
      );
    }
    if (event.tenantId !== identity.tenantId) {
      if (event.tenantId !== '') tenantOverwritten++;
      event.tenantId = identity.tenantId;
    }
    event.agentId = identity.agentId;
    if (!event.observedTimeUnixUs) event.observedTimeUnixUs = time;
    if (event.host == null && batch.host != null) event.host = batch.host;
  }
  return { ok: true, firstSeq, lastSeq: firstSeq + events.length - 1, tenantOverwritten };
}
