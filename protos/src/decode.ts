import protobuf from 'protobufjs/minimal.js';
import { Int64RangeError, ProtoDecodeError, ProtoTooLargeError, toProtoDecodeError } from './decode-error.js';

/**
 * Default upper bound of an encoded message accepted by the decode helpers: 4 MiB, which is also gRPC's
 * default maximum receive message size. An EventBatch of 1,000 typical events is about 0.5 MB
 * (bench/codec.bench.ts).
 */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface DecodeOptions {
  /** Inputs larger than this are refused with ProtoTooLargeError before decoding. Default MAX_BATCH_BYTES. */
  maxBytes?: number;
}

/** The outcome of a decode that does not throw. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: ProtoDecodeError };

/** What the decode helpers need from a generated message class (e.g. `EventBatch`). */
export interface ProtoMessageType<Properties, Message> {
  encode(message: Properties, writer?: protobuf.Writer): protobuf.Writer;
  decode(reader: protobuf.Reader | Uint8Array, length?: number): Message;
  getTypeUrl(prefix?: string): string;
}

/** Full protobuf name of a generated message class: `inosec.v1.EventBatch`. */
export function messageTypeName(type: Pick<ProtoMessageType<never, unknown>, 'getTypeUrl'>): string {
  return type.getTypeUrl('').replace(/^\//, '');
}

const INT64_READS = ['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'] as const;
type Int64ReadName = (typeof INT64_READS)[number];
type Int64Read = (this: protobuf.Reader) => number;
interface LongLike {
  toNumber(): number;
}

function toSafeInteger(value: unknown, offset: number): number {
  // The generated module disables Long, so protobufjs returns numbers; accept a Long all the same in case
  // something re-enabled it, so callers always get numbers.
  const number = typeof value === 'object' && value !== null ? (value as LongLike).toNumber() : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw new Int64RangeError(offset);
  return number;
}

/**
 * 64-bit reads that refuse values a JS number cannot hold exactly instead of rounding them. Installed on each
 * reader the helpers create; they call protobufjs' own read, looked up when called (protobufjs' configure()
 * replaces those methods).
 */
const SAFE_INT64_READS = Object.fromEntries(
  INT64_READS.map((name): [Int64ReadName, Int64Read] => [
    name,
    function (this: protobuf.Reader) {
      const value: unknown = protobuf.Reader.prototype[name].call(this);
      return toSafeInteger(value, this.pos);
    },
  ]),
) as Record<Int64ReadName, Int64Read>;

function createReader(bytes: Uint8Array): protobuf.Reader {
  return Object.assign(protobuf.Reader.create(bytes), SAFE_INT64_READS);
}

/**
 * Decodes `bytes` as `type`. Throws ProtoTooLargeError when the input exceeds `maxBytes` (checked first) and
 * ProtoDecodeError, with a precise reason and protobufjs' error as `cause`, for anything that is not a valid
 * encoding: truncation, bad wire types or tags, length prefixes past the end, invalid UTF-8, 64-bit values
 * beyond Number.MAX_SAFE_INTEGER. It never throws anything else. Unknown fields (added by a newer schema) are
 * skipped, as proto3 requires.
 */
export function decodeMessage<Message>(
  type: ProtoMessageType<never, Message>,
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Message {
  const name = messageTypeName(type);
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtoDecodeError({
      messageType: name,
      byteLength: 0,
      reason: 'not_bytes',
      detail: typeof bytes,
    });
  }
  const maxBytes = options.maxBytes ?? MAX_BATCH_BYTES;
  if (bytes.byteLength > maxBytes) throw new ProtoTooLargeError(name, bytes.byteLength, maxBytes);
  const reader = createReader(bytes);
  try {
    return type.decode(reader);
  } catch (error) {
    throw toProtoDecodeError(error, name, bytes.byteLength, Math.min(reader.pos, bytes.byteLength));
  }
}

/** decodeMessage that returns the ProtoDecodeError instead of throwing it. */
export function tryDecodeMessage<Message>(
  type: ProtoMessageType<never, Message>,
  bytes: Uint8Array,
  options?: DecodeOptions,
): DecodeResult<Message> {
  try {
    return { ok: true, value: decodeMessage(type, bytes, options) };
  } catch (error) {
    if (error instanceof ProtoDecodeError) return { ok: false, error };
    throw error;
  }
}

/** Encodes a message (class instance or plain properties object) to bytes. */
export function encodeMessage<Properties>(
  type: ProtoMessageType<Properties, unknown>,
  message: Properties,
): Uint8Array {
  return type.encode(message).finish();
}
