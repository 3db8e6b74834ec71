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
  const writer = EventBatch.encode({
    agentId: header.agentId,
    batchId: header.batchId,
    firstSeq: header.firstSeq,
    sentTimeUnixUs: header.sentTimeUnixUs,
    host: header.host ?? null,
  });
  for (const event of events) writer.uint32(EVENTS_TAG).bytes(event);
  return writer.finish();
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
