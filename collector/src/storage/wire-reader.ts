import { isUtf8 } from 'node:buffer';

// Reading protobuf wire format in place, for the ingest fast path (wire-event-rows.ts): varints as numbers,
// length-delimited fields as byte ranges of the batch. Anything the fast path does not handle exactly as the
// generated decoder would throws NotCanonical, and the caller takes the generated decoder's path instead.

/** The fast path gives up on this input (the generated decoder handles it, or refuses it with a reason). */
export class NotCanonical extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;

const TWO_32 = 4_294_967_296;

/** A cursor over one message's bytes: `pos` advances, `end` bounds it. */
export class WireCursor {
  pos: number;
  end: number;

  constructor(
    readonly src: Uint8Array,
    start: number,
    end: number,
  ) {
    this.pos = start;
    this.end = end;
  }

  /**
   * An unsigned varint up to 2^53 − 1 as a number. Longer values (negative int64s, uint64s past 2^53) throw:
   * JavaScript numbers cannot carry them exactly.
   */
  varint(): number {
    const src = this.src;
    let pos = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (pos >= this.end) throw new NotCanonical('truncated varint');
      const byte = src[pos++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos;
        if (value > Number.MAX_SAFE_INTEGER) throw new NotCanonical('varint past 2^53');
        return value;
      }
      scale *= 128;
    }
    throw new NotCanonical('varint past 2^53');
  }

  /** An int32 field: the low 32 bits of a varint of up to 10 bytes, signed (negative int32s take 10). */
  int32(): number {
    const src = this.src;
    let pos = this.pos;
    let low = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= this.end) throw new NotCanonical('truncated varint');
      const byte = src[pos++] as number;
      if (shift < 32) low |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return low | 0;
      }
    }
    throw new NotCanonical('varint over 10 bytes');
  }

  /** A uint32 field: a varint that must fit 32 bits. */
  uint32(): number {
    const value = this.varint();
    if (value >= TWO_32) throw new NotCanonical('uint32 out of range');
    return value;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new NotCanonical('truncated double');
    const src = this.src;
    const value = new DataView(src.buffer, src.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return value;
  }

  /** A length-delimited field: returns its end (its bytes are pos..end); pos is left at its start. */
  length(): number {
    const size = this.varint();
    const end = this.pos + size;
    if (end > this.end) throw new NotCanonical('length past the end');
    return end;
  }
}

/** True when bytes src[start, end) are valid UTF-8 (an ASCII scan first: most telemetry strings are ASCII). */
export function isValidUtf8(src: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((src[i] as number) >= 0x80) return isUtf8(src.subarray(start, end));
  return true;
}
