import protobuf from 'protobufjs/minimal.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mixedEventBatch } from '../test/fixtures.js';
import {
  EventBatch,
  InosecError,
  MAX_BATCH_BYTES,
  ProtoDecodeError,
  ProtoTooLargeError,
  decodeEventBatch,
  decodeMessage,
  encodeMessage,
  tryDecodeMessage,
  type ProtoDecodeReason,
} from './index.js';

function decodeFailure(bytes: Uint8Array, maxBytes?: number): ProtoDecodeError {
  try {
    decodeEventBatch(bytes, maxBytes === undefined ? {} : { maxBytes });
  } catch (error) {
    expect(error).toBeInstanceOf(ProtoDecodeError);
    return error as ProtoDecodeError;
  }
  throw new Error(`decoding ${bytes.length} bytes succeeded`);
}

function expectReason(bytes: Uint8Array, reason: ProtoDecodeReason): ProtoDecodeError {
  const error = decodeFailure(bytes);
  expect(error.reason).toBe(reason);
  expect(error.code).toBe('proto_decode_failed');
  expect(error.messageType).toBe('inosec.v1.EventBatch');
  expect(error.byteLength).toBe(bytes.length);
  expect(error.cause).toBeInstanceOf(Error);
  return error;
}

/** Unsigned LEB128 varint. */
function varint(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return out;
}

/** End offsets of the top-level fields of an encoded message (0 included). */
function fieldBoundaries(bytes: Uint8Array): Set<number> {
  const boundaries = new Set([0]);
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    reader.skipType(tag & 7);
    boundaries.add(reader.pos);
  }
  return boundaries;
}

const smallBatch = encodeMessage(EventBatch, mixedEventBatch(2));

describe('decodeMessage errors', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is a named InosecError subclass with the protobufjs error as cause', () => {
    const error = expectReason(Uint8Array.of(0x0a, 0x05, 0x61, 0x62), 'truncated');
    expect(error).toBeInstanceOf(InosecError);
    expect(error.name).toBe('ProtoDecodeError');
    expect(error.offset).toBe(2);
    expect(error.message).toContain('Cannot decode inosec.v1.EventBatch from 4 bytes');
    expect(error.message).toContain('2 + 5 > 4');
  });

  it('reports a truncated batch at every cut that is not a field boundary', () => {
    const boundaries = fieldBoundaries(smallBatch);
    expect(smallBatch.length).toBeGreaterThan(300);
    let rejected = 0;
    for (let cut = 0; cut < smallBatch.length; cut++) {
      const prefix = smallBatch.subarray(0, cut);
      if (boundaries.has(cut)) {
        expect(() => decodeEventBatch(prefix), `cut at ${cut}`).not.toThrow();
        continue;
      }
      const error = decodeFailure(prefix);
      expect(error.reason, `cut at ${cut}`).toBe('truncated');
      expect(error.byteLength).toBe(cut);
      expect(error.offset).toBeLessThanOrEqual(cut);
      rejected++;
    }
    expect(rejected).toBeGreaterThan(smallBatch.length - 10);
  });

  it('rejects the wire types that do not exist, also inside nested messages', () => {
    expect(expectReason(Uint8Array.of(0x0f), 'invalid_wire_type').offset).toBe(1);
    expectReason(Uint8Array.of(0x0e, 0x01), 'invalid_wire_type');
    // events[0].host = { field 1 with wire type 7 }
    expectReason(Uint8Array.of(0x2a, 0x03, 0x2a, 0x01, 0x0f), 'invalid_wire_type');
    expectReason(Uint8Array.of(...smallBatch, 0x0f), 'invalid_wire_type');
  });

  it('rejects a length prefix that points past the end', () => {
    expectReason(Uint8Array.of(0x0a, 0x05, 0x61, 0x62), 'truncated');
    // events[0] claims 127 bytes, 3 follow.
    expectReason(Uint8Array.of(0x2a, 0x7f, 0x0a, 0x01, 0x61), 'truncated');
    // A length prefix past 32 bits.
    expectReason(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x61), 'invalid_length');
  });

  it('rejects field number 0 and over-long varints', () => {
    expectReason(Uint8Array.of(0x00, 0x01), 'invalid_tag');
    expectReason(Uint8Array.of(0x18, ...new Array<number>(10).fill(0xff), 0x01), 'invalid_varint');
  });

  it('rejects invalid UTF-8 in a string field', () => {
    expectReason(Uint8Array.of(0x0a, 0x02, 0xc3, 0x28), 'invalid_utf8');
  });

  it('refuses 64-bit values a number cannot hold exactly, accepts the largest one it can', () => {
    const firstSeq = (value: bigint) => Uint8Array.of(0x18, ...varint(value));
    expect(decodeEventBatch(firstSeq(2n ** 53n - 1n)).firstSeq).toBe(Number.MAX_SAFE_INTEGER);
    expectReason(firstSeq(2n ** 53n), 'int64_out_of_range');
    expectReason(firstSeq(2n ** 64n - 1n), 'int64_out_of_range');
  });

  it('refuses an input that is not bytes', () => {
    const error = decodeFailure('not bytes' as unknown as Uint8Array);
    expect(error.reason).toBe('not_bytes');
  });

  it('refuses an oversize buffer before decoding it', () => {
    const decode = vi.spyOn(EventBatch, 'decode');
    const error = decodeFailure(new Uint8Array(MAX_BATCH_BYTES + 1));
    expect(error).toBeInstanceOf(ProtoTooLargeError);
    expect(error.code).toBe('proto_too_large');
    expect(error.reason).toBe('too_large');
    expect((error as ProtoTooLargeError).maxBytes).toBe(MAX_BATCH_BYTES);
    expect(decode).not.toHaveBeenCalled();
  });

  it('applies a caller limit exactly', () => {
    expect(decodeEventBatch(smallBatch, { maxBytes: smallBatch.length }).events).toHaveLength(2);
    expect(decodeFailure(smallBatch, smallBatch.length - 1)).toBeInstanceOf(ProtoTooLargeError);
  });

  it('skips fields it does not know (a newer schema), as proto3 requires', () => {
    // field 99, varint 1; field 100, length-delimited "x"
    const newer = Uint8Array.of(...smallBatch, 0x98, 0x06, 0x01, 0xa2, 0x06, 0x01, 0x78);
    expect(decodeEventBatch(newer).events).toHaveLength(2);
  });

  it('tryDecodeMessage returns the error instead of throwing', () => {
    const bad = tryDecodeMessage(EventBatch, Uint8Array.of(0x0f));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.reason).toBe('invalid_wire_type');
    const good = tryDecodeMessage(EventBatch, smallBatch);
    expect(good.ok && good.value.events.length).toBe(2);
  });
});

