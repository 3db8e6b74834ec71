import { EventBatch, type IHost } from './gen/messages.js';

/** The EventBatch fields other than `events`. */
export interface EventBatchHeader {
  agentId: string;
  batchId: string;
  firstSeq: number;
  sentTimeUnixUs: number;
  host?: IHost | null;
}

// EventBatch.events is field 5, length-delimited: tag (5 << 3) | 2.
const EVENTS_TAG = (5 << 3) | 2;

/**
 * Encodes an EventBatch from already-encoded Events (an agent's spool records) without decoding them: the
 * header fields, then each event as a field-5 length-delimited value. Protobuf allows fields in any order,
 * so the result decodes exactly like EventBatch.encode of the same batch.
 */
export function encodeEventBatchBytes(header: EventBatchHeader, events: readonly Uint8Array[]): Uint8Array {
  const head = EventBatch.encode({
    agentId: header.agentId,
    batchId: header.batchId,
    firstSeq: header.firstSeq,
    sentTimeUnixUs: header.sentTimeUnixUs,
    host: header.host ?? null,
  }).finish();
  // One allocation and one copy per event (protobufjs' writer would queue an operation object per field and
  // copy again at the end: garbage an agent draining its spool makes per event).
  let total = head.length;
  for (const event of events) total += eventFieldBytes(event.length);
  const out = Buffer.allocUnsafe(total);
  out.set(head, 0);
  let offset = head.length;
  for (const event of events) {
    out[offset++] = EVENTS_TAG;
    let length = event.length;
    while (length >= 0x80) {
      out[offset++] = (length & 0x7f) | 0x80;
      length = Math.floor(length / 128);
    }
    out[offset++] = length;
    out.set(event, offset);
    offset += event.length;
  }
  return out;
}

/** Bytes one encoded event adds to a batch (tag, length prefix and the event itself). */
export function eventFieldBytes(eventBytes: number): number {
  return 1 + varintLength(eventBytes) + eventBytes;
}

function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}
