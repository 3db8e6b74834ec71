// The ingest fast path against the reference path (generated decoder + validateBatch + encodeBatchRows): the
// same rows byte for byte, or the same refusal, on random events that set every field of every payload, on
// awkward values, and on input only the reference path handles; and its schema against the .proto files.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Event,
  EventBatch,
  encodeEventBatchBytes,
  inosec,
  type IEvent,
  type IEventBatch,
} from '@inosec/protos';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../storage/event-rows.js';
import { WIRE_PAYLOADS, type WireMessage } from '../storage/wire-json.js';
import { encodeIncomingReference, type EncodeResult } from './batch-encoder.js';
import { DEFAULT_LIMITS } from './batch-validator.js';
import { encodeWireBatch } from './wire-batch-encoder.js';

const identity = { agentId: 'wire-agent', tenantId: '5a0c4f1e-8d2b-4c3a-9e7f-1b2d3c4e5f60' };
const nowUs = 1_790_000_000_000_000;
const options = { maxBatchBytes: 16 * 1_048_576, limits: DEFAULT_LIMITS, nowUs };
const PROTO_DIR = path.resolve(fileURLToPath(import.meta.url), '../../../../protos/proto');

/** mulberry32: seeded, so a failing case can be replayed. */
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

const STRINGS = [
  '',
  'a',
  'curl -fsS https://example.com/x?y="z"',
  'tab\there\nnewline\r\u0001\u001f\u007f',
  'back\\slash "quoted"',
  'nul\u0000inside',
  'ünïcödé ✓ 日本語 🚀',
  '\u2028\u2029',
  '10.0.0.7',
  '2001:db8::1',
  '0.0.0.0',
  '255.255.255.255',
  '010.0.0.1',
  '1.2.3',
  '256.1.1.1',
  '1.2.3.4.5',
  '1..2.3',
  '::ffff:10.0.0.1',
  'fe80::1%eth0',
  '1.2.3.4 ',
];

/** A random value for every field of `type` (each field set with probability `fill`). */
function randomMessage(
  type: WireMessage,
  random: () => number,
  depth: number,
  fill: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let oneofTaken = false;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  for (const field of type.fields) {
    if (!field || random() > fill) continue;
    if (field.oneof !== undefined) {
      if (oneofTaken || field.kind === 'bytes') continue;
      oneofTaken = true;
    }
    const one = (): unknown => {
      switch (field.kind) {
        case 'string':
          return pick(STRINGS);
        case 'uint32':
          return pick([0, 1, 22, 65_535, 4_294_967_295]);
        case 'int32':
          return pick([0, 1, -1, 137, -2_147_483_648, 2_147_483_647]);
        case 'uint64':
        case 'int64':
          return pick([0, 1, 1_790_000_000_000_000, Number.MAX_SAFE_INTEGER]);
        case 'double':
          return pick([0, -0, 0.5, -3.25, 1e21, 5e-324, 123_456.789]);
        case 'bool':
          return pick([true, false]);
        case 'enum':
          return Math.floor(random() * (field.values?.length ?? 1));
        case 'message':
          return depth > 3 ? {} : randomMessage(field.message as WireMessage, random, depth + 1, fill);
        case 'map': {
          const map: Record<string, string> = {};
          for (let i = Math.floor(random() * 4); i > 0; i--)
            map[pick(['state', 'cpu', 'k ey', 'é', '"q"'])] = pick(STRINGS);
          return map;
        }
        default:
          return undefined;
      }
    };
    if (field.kind === 'map') out[field.name] = one();
    else if (field.repeated) out[field.name] = Array.from({ length: Math.floor(random() * 4) }, one);
    else out[field.name] = one();
  }
  return out;
}

const PAYLOAD_FIELDS = {
  ProcessEvent: 'process',
  NetworkEvent: 'network',
  FileEvent: 'file',
  AuthEvent: 'auth',
  LogEvent: 'log',
  Metric: 'metric',
  OtTransaction: 'ot',
} as const;

function randomEvents(seed: number, count: number, fill: number): IEvent[] {
  const random = prng(seed);
  const names = Object.keys(WIRE_PAYLOADS) as Array<keyof typeof WIRE_PAYLOADS>;
  return Array.from({ length: count }, (_, i) => {
    const name = names[i % names.length] as keyof typeof WIRE_PAYLOADS;
    const payload = randomMessage(WIRE_PAYLOADS[name], random, 0, fill);
    if (name === 'Metric') payload['name'] = `m${i}`;
    return {
      seq: i + 1,
      timeUnixUs: nowUs - Math.floor(random() * 1e9),
      ...(random() < 0.5 ? { observedTimeUnixUs: nowUs } : {}),
      ...(random() < 0.3 ? { agentId: identity.agentId } : {}),
      ...(random() < 0.2 ? { tenantId: random() < 0.5 ? identity.tenantId : 'forged-tenant' } : {}),
      sensor: random() < 0.9 ? 'sensor-é' : '',
      [PAYLOAD_FIELDS[name]]: payload,
    };
  });
}

