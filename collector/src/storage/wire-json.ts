// The payload messages' schema, and their proto3 JSON written straight from wire bytes: the same bytes
// `JSON.stringify(X.toObject(decoded, { enums: String, longs: Number, defaults: false }))` gives (then NUL as
// \uFFFD, as BinaryRows.json() does), without decoding the message into objects first. The generated decoder
// (protobufjs 8) fixes the semantics copied here: a non-optional scalar with its default value is absent,
// proto3 `optional` and oneof members are present whenever sent, sub-messages are present even when empty,
// keys come in field-number order. Input the generated decoder would treat differently (fields out of order
// or repeated, unknown fields, wrong wire types, invalid UTF-8, uint64s past 2^53, unknown enum values, bytes
// fields, map keys JavaScript would reorder) throws NotCanonical: the caller decodes that event the slow way.
// wire-json.test.ts checks this schema against the .proto files and the output against toObject.
import { inosec } from '@inosec/protos';
import type { BinaryRows } from './binary-copy.js';
import { NotCanonical, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT, WireCursor } from './wire-reader.js';

export type WireKind =
  | 'string'
  | 'uint32'
  | 'int32'
  | 'uint64'
  | 'int64'
  | 'double'
  | 'bool'
  | 'enum'
  | 'message'
  | 'map'
  | 'bytes';

export interface WireField {
  no: number;
  name: string;
  kind: WireKind;
  repeated?: true;
  /** proto3 `optional` or a oneof member: present whenever sent, default value or not. */
  presence?: true;
  /** Members of one oneof share a group number (at most one may be sent). */
  oneof?: number;
  /** For enums: the value names by number. */
  values?: readonly string[];
  /** For messages. */
  message?: WireMessage;
}

export interface WireMessage {
  name: string;
  /** By field number. */
  fields: ReadonlyArray<WireField | undefined>;
}

interface FieldPlan extends WireField {
  /** `"name":` in UTF-8, and with a leading comma. */
  key: Uint8Array;
  commaKey: Uint8Array;
  wireType: number;
  /** Enum names as JSON strings, by value. */
  quoted?: Uint8Array[];
}

type Spec = [no: number, name: string, kind: WireKind, extra?: Partial<WireField>];

function enumNames(values: object): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(values)) if (typeof value === 'number') names[value] = name;
  return names;
}

function message(name: string, specs: Spec[]): WireMessage {
  const fields: Array<WireField | undefined> = [];
  for (const [no, fieldName, kind, extra] of specs) fields[no] = { no, name: fieldName, kind, ...extra };
  return { name, fields };
}

const v1 = inosec.v1;
const repeated = { repeated: true } as const;
const presence = { presence: true } as const;
const str = (no: number, name: string, extra?: Partial<WireField>): Spec => [no, name, 'string', extra];
const en = (no: number, name: string, values: object): Spec => [
  no,
  name,
  'enum',
  { values: enumNames(values) },
];
const msg = (no: number, name: string, type: WireMessage, extra?: Partial<WireField>): Spec => [
  no,
  name,
  'message',
  { message: type, ...extra },
];

