import { decodeMessage, type DecodeOptions } from './decode.js';
import { Alert, Event, EventBatch, Policy, PushAck, SignedPolicy } from './gen/messages.js';

// Typed shorthands of decodeMessage for the messages that cross a trust boundary most often. Each throws
// ProtoTooLargeError / ProtoDecodeError as decodeMessage does; the default limit is MAX_BATCH_BYTES.

/** Decodes an EventBatch (collector ingest, JetStream consumer). */
export function decodeEventBatch(bytes: Uint8Array, options?: DecodeOptions): EventBatch {
  return decodeMessage(EventBatch, bytes, options);
}

/** Decodes a single Event (spool records). */
export function decodeEvent(bytes: Uint8Array, options?: DecodeOptions): Event {
  return decodeMessage(Event, bytes, options);
}

/** Decodes a PushAck (agent side of IngestService.Push over NATS request/reply). */
export function decodePushAck(bytes: Uint8Array, options?: DecodeOptions): PushAck {
  return decodeMessage(PushAck, bytes, options);
}

/** Decodes an Alert (bus between collector and control plane). */
export function decodeAlert(bytes: Uint8Array, options?: DecodeOptions): Alert {
  return decodeMessage(Alert, bytes, options);
}

/** Decodes a SignedPolicy envelope. Verify its signature before decoding `policy` with decodePolicy. */
export function decodeSignedPolicy(bytes: Uint8Array, options?: DecodeOptions): SignedPolicy {
  return decodeMessage(SignedPolicy, bytes, options);
}

/** Decodes the Policy bytes of a SignedPolicy, after the signature over exactly these bytes verified. */
export function decodePolicy(bytes: Uint8Array, options?: DecodeOptions): Policy {
  return decodeMessage(Policy, bytes, options);
}