function batch(events: IEvent[], extra: Partial<IEventBatch> = {}): Uint8Array {
  return EventBatch.encode({
    agentId: identity.agentId,
    batchId: 'batch-1',
    firstSeq: 1,
    sentTimeUnixUs: nowUs,
    events,
    host: { hostname: 'web-01', id: 'host-1', ip: ['10.0.0.1'] },
    ...extra,
  }).finish();
}

/** Where two byte strings first differ, with some context of each (empty when they are equal). */
function firstDifference(a: Buffer, b: Buffer): string {
  if (a.equals(b)) return '';
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const around = (x: Buffer): string =>
    JSON.stringify(x.subarray(Math.max(0, i - 80), i + 40).toString('latin1'));
  return `at byte ${i} of ${a.length}/${b.length}:\n  fast      ${around(a)}\n  reference ${around(b)}`;
}

function expectSame(bytes: Uint8Array): EncodeResult | undefined {
  const fast = encodeWireBatch(identity, bytes, options);
  const reference = encodeIncomingReference(identity, bytes, options);
  if (!fast) {
    expect(reference.ok).toBe(false);
    return fast;
  }
  expect(fast.ok && reference.ok).toBe(true);
  if (!fast.ok || !reference.ok) return fast;
  const { rows, referenceEvents: _, ...header } = fast;
  const { rows: referenceRows, ...referenceHeader } = reference;
  expect(header).toEqual(referenceHeader);
  for (const table of TABLE_NAMES) {
    expect(
      firstDifference(Buffer.from(rows[table].bytes()), Buffer.from(referenceRows[table].bytes())),
      table,
    ).toBe('');
  }
  return fast;
}

describe('encodeWireBatch', () => {
  it('gives the reference rows for random events setting every field of every payload, without the slow path', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const fast = expectSame(batch(randomEvents(seed, 70, seed % 2 ? 0.9 : 0.5)));
      expect(fast?.ok).toBe(true);
      if (fast?.ok) expect(fast.referenceEvents).toBe(0);
    }
  });

  it('reads the batch the agent frames: its header and host before the events', () => {
    const events = randomEvents(11, 20, 0.7).map((event) => Event.encode(event).finish());
    const bytes = encodeEventBatchBytes(
      {
        agentId: identity.agentId,
        batchId: 'framed',
        firstSeq: 1,
        sentTimeUnixUs: nowUs,
        host: { hostname: 'h' },
      },
      events,
    );
    const fast = expectSame(bytes);
    expect(fast?.ok && fast.referenceEvents).toBe(0);
  });

  it('counts a forged tenant id as the reference path does', () => {
    const events = randomEvents(7, 10, 0.5).map((event) => ({ ...event, tenantId: 'not-yours' }));
    const fast = expectSame(batch(events));
    expect(fast?.ok && fast.tenantOverwritten).toBe(10);
  });

  it('hands single events it does not read itself to the reference code, and keeps their place', () => {
    const events = randomEvents(3, 12, 0.6);
    events[2] = { ...events[2], host: { hostname: 'own-host' } }; // an event with its own host
    events[4] = { seq: 5, timeUnixUs: nowUs, inventory: { packages: [{ name: 'bash', version: '5.2' }] } };
    events[6] = { seq: 7, timeUnixUs: nowUs, log: { message: 'x', fields: { '10': 'a', '2': 'b' } } }; // keys JS reorders
    events[8] = { seq: 9, timeUnixUs: nowUs, network: { kind: 99 as inosec.v1.NetworkEvent.Kind } }; // an enum value this build does not know
    events[9] = { seq: 10, timeUnixUs: nowUs, ot: { points: [{ rawValue: Uint8Array.of(1, 2) }] } }; // bytes
    const fast = expectSame(batch(events));
    expect(fast?.ok && fast.referenceEvents).toBe(5);
  });

  it('gives the batch to the reference path wherever that path refuses it', () => {
    const good = randomEvents(5, 6, 0.5);
    const cases: Array<[string, Uint8Array]> = [
      ['seq gap', batch(good.map((event, i) => ({ ...event, seq: i === 3 ? 99 : event.seq })))],
      [
        'time 50 years off',
        batch(
          good.map((event, i) =>
            i === 2 ? { ...event, timeUnixUs: nowUs - 50 * 365 * 86_400_000_000 } : event,
          ),
        ),
      ],
      [
        'agent mismatch in an event',
        batch(good.map((event, i) => (i === 1 ? { ...event, agentId: 'other' } : event))),
      ],
      ['agent mismatch in the batch', batch(good, { agentId: 'other' })],
      ['no events', batch([])],
      ['first_seq 0', batch(good, { firstSeq: 0 })],
      ['metric without a name', batch([{ seq: 1, timeUnixUs: nowUs, metric: { value: 1 } }])],
      [
        'metric value infinite',
        batch([{ seq: 1, timeUnixUs: nowUs, metric: { name: 'm', value: Infinity } }]),
      ],
      ['no payload', batch([{ seq: 1, timeUnixUs: nowUs }])],
      ['a uint64 past 2^53', batch([{ seq: 1, timeUnixUs: nowUs, file: { size: 2 ** 60 } }])],
      ['a negative time', batch([{ seq: 1, timeUnixUs: -5, log: { message: 'x' } }])],
    ];
    for (const [what, bytes] of cases) {
      expect(encodeWireBatch(identity, bytes, options), what).toBeUndefined();
      expect(encodeIncomingReference(identity, bytes, options).ok, what).toBe(false);
    }
  });

  it('matches the reference path on hand-made wire input: invalid UTF-8, unknown and repeated fields, truncation', () => {
    const good = batch(randomEvents(9, 3, 0.5));
    const log = (payload: number[]): Uint8Array => {
      const event = [0x10, 0x01, 0x18, ...varint(nowUs), 0x62, payload.length, ...payload];
      return Uint8Array.from([
        0x0a,
        identity.agentId.length,
        ...Buffer.from(identity.agentId),
        0x18,
        0x01,
        0x2a,
        event.length,
        ...event,
      ]);
    };
    const inputs = [
      log([0x12, 0x02, 0xc3, 0x28]), // invalid UTF-8 in LogEvent.message
      log([0x12, 0x01, 0x61, 0x0a, 0x01, 0x62]), // fields out of order
      log([0x12, 0x01, 0x61, 0x12, 0x01, 0x62]), // a non-repeated field sent twice (the last wins)
      log([0x12, 0x01, 0x61, 0xa8, 0x06, 0x01]), // unknown field 101
      log([0x28, 0x00, 0x12, 0x01, 0x61]), // a default value sent explicitly, out of order
      log([0x5a, 0x08, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x61, 0x5a, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x62]), // a map key twice
      log([0x12, 0x05, 0x61]), // truncated
      good.subarray(0, good.length - 3),
      Uint8Array.of(0xff, 0xff, 0xff),
    ];
    for (const bytes of inputs) expectSame(bytes);
  });

  it('writes JSON that parses back to the payload, and leaves NUL out of text and json', () => {
    const bytes = batch([
      { seq: 1, timeUnixUs: nowUs, log: { message: 'a\u0000b "c"\n', fields: { k: 'v\u0000' } } },
    ]);
    const fast = encodeWireBatch(identity, bytes, options);
    expect(fast?.ok).toBe(true);
    const row = fast?.ok ? Buffer.from(fast.rows.events.bytes()) : Buffer.alloc(0);
    expect(row.includes(0)).toBe(true); // lengths and binary fields have zero bytes...
    const text = row.toString('utf8');
    expect(text).toContain('"message":"a\\uFFFDb \\"c\\"\\n"');
    expect(text).toContain('"fields":{"k":"v\\uFFFD"}');
    expect(text).toContain('a\uFFFDb "c"\n'); // ...the message column holds U+FFFD for NUL
  });
});

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