export const User = message('User', [str(1, 'id'), str(2, 'name'), str(3, 'domain')]);
export const Group = message('Group', [str(1, 'id'), str(2, 'name')]);
export const Hash = message('Hash', [str(1, 'md5'), str(2, 'sha1'), str(3, 'sha256')]);
export const Endpoint = message('Endpoint', [
  str(1, 'ip'),
  [2, 'port', 'uint32'],
  str(3, 'mac'),
  str(4, 'domain'),
]);
export const Process = message('Process', [
  [1, 'pid', 'uint32'],
  [2, 'ppid', 'uint32'],
  str(3, 'entityId'),
  str(4, 'executable'),
  str(5, 'name'),
  str(6, 'commandLine'),
  str(7, 'args', repeated),
  str(8, 'workingDirectory'),
  msg(9, 'user', User),
  msg(10, 'group', Group),
  msg(11, 'hash', Hash),
  [12, 'startTimeUnixUs', 'int64'],
  [13, 'sessionId', 'uint32'],
  str(14, 'tty'),
]);
export const ProcessEvent = message('ProcessEvent', [
  en(1, 'action', v1.ProcessEvent.Action),
  msg(2, 'process', Process),
  msg(3, 'parent', Process),
  str(4, 'ancestorEntityIds', repeated),
  [5, 'exitCode', 'int32', presence],
  [6, 'exitSignal', 'uint32'],
]);
export const FileEvent = message('FileEvent', [
  en(1, 'action', v1.FileEvent.Action),
  str(2, 'path'),
  str(3, 'previousPath'),
  str(4, 'type'),
  msg(5, 'hash', Hash),
  msg(6, 'previousHash', Hash),
  msg(7, 'owner', User),
  msg(8, 'group', Group),
  str(9, 'mode'),
  [10, 'size', 'uint64'],
  [11, 'mtimeUnixUs', 'int64'],
  [12, 'ctimeUnixUs', 'int64'],
  str(13, 'inode'),
  str(14, 'changedAttributes', repeated),
  msg(15, 'process', Process),
  msg(16, 'user', User),
]);
export const AuthEvent = message('AuthEvent', [
  en(1, 'kind', v1.AuthEvent.Kind),
  en(2, 'action', v1.AuthEvent.Action),
  en(3, 'outcome', v1.AuthEvent.Outcome),
  msg(4, 'user', User),
  msg(5, 'targetUser', User),
  msg(6, 'source', Endpoint),
  str(7, 'method'),
  str(8, 'service'),
  str(9, 'reason'),
  msg(10, 'process', Process),
  str(11, 'tty'),
  str(12, 'command'),
  str(13, 'keyFingerprint'),
  msg(14, 'targetGroup', Group),
]);
export const LogEvent = message('LogEvent', [
  str(1, 'original'),
  str(2, 'message'),
  str(3, 'source'),
  str(4, 'program'),
  [5, 'pid', 'uint32'],
  [6, 'facility', 'uint32', presence],
  [7, 'severity', 'uint32', presence],
  str(8, 'level'),
  str(9, 'hostname'),
  str(10, 'parser'),
  [11, 'fields', 'map'],
]);
export const NetworkEvent = message('NetworkEvent', [
  en(1, 'kind', v1.NetworkEvent.Kind),
  en(2, 'transport', v1.NetworkEvent.Transport),
  [3, 'ianaNumber', 'uint32'],
  msg(4, 'source', Endpoint),
  msg(5, 'destination', Endpoint),
  en(6, 'direction', v1.NetworkEvent.Direction),
  [7, 'bytesOut', 'uint64'],
  [8, 'bytesIn', 'uint64'],
  [9, 'packetsOut', 'uint64'],
  [10, 'packetsIn', 'uint64'],
  msg(11, 'process', Process),
  str(12, 'communityId'),
  str(13, 'applicationProtocol'),
  [14, 'durationUs', 'int64'],
  str(15, 'state'),
  [16, 'vlanId', 'uint32'],
  str(17, 'interfaceName'),
]);
export const Metric = message('Metric', [
  str(1, 'name'),
  [2, 'value', 'double'],
  str(3, 'unit'),
  en(4, 'kind', v1.Metric.Kind),
  [5, 'attributes', 'map'],
  [6, 'startTimeUnixUs', 'int64'],
]);
export const OtPoint = message('OtPoint', [
  str(1, 'address'),
  str(2, 'objectType'),
  [3, 'quantity', 'uint32'],
  [4, 'numberValue', 'double', { presence: true, oneof: 1 }],
  [5, 'boolValue', 'bool', { presence: true, oneof: 1 }],
  str(6, 'stringValue', { presence: true, oneof: 1 }),
  [7, 'rawValue', 'bytes', { presence: true, oneof: 1 }],
  [8, 'quality', 'uint32'],
]);
export const OtTransaction = message('OtTransaction', [
  en(1, 'protocol', v1.OtTransaction.Protocol),
  msg(2, 'source', Endpoint),
  en(3, 'sourceRole', v1.OtTransaction.Role),
  msg(4, 'destination', Endpoint),
  en(5, 'destinationRole', v1.OtTransaction.Role),
  [6, 'functionCode', 'uint32'],
  str(7, 'functionName'),
  en(8, 'operation', v1.OtTransaction.Operation),
  [9, 'unitId', 'uint32'],
  str(10, 'transactionId'),
  msg(11, 'points', OtPoint, repeated),
  en(12, 'result', v1.OtTransaction.Result),
  [13, 'exceptionCode', 'uint32'],
  str(14, 'exceptionName'),
  [15, 'durationUs', 'int64'],
]);

/** The payload messages the fast path writes (InventorySnapshot is rare and large: it takes the slow path). */
export const WIRE_PAYLOADS = {
  ProcessEvent,
  FileEvent,
  AuthEvent,
  LogEvent,
  NetworkEvent,
  Metric,
  OtTransaction,
};

const WIRE_TYPE: Record<WireKind, number> = {
  string: WIRE_LENGTH,
  bytes: WIRE_LENGTH,
  message: WIRE_LENGTH,
  map: WIRE_LENGTH,
  uint32: WIRE_VARINT,
  int32: WIRE_VARINT,
  uint64: WIRE_VARINT,
  int64: WIRE_VARINT,
  bool: WIRE_VARINT,
  enum: WIRE_VARINT,
  double: WIRE_FIXED64,
};

