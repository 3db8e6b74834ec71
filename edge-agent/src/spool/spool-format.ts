import { crc32 } from 'node:zlib';

/**
 * On-disk format of a spool segment (all integers little-endian):
 *
 * - header, 16 bytes: magic `INSP` (4) | u16 version (= 1) | u16 header length (= 16) | u64 base seq
 *   (the seq of the segment's first record, also the file name);
 * - then records, each: u32 payload length | u32 crc32 of (seq bytes + payload) | u64 seq | payload.
 *
 * The seq of each record is the previous one plus one, starting at the base seq; a record that breaks
 * this, fails its CRC or runs past the end of the file ends the segment's valid data.
 */
export const SEGMENT_MAGIC = Buffer.from('INSP', 'latin1');
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 16;
export const SEGMENT_SUFFIX = '.seg';

const SEGMENT_NAME = /^(\d{20})\.seg$/;
const TWO_POW_32 = 0x1_0000_0000;

/** The file name of the segment whose first record has `baseSeq`: 20 zero-padded digits + `.seg`. */
export function segmentFileName(baseSeq: number): string {
  return `${String(baseSeq).padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

/** The base seq a segment file name encodes, or undefined for any other file name. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (!match?.[1]) return undefined;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}

/** The 16-byte header of a segment whose first record has `baseSeq`. */
export function encodeSegmentHeader(baseSeq: number): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeUInt16LE(SEGMENT_VERSION, 4);
  header.writeUInt16LE(SEGMENT_HEADER_BYTES, 6);
  writeSeq(header, 8, baseSeq);
  return header;
}

export type HeaderCheck =
  { ok: true } | { ok: false; reason: 'short' | 'magic' | 'version' | 'base_seq'; detail: string };

/** Checks a segment header against the base seq its file name promises. */
export function checkSegmentHeader(header: Buffer, baseSeq: number): HeaderCheck {
  if (header.length < SEGMENT_HEADER_BYTES) {
    return { ok: false, reason: 'short', detail: `header is ${header.length} bytes` };
  }
  if (!header.subarray(0, 4).equals(SEGMENT_MAGIC))
    return { ok: false, reason: 'magic', detail: 'bad magic' };
  const version = header.readUInt16LE(4);
  const headerBytes = header.readUInt16LE(6);
  if (version !== SEGMENT_VERSION || headerBytes !== SEGMENT_HEADER_BYTES) {
    return {
      ok: false,
      reason: 'version',
      detail: `unknown version ${version} (header ${headerBytes} bytes)`,
    };
  }
  const seq = readSeq(header, 8);
  if (seq !== baseSeq) return { ok: false, reason: 'base_seq', detail: `header base seq ${seq}` };
  return { ok: true };
}

/** Writes a seq (a safe integer) as u64 little-endian. */
export function writeSeq(buffer: Buffer, offset: number, seq: number): void {
  buffer.writeUInt32LE(seq % TWO_POW_32, offset);
  buffer.writeUInt32LE(Math.floor(seq / TWO_POW_32), offset + 4);
}

/** Reads a u64 little-endian seq; values past 2^53 come back unsafe and never match an expected seq. */
export function readSeq(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset) + buffer.readUInt32LE(offset + 4) * TWO_POW_32;
}

/**
 * Frames payloads as consecutive records starting at `firstSeq` into one buffer, so that a batch is one write.
 */
export function frameRecords(payloads: readonly Uint8Array[], firstSeq: number): Buffer {
  let total = 0;
  for (const payload of payloads) total += RECORD_HEADER_BYTES + payload.length;
  const frame = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < payloads.length; i++) {
    const payload = payloads[i] as Uint8Array;
    frame.writeUInt32LE(payload.length, offset);
    writeSeq(frame, offset + 8, firstSeq + i);
    frame.set(payload, offset + RECORD_HEADER_BYTES);
    const end = offset + RECORD_HEADER_BYTES + payload.length;
    frame.writeUInt32LE(crc32(frame.subarray(offset + 8, end)), offset + 4);
    offset = end;
  }
  return frame;
}

/** One record parsed out of a buffer. */
export interface ParsedRecord {
  seq: number;
  /** A view into the parsed buffer (no copy). */
  payload: Buffer;
  /** Record length on disk, header included. */
  size: number;
}

export type ParseResult =
  | { kind: 'record'; record: ParsedRecord }
  /** The buffer ends inside this record: `needed` bytes from `offset` would hold it whole. */
  | { kind: 'partial'; needed: number }
  | { kind: 'invalid'; reason: string };

/**
 * Parses the record at `offset` of `buffer` (which holds file bytes up to at least its end unless
 * `partial` comes back), checking length bound, seq continuity and CRC.
 */
export function parseRecord(
  buffer: Buffer,
  offset: number,
  expectedSeq: number,
  maxRecordBytes: number,
): ParseResult {
  const available = buffer.length - offset;
  if (available < RECORD_HEADER_BYTES) return { kind: 'partial', needed: RECORD_HEADER_BYTES };
  const length = buffer.readUInt32LE(offset);
  if (length > maxRecordBytes) return { kind: 'invalid', reason: `length ${length} over maxRecordBytes` };
  const seq = readSeq(buffer, offset + 8);
  if (seq !== expectedSeq) return { kind: 'invalid', reason: `seq ${seq} where ${expectedSeq} was expected` };
  const size = RECORD_HEADER_BYTES + length;
  if (available < size) return { kind: 'partial', needed: size };
  const crc = buffer.readUInt32LE(offset + 4);
  if (crc32(buffer.subarray(offset + 8, offset + size)) !== crc)
    return { kind: 'invalid', reason: 'crc mismatch' };
  return {
    kind: 'record',
    record: { seq, payload: buffer.subarray(offset + RECORD_HEADER_BYTES, offset + size), size },
  };
}