describe('the fast path schema', () => {
  it('matches the .proto files field by field (number, name, type, repeated, optional, oneof)', () => {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
    root.loadSync('inosec/v1/event.proto');
    root.resolveAll();
    const seen = new Set<WireMessage>();
    const check = (type: WireMessage): void => {
      if (seen.has(type)) return;
      seen.add(type);
      const proto = root.lookupType(`inosec.v1.${type.name}`);
      const fields = type.fields.filter((field) => field !== undefined);
      expect(
        fields.map((field) => field.no).sort((a, b) => a - b),
        type.name,
      ).toEqual(proto.fieldsArray.map((field) => field.id).sort((a, b) => a - b));
      for (const field of fields) {
        const real = proto.fieldsById[field.no] as protobuf.Field;
        const where = `${type.name}.${field.name}`;
        expect(real.name, where).toBe(field.name);
        expect(real.repeated, where).toBe(field.repeated === true);
        expect(real instanceof protobuf.MapField, where).toBe(field.kind === 'map');
        // protobufjs represents proto3 `optional` as a oneof of one, named with a leading underscore.
        const inOneof = real.partOf != null;
        expect(inOneof, where).toBe(field.presence === true);
        expect(inOneof && !real.partOf?.name.startsWith('_'), where).toBe(field.oneof !== undefined);
        if (field.kind === 'message') {
          expect((real.resolvedType as protobuf.Type).name, where).toBe(field.message?.name);
          check(field.message as WireMessage);
        } else if (field.kind === 'enum') {
          const values = (real.resolvedType as protobuf.Enum).valuesById;
          expect(field.values, where).toEqual(Object.keys(values).map((id) => values[Number(id)]));
        } else if (field.kind !== 'map') expect(real.type, where).toBe(field.kind);
      }
    };
    for (const type of Object.values(WIRE_PAYLOADS)) check(type);
  });
});