const encoder = new TextEncoder();
const plans = new WeakMap<WireMessage, Array<FieldPlan | undefined>>();

function planOf(type: WireMessage): Array<FieldPlan | undefined> {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = type.fields.map((field) => {
    if (!field) return undefined;
    const key = encoder.encode(`${JSON.stringify(field.name)}:`);
    return {
      ...field,
      key,
      commaKey: encoder.encode(`,${JSON.stringify(field.name)}:`),
      wireType: WIRE_TYPE[field.kind],
      ...(field.values ? { quoted: field.values.map((name) => encoder.encode(JSON.stringify(name))) } : {}),
    };
  });
  plans.set(type, plan);
  return plan;
}

/**
 * What to keep while writing a message's JSON, for its table's typed columns: by field number, a slot (a
 * string's byte range, a number's value) or the capture of a sub-message.
 */
export type Capture = ReadonlyArray<number | Capture | undefined>;

/**
 * Slot values of one event: slot k holds [start, end) of a string at 2k, 2k+1, or a number at 2k. Zero
 * (empty, absent) unless the field was sent with a non-default value.
 */
export class Slots {
  readonly values: Float64Array;

  constructor(count: number) {
    this.values = new Float64Array(count * 2);
  }

  clear(): void {
    this.values.fill(0);
  }

  number(slot: number): number {
    return this.values[slot * 2] as number;
  }

  start(slot: number): number {
    return this.values[slot * 2] as number;
  }

  end(slot: number): number {
    return this.values[slot * 2 + 1] as number;
  }

  has(slot: number): boolean {
    return (this.values[slot * 2 + 1] as number) > (this.values[slot * 2] as number);
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const TRUE = encoder.encode('true');
const FALSE = encoder.encode('false');
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * Writes the JSON object of the message in cursor.pos..end to `out`, capturing what `capture` asks for into
 * `slots`. Throws NotCanonical where the fast path does not apply.
 */
export function writeMessageJson(
  out: BinaryRows,
  type: WireMessage,
  cursor: WireCursor,
  end: number,
  capture: Capture | undefined,
  slots: Slots,
): void {
  const plan = planOf(type);
  const values = slots.values;
  out.putByte(OPEN_BRACE);
  let written = false;
  let last = 0;
  let open: FieldPlan | undefined; // the repeated or map field whose array / object is open
  let oneofSent = 0;
  let mapKeys: Set<string> | undefined; // the open map's keys: a repeated key would overwrite, not add
  const saved = cursor.end;
  cursor.end = end;
  while (cursor.pos < end) {
    const tag = cursor.varint();
    const no = Math.floor(tag / 8);
    const field = plan[no];
    if (!field) throw new NotCanonical(`${type.name}: unknown field ${no}`);
    if ((tag & 7) !== field.wireType)
      throw new NotCanonical(`${type.name}.${field.name}: wire type ${tag & 7}`);
    if (no < last || (no === last && !field.repeated && field.kind !== 'map'))
      throw new NotCanonical(`${type.name}.${field.name}: out of order or repeated`);
    if (open && open !== field) {
      out.putByte(open.kind === 'map' ? CLOSE_BRACE : CLOSE_BRACKET);
      open = undefined;
    }
    last = no;
    if (field.oneof !== undefined) {
      if (oneofSent & (1 << field.oneof)) throw new NotCanonical(`${type.name}: two members of one oneof`);
      oneofSent |= 1 << field.oneof;
    }
    const want = capture?.[no];
    if (field.repeated || field.kind === 'map') {
      if (open === field) out.putByte(COMMA);
      else {
        out
          .put(written ? field.commaKey : field.key)
          .putByte(field.kind === 'map' ? OPEN_BRACE : OPEN_BRACKET);
        written = true;
        open = field;
        if (field.kind === 'map') mapKeys = new Set();
      }
      if (field.kind === 'map') writeMapEntry(out, cursor, mapKeys as Set<string>);
      else if (field.kind === 'string') {
        const stop = cursor.length();
        if (!out.putJsonString(cursor.src, cursor.pos, stop)) throw new NotCanonical('invalid UTF-8');
        cursor.pos = stop;
      } else if (field.kind === 'message') {
        const stop = cursor.length();
        writeMessageJson(out, field.message as WireMessage, cursor, stop, undefined, slots);
      } else throw new NotCanonical(`${type.name}.${field.name}: repeated ${field.kind}`);
      continue;
    }
    switch (field.kind) {
      case 'string': {
        const stop = cursor.length();
        const start = cursor.pos;
        cursor.pos = stop;
        if (stop === start && !field.presence) break;
        out.put(written ? field.commaKey : field.key);
        written = true;
        if (!out.putJsonString(cursor.src, start, stop)) throw new NotCanonical('invalid UTF-8');
        if (typeof want === 'number') {
          values[want * 2] = start;
          values[want * 2 + 1] = stop;
        }
        break;
      }
      case 'message': {
        const stop = cursor.length();
        out.put(written ? field.commaKey : field.key);
        written = true;
        writeMessageJson(
          out,
          field.message as WireMessage,
          cursor,
          stop,
          typeof want === 'object' ? want : undefined,
          slots,
        );
        break;
      }
      case 'uint32':
      case 'int32':
      case 'uint64':
      case 'int64':
      case 'enum':
      case 'bool': {
        let value: number;
        if (field.kind === 'int32') value = cursor.int32();
        else if (field.kind === 'uint32') value = cursor.uint32();
        else if (field.kind === 'enum') value = cursor.int32();
        else value = cursor.varint();
        if (value === 0 && !field.presence) break;
        out.put(written ? field.commaKey : field.key);
        written = true;
        if (field.kind === 'enum') {
          const name = field.quoted?.[value];
          if (!name) throw new NotCanonical(`${type.name}.${field.name}: unknown enum value ${value}`);
          out.put(name);
        } else if (field.kind === 'bool') out.put(value ? TRUE : FALSE);
        else out.putAscii(String(value));
        if (typeof want === 'number') values[want * 2] = value;
        break;
      }
      case 'double': {
        const value = cursor.double();
        // The generated decoder drops a non-optional double only when it is +0 (it keeps -0 and NaN).
        if (Object.is(value, 0) && !field.presence) break;
        out.put(written ? field.commaKey : field.key);
        written = true;
        out.putAscii(JSON.stringify(value));
        if (typeof want === 'number') values[want * 2] = value;
        break;
      }
      default:
        // bytes: toObject gives a Buffer, which JSON.stringify writes as {"type":"Buffer",...}: left to it.
        throw new NotCanonical(`${type.name}.${field.name}: ${field.kind}`);
    }
  }
  if (open) out.putByte(open.kind === 'map' ? CLOSE_BRACE : CLOSE_BRACKET);
  out.putByte(CLOSE_BRACE);
  cursor.end = saved;
}

/** A map<string, string> as a JSON object, from its entries' byte ranges (Metric.attributes). */
export function writeMapJson(
  out: BinaryRows,
  src: Uint8Array,
  entries: ReadonlyArray<[number, number]>,
): void {
  out.putByte(OPEN_BRACE);
  const keys = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) out.putByte(COMMA);
    const [start, end] = entries[i] as [number, number];
    writeMapEntryAt(out, src, start, end, keys);
  }
  out.putByte(CLOSE_BRACE);
}

