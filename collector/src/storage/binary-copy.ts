// PostgreSQL's binary COPY format, written straight into one growing buffer: a row is a 16-bit field count,
// then per field a 32-bit length (-1 for NULL) and the value in the type's binary send format. The server does
// no text parsing (dates, numbers, uuids, addresses, escapes): measured at 1.6–1.9x the rows/s of text COPY
// for the telemetry tables (docs/benchmarks.md). NUL cannot be stored in text or json at all: it is replaced
// by U+FFFD (the only lossy step, for a character no log line legitimately has).
import { isUtf8 } from 'node:buffer';
import { isIPv4 } from 'node:net';

/** The 19-byte header every binary COPY stream starts with: signature, flags 0, no extension area. */
export const COPY_BINARY_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/** The trailer that ends the stream: a field count of -1. */
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC). */
const PG_EPOCH_US = 946_684_800_000_000;

/** PostgreSQL's inet address families in its binary format (PGSQL_AF_INET / PGSQL_AF_INET6). */
const PGSQL_AF_INET = 2;
const PGSQL_AF_INET6 = 3;

const HEX = /^[0-9a-f]{32}$/i;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** The characters JSON.stringify escapes with one letter: ", \\, and the control characters \b \t \n \f \r. */
const JSON_SHORT_ESCAPES: Array<number | undefined> = [];
JSON_SHORT_ESCAPES[0x22] = 0x22;
JSON_SHORT_ESCAPES[0x5c] = 0x5c;
JSON_SHORT_ESCAPES[0x08] = 0x62;
JSON_SHORT_ESCAPES[0x09] = 0x74;
JSON_SHORT_ESCAPES[0x0a] = 0x6e;
JSON_SHORT_ESCAPES[0x0c] = 0x66;
JSON_SHORT_ESCAPES[0x0d] = 0x72;
/** A JSON \u0000 escape: not itself escaped (an even run of backslashes before it). */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** Rows of one table as they cross between threads. */
export interface BinaryRowsParts {
  bytes: Uint8Array;
  /** Byte offset of each row in `bytes`. */
  starts: Float64Array<ArrayBuffer>;
  /** The seq of the event each row holds. */
  seqs: Float64Array<ArrayBuffer>;
}

/**
 * Rows of one table in binary COPY format, without the header and trailer, so that the bodies of several
 * batches can be sent as one COPY. Values are appended field by field after `row(fieldCount)`.
 */
export class BinaryRows {
  private buffer: Buffer;
  private offset = 0;
  /** Where each row starts, and the seq of the event it holds (to select rows of a partly stored batch). */
  private readonly starts: number[] = [];
  private readonly seqs: number[] = [];
  private lastUuidText = '';
  private lastUuid = Buffer.alloc(16);

  // Never from Node's shared buffer pool: the memory is this writer's alone, so it can be transferred to
  // another thread (toParts).
  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Rows received from another thread (see toParts). */
  static fromParts(parts: BinaryRowsParts): BinaryRows {
    const rows = new BinaryRows(0);
    rows.buffer = Buffer.from(parts.bytes.buffer, parts.bytes.byteOffset, parts.bytes.byteLength);
    rows.offset = parts.bytes.byteLength;
    for (let i = 0; i < parts.starts.length; i++) {
      rows.starts.push(parts.starts[i] as number);
      rows.seqs.push(parts.seqs[i] as number);
    }
    return rows;
  }