/** mulberry32: a small seeded PRNG, so a failing mutation can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function mutate(base: Uint8Array, random: () => number): Uint8Array {
  const int = (below: number) => Math.floor(random() * below);
  const bytes = Uint8Array.from(base);
  switch (int(5)) {
    case 0: {
      for (let n = 1 + int(4); n > 0; n--) bytes[int(bytes.length)] = int(256);
      return bytes;
    }
    case 1:
      return bytes.subarray(0, int(bytes.length));
    case 2: {
      const at = int(bytes.length);
      const noise = Array.from({ length: 1 + int(8) }, () => int(256));
      return Uint8Array.of(...bytes.subarray(0, at), ...noise, ...bytes.subarray(at));
    }
    case 3: {
      // Varint continuation bits and length bytes are where decoders go wrong.
      for (let n = 1 + int(3); n > 0; n--) bytes[int(bytes.length)] = [0x80, 0xff, 0x7f, 0x00][int(4)] ?? 0;
      return bytes;
    }
    default:
      return Uint8Array.from({ length: int(64) }, () => int(256));
  }
}

describe('fuzzing the decoder', () => {
  it('throws nothing but ProtoDecodeError on thousands of mutated batches', () => {
    const base = encodeMessage(EventBatch, mixedEventBatch(10));
    const random = prng(0x1b05ec);
    const reasons = new Map<string, number>();
    const unexpected: string[] = [];
    let decoded = 0;
    for (let i = 0; i < 4_000; i++) {
      const input = mutate(base, random);
      try {
        decodeMessage(EventBatch, input);
        decoded++;
      } catch (error) {
        if (error instanceof ProtoDecodeError)
          reasons.set(error.reason, (reasons.get(error.reason) ?? 0) + 1);
        else unexpected.push(`iteration ${i}: ${String(error)}`);
      }
    }
    expect(unexpected).toEqual([]);
    expect(decoded).toBeGreaterThan(0);
    expect(reasons.get('truncated')).toBeGreaterThan(100);
    expect(reasons.size).toBeGreaterThanOrEqual(4);
  });
});