/** A map<string, string> entry (its length prefix at the cursor) as `"key":"value"`, after the caller's comma. */
function writeMapEntry(out: BinaryRows, cursor: WireCursor, keys: Set<string>): void {
  const stop = cursor.length();
  writeMapEntryAt(out, cursor.src, cursor.pos, stop, keys);
  cursor.pos = stop;
}

/** A map entry from its bytes start..end. */
function writeMapEntryAt(
  out: BinaryRows,
  src: Uint8Array,
  start: number,
  end: number,
  keys: Set<string>,
): void {
  const cursor = new WireCursor(src, start, end);
  let keyStart = 0;
  let keyEnd = 0;
  let valueStart = 0;
  let valueEnd = 0;
  let last = 0;
  while (cursor.pos < end) {
    const tag = cursor.varint();
    const no = Math.floor(tag / 8);
    if ((no !== 1 && no !== 2) || (tag & 7) !== WIRE_LENGTH || no <= last)
      throw new NotCanonical('map entry');
    last = no;
    const stop = cursor.length();
    if (no === 1) [keyStart, keyEnd] = [cursor.pos, stop];
    else [valueStart, valueEnd] = [cursor.pos, stop];
    cursor.pos = stop;
  }
  // JavaScript objects list array-index keys first, __proto__ is special, and a repeated key overwrites the
  // first value in place: in each case the generated code's object does not keep the wire order.
  const key = Buffer.from(src.buffer, src.byteOffset + keyStart, keyEnd - keyStart).toString('utf8');
  if (ARRAY_INDEX.test(key) || key === '__proto__' || keys.has(key)) throw new NotCanonical('map key');
  keys.add(key);
  if (!out.putJsonString(src, keyStart, keyEnd)) throw new NotCanonical('invalid UTF-8');
  out.putByte(COLON);
  if (!out.putJsonString(src, valueStart, valueEnd)) throw new NotCanonical('invalid UTF-8');
}