  /**
   * The rows as transferable parts, and the memory to transfer with them (postMessage's transfer list): no
   * copy of the bytes. The writer must not be used after.
   */
  toParts(): { parts: BinaryRowsParts; transfer: ArrayBuffer[] } {
    const parts: BinaryRowsParts = {
      bytes: new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.offset),
      starts: new Float64Array(this.starts),
      seqs: new Float64Array(this.seqs),
    };
    // allocUnsafeSlow memory is a plain ArrayBuffer (never shared).
    return { parts, transfer: [this.buffer.buffer as ArrayBuffer, parts.starts.buffer, parts.seqs.buffer] };
  }

  /** Bytes written so far. */
  get byteLength(): number {
    return this.offset;
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.offset + bytes, 1024));
    this.buffer.copy(next, 0, 0, this.offset);
    this.buffer = next;
  }

  /** Rows written. */
  get count(): number {
    return this.starts.length;
  }

  /** Starts a row of `fields` values, holding the event with seq `seq`. */
  row(fields: number, seq = 0): this {
    this.ensure(2);
    this.starts.push(this.offset);
    this.seqs.push(seq);
    this.buffer.writeInt16BE(fields, this.offset);
    this.offset += 2;
    return this;
  }

  null(): this {
    this.ensure(4);
    this.buffer.writeInt32BE(-1, this.offset);
    this.offset += 4;
    return this;
  }

  /** text (or json): UTF-8 bytes; NULL for undefined, null and the empty string. */
  text(value: string | null | undefined): this {
    if (value === undefined || value === null || value === '') return this.null();
    const text = value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
    this.ensure(4 + text.length * 3);
    const written = this.buffer.write(text, this.offset + 4);
    this.buffer.writeInt32BE(written, this.offset);
    this.offset += 4 + written;
    return this;
  }

  /**
   * json: the value's JSON text. JSON.stringify never emits raw control characters, but NUL in a string or
   * key becomes the escape \u0000, which PostgreSQL's json operators refuse: it is rewritten to \uFFFD
   * (an escape is a backslash preceded by an even number of backslashes; rare, so the fast path is a
   * substring test).
   */
  json(value: unknown): this {
    const json = JSON.stringify(value);
    return this.text(json.includes('\\u0000') ? json.replace(NUL_ESCAPE, '$1\\uFFFD') : json);
  }

  /** int4; NULL for undefined and null. */
  int4(value: number | null | undefined): this {
    if (value === undefined || value === null) return this.null();
    this.ensure(8);
    this.buffer.writeInt32BE(4, this.offset);
    this.buffer.writeInt32BE(value | 0, this.offset + 4);
    this.offset += 8;
    return this;
  }

  /** int4 for fields the contracts leave at 0 when unknown (pid, port): NULL for 0. */
  int4NonZero(value: number | null | undefined): this {
    return value ? this.int4(value) : this.null();
  }

  /** int8 from a safe integer; NULL for undefined, null and non-integers. */
  int8(value: number | null | undefined): this {
    if (value === undefined || value === null || !Number.isSafeInteger(value)) return this.null();
    this.ensure(12);
    // Two 32-bit halves: no BigInt per value. Math.floor keeps two's complement for negative values.
    const high = Math.floor(value / 4_294_967_296);
    this.buffer.writeInt32BE(8, this.offset);
    this.buffer.writeInt32BE(high, this.offset + 4);
    this.buffer.writeUInt32BE(value - high * 4_294_967_296, this.offset + 8);
    this.offset += 12;
    return this;
  }

  /** float8; NULL for undefined, null and non-finite values. */
  float8(value: number | null | undefined): this {
    if (value === undefined || value === null || !Number.isFinite(value)) return this.null();
    this.ensure(12);
    this.buffer.writeInt32BE(8, this.offset);
    this.buffer.writeDoubleBE(value, this.offset + 4);
    this.offset += 12;
    return this;
  }

  /** timestamptz from microseconds since the Unix epoch. */
  timestamp(unixUs: number): this {
    return this.int8(unixUs - PG_EPOCH_US);
  }

  /** uuid from its text form (the same tenant repeats through a batch, so the last one is cached). */
  uuid(value: string): this {
    if (value !== this.lastUuidText) {
      const hex = value.replaceAll('-', '');
      if (!HEX.test(hex)) throw new TypeError(`not a uuid: ${value}`);
      this.lastUuid = Buffer.from(hex, 'hex');
      this.lastUuidText = value;
    }
    this.ensure(20);
    this.buffer.writeInt32BE(16, this.offset);
    this.lastUuid.copy(this.buffer, this.offset + 4);
    this.offset += 20;
    return this;
  }

  /** inet from an IPv4 or IPv6 address; NULL when the text is not one (a zone id included). */
  inet(ip: string | null | undefined): this {
    if (!ip) return this.null();
    if (isIPv4(ip)) {
      this.ensure(12);
      const b = this.buffer;
      const o = this.offset;
      b.writeInt32BE(8, o);
      b[o + 4] = PGSQL_AF_INET;
      b[o + 5] = 32;
      b[o + 6] = 0;
      b[o + 7] = 4;
      writeIPv4(ip, b, o + 8);
      this.offset += 12;
      return this;
    }
    const address = parseIPv6(ip);
    if (!address) return this.null();
    this.ensure(24);
    const b = this.buffer;
    const o = this.offset;
    b.writeInt32BE(20, o);
    b[o + 4] = PGSQL_AF_INET6;
    b[o + 5] = 128;
    b[o + 6] = 0;
    b[o + 7] = 16;
    address.copy(b, o + 8);
    this.offset += 24;
    return this;
  }

  /** The rows written so far: a view of the buffer, valid until the next write. */
  // Low-level writes for encoders that copy bytes straight from a protobuf message (wire-event-rows.ts):
  // no string is decoded or re-encoded on that path.

  /** Empties the buffer for reuse (a scratch buffer). */
  clear(): void {
    this.offset = 0;
    this.starts.length = 0;
    this.seqs.length = 0;
  }

  /** Where the next row would start: pass it to rollback() to undo the rows written after it. */
  mark(): number {
    return this.starts.length;
  }

  /** Drops the rows written since mark() (an event the fast path gave up on half-way). */
  rollback(mark: number): void {
    if (mark >= this.starts.length) return;
    this.offset = this.starts[mark] as number;
    this.starts.length = mark;
    this.seqs.length = mark;
  }

  /** Starts a field whose value follows; endField() writes its length. Returns the length's position. */
  beginField(): number {
    this.ensure(4);
    const at = this.offset;
    this.offset += 4;
    return at;
  }

  endField(at: number): this {
    this.buffer.writeInt32BE(this.offset - at - 4, at);
    return this;
  }

  /** Appends raw bytes (ASCII text already escaped for its context). */
  put(bytes: Uint8Array): this {
    const length = bytes.length;
    this.ensure(length);
    if (length > 32) this.buffer.set(bytes, this.offset);
    else {
      // A loop beats set() on the short keys and fields this is mostly called with.
      const b = this.buffer;
      const o = this.offset;
      for (let i = 0; i < length; i++) b[o + i] = bytes[i] as number;
    }
    this.offset += length;
    return this;
  }

  putByte(byte: number): this {
    this.ensure(1);
    this.buffer[this.offset++] = byte;
    return this;
  }

  /** Appends a string of ASCII characters (numbers, keys): one byte each. */
  putAscii(text: string): this {
    this.ensure(text.length);
    this.offset += this.buffer.write(text, this.offset, 'latin1');
    return this;
  }

  /**
   * A text field from UTF-8 bytes (a protobuf string), NULL when empty; NUL becomes U+FFFD as in text().
   * The caller has checked the bytes are valid UTF-8.
   */
  textBytes(src: Uint8Array, start: number, end: number): this {
    if (start >= end) return this.null();
    this.ensure(4 + (end - start) * 3);
    const b = this.buffer;
    let o = this.offset + 4;
    for (let i = start; i < end; i++) {
      const c = src[i] as number;
      if (c === 0) {
        b[o++] = 0xef;
        b[o++] = 0xbf;
        b[o++] = 0xbd;
      } else b[o++] = c;
    }
    b.writeInt32BE(o - this.offset - 4, this.offset);
    this.offset = o;
    return this;
  }

  /** The rows-less bytes of another writer appended (a scratch buffer's JSON). */
  putFrom(other: BinaryRows): this {
    this.ensure(other.offset);
    other.buffer.copy(this.buffer, this.offset, 0, other.offset);
    this.offset += other.offset;
    return this;
  }

  /**
   * An inet field from the bytes of an address string: a dotted IPv4 address is read from the bytes (what
   * isIPv4 accepts: four decimal octets 0-255 without leading zeros), anything else goes through inet().
   */
  inetBytes(src: Uint8Array, start: number, end: number): this {
    if (start >= end) return this.null();
    this.ensure(12);
    const b = this.buffer;
    const o = this.offset;
    let octet = 0;
    let value = 0;
    let digits = 0;
    let i = start;
    for (; i < end; i++) {
      const c = src[i] as number;
      if (c >= 48 && c <= 57) {
        if (digits === 1 && value === 0) break; // a leading zero
        value = value * 10 + (c - 48);
        if (++digits > 3 || value > 255) break;
      } else if (c === 46 && digits > 0 && octet < 3) {
        b[o + 8 + octet++] = value;
        value = 0;
        digits = 0;
      } else break;
    }
    if (i < end || octet !== 3 || digits === 0) {
      return this.inet(Buffer.from(src.buffer, src.byteOffset + start, end - start).toString('latin1'));
    }
    b[o + 11] = value;
    b.writeInt32BE(8, o);
    b[o + 4] = PGSQL_AF_INET;
    b[o + 5] = 32;
    b[o + 6] = 0;
    b[o + 7] = 4;
    this.offset += 12;
    return this;
  }

  /**
   * A JSON string from UTF-8 bytes, quoted and escaped exactly as JSON.stringify escapes the decoded
   * string (then NUL as \uFFFD, as json() does). Returns false when the bytes are not valid UTF-8.
   */
  putJsonString(src: Uint8Array, start: number, end: number): boolean {
    this.ensure(2 + (end - start) * 6);
    const b = this.buffer;
    let o = this.offset;
    let high = 0;
    b[o++] = 0x22;
    for (let i = start; i < end; i++) {
      const c = src[i] as number;
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
        b[o++] = c;
        high |= c;
        continue;
      }
      b[o++] = 0x5c;
      const short = JSON_SHORT_ESCAPES[c];
      if (short !== undefined) b[o++] = short;
      else if (c === 0) o += b.write('uFFFD', o, 'latin1');
      else {
        b[o++] = 0x75; // u00XX, lower-case hex as JSON.stringify writes it
        b[o++] = 0x30;
        b[o++] = 0x30;
        b[o++] = HEX_DIGITS[c >> 4] as number;
        b[o++] = HEX_DIGITS[c & 15] as number;
      }
    }
    if (high >= 0x80 && !isUtf8(src.subarray(start, end))) return false;
    b[o++] = 0x22;
    this.offset = o;
    return true;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  /** The rows whose seq `keep` accepts, in order, and how many they are. */
  select(keep: (seq: number) => boolean): { bytes: Buffer; count: number } {
    const parts: Buffer[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      if (!keep(this.seqs[i] as number)) continue;
      parts.push(this.buffer.subarray(this.starts[i], this.starts[i + 1] ?? this.offset));
    }
    return { bytes: Buffer.concat(parts), count: parts.length };
  }
}

function writeIPv4(ip: string, target: Buffer, offset: number): void {
  let part = 0;
  let value = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      target[offset + part++] = value;
      value = 0;
    } else value = value * 10 + (c - 48);
  }
  target[offset + part] = value;
}

/**
 * The 16 bytes of an IPv6 address (with `::` and an embedded IPv4 tail), or undefined when `ip` is not a
 * plain IPv6 address. Zone ids (`fe80::1%eth0`) have no inet form: undefined.
 */
export function parseIPv6(ip: string): Buffer | undefined {
  if (ip.length < 2 || ip.length > 45 || ip.includes('%')) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === '') return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i === parts.length - 1 && part.includes('.')) {
        if (!isIPv4(part)) return undefined;
        const v4 = Buffer.alloc(4);
        writeIPv4(part, v4, 0);
        out.push((v4[0] as number) * 256 + (v4[1] as number), (v4[2] as number) * 256 + (v4[3] as number));
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(part)) return undefined;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return undefined;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = Buffer.alloc(16);
  words.forEach((word, i) => bytes.writeUInt16BE(word, i * 2));
  return bytes;
}
