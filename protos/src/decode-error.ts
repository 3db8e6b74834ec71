import { InosecError } from './errors.js';

/** Why bytes could not be decoded as a message. */
export type ProtoDecodeReason =
  /** The buffer ends inside a field, or a length prefix points past its end. */
  | 'truncated'
  /** A tag carries wire type 6 or 7, which do not exist. */
  | 'invalid_wire_type'
  /** A tag is malformed or names field number 0. */
  | 'invalid_tag'
  /** A varint runs longer than 10 bytes. */
  | 'invalid_varint'
  /** A length prefix does not fit in 32 bits. */
  | 'invalid_length'
  /** A group start/end tag does not match (groups are not used by inosec.v1). */
  | 'invalid_group'
  /** A string field is not valid UTF-8. */
  | 'invalid_utf8'
  /** Messages are nested deeper than protobufjs' recursion limit (100). */
  | 'recursion_limit'
  /** A 64-bit integer field holds a value beyond Number.MAX_SAFE_INTEGER, which a number cannot hold exactly. */
  | 'int64_out_of_range'
  /** The input is not a Uint8Array. */
  | 'not_bytes'
  /** The input is larger than the caller's limit (see ProtoTooLargeError). */
  | 'too_large'
  /** Anything else protobufjs refused. */
  | 'malformed';

const REASON_TEXT: Readonly<Record<ProtoDecodeReason, string>> = {
  truncated: 'truncated: a field or a length prefix runs past the end of the buffer',
  invalid_wire_type: 'invalid wire type',
  invalid_tag: 'invalid field tag',
  invalid_varint: 'invalid varint',
  invalid_length: 'invalid length prefix',
  invalid_group: 'mismatched group tags',
  invalid_utf8: 'a string field is not valid UTF-8',
  recursion_limit: 'messages nested too deeply',
  int64_out_of_range: 'a 64-bit integer exceeds Number.MAX_SAFE_INTEGER',
  not_bytes: 'the input is not a Uint8Array',
  too_large: 'the input exceeds the size limit',
  malformed: 'malformed message',
};

export interface ProtoDecodeErrorDetails {
  /** Full protobuf name of the expected message, e.g. `inosec.v1.EventBatch`. */
  messageType: string;
  /** Size of the input in bytes. */
  byteLength: number;
  reason: ProtoDecodeReason;
  /** Byte offset at which decoding stopped, when known. */
  offset?: number | undefined;
  /** What the decoder said, e.g. protobufjs' "index out of range: 812 + 10 > 815". */
  detail?: string | undefined;
}

/**
 * Bytes could not be decoded as the expected protobuf message. Boundaries map it to a rejection of that one
 * message (gRPC INVALID_ARGUMENT, an ingest PushRejection REASON_MALFORMED); the protobufjs error is `cause`.
 */
export class ProtoDecodeError extends InosecError {
  readonly messageType: string;
  readonly byteLength: number;
  readonly reason: ProtoDecodeReason;
  readonly offset: number | undefined;

  constructor(details: ProtoDecodeErrorDetails, options?: ErrorOptions, code = 'proto_decode_failed') {
    const where = details.offset === undefined ? '' : ` at byte ${details.offset}`;
    const detail = details.detail ? ` (${details.detail})` : '';
    super(
      code,
      `Cannot decode ${details.messageType} from ${details.byteLength} bytes: ${REASON_TEXT[details.reason]}${where}${detail}`,
      options,
    );
    this.messageType = details.messageType;
    this.byteLength = details.byteLength;
    this.reason = details.reason;
    this.offset = details.offset;
  }
}

/** The input is larger than the limit; refused before any decoding. Code `proto_too_large`. */
export class ProtoTooLargeError extends ProtoDecodeError {
  readonly maxBytes: number;

  constructor(messageType: string, byteLength: number, maxBytes: number) {
    super(
      { messageType, byteLength, reason: 'too_large', detail: `limit ${maxBytes} bytes` },
      undefined,
      'proto_too_large',
    );
    this.maxBytes = maxBytes;
  }
}

/** Raised by the decoder's 64-bit reads for values a JS number cannot hold exactly. */
export class Int64RangeError extends RangeError {
  constructor(readonly offset: number) {
    super(`64-bit integer ending at byte ${offset} exceeds Number.MAX_SAFE_INTEGER`);
    this.name = 'Int64RangeError';
  }
}

const MESSAGE_REASONS: readonly (readonly [RegExp, ProtoDecodeReason])[] = [
  [/index out of range/, 'truncated'],
  [/invalid wire type/, 'invalid_wire_type'],
  [/illegal tag|invalid tag encoding/, 'invalid_tag'],
  [/invalid varint encoding/, 'invalid_varint'],
  [/invalid length encoding/, 'invalid_length'],
  [/end group/, 'invalid_group'],
  [/max depth exceeded/, 'recursion_limit'],
  [/illegal buffer/, 'not_bytes'],
  [/encoded data was not valid|invalid utf-?8/i, 'invalid_utf8'],
];

/** The reason a protobufjs decode failure stands for; `malformed` when it is not one we know. */
export function classifyDecodeFailure(error: unknown): ProtoDecodeReason {
  if (error instanceof Int64RangeError) return 'int64_out_of_range';
  if (error instanceof Error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return 'invalid_utf8';
    for (const [pattern, reason] of MESSAGE_REASONS) if (pattern.test(error.message)) return reason;
  }
  return 'malformed';
}

/** Wraps whatever protobufjs threw into a ProtoDecodeError, keeping it as `cause`. */
export function toProtoDecodeError(
  error: unknown,
  messageType: string,
  byteLength: number,
  offset: number | undefined,
): ProtoDecodeError {
  const detail = error instanceof Error ? error.message : String(error);
  return new ProtoDecodeError(
    { messageType, byteLength, reason: classifyDecodeFailure(error), offset, detail },
    { cause: error },
  );
}
