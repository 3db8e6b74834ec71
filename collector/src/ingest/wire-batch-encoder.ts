// The ingest fast path: a received EventBatch goes straight from its protobuf bytes to binary COPY rows.
// Strings are copied as the UTF-8 bytes they already are, the payload's JSON is written from the wire
// (wire-json.ts), and nothing is decoded into objects. It gives exactly the rows of the generated decoder +
// validateBatch + encodeBatchRows (the reference path, encodeIncoming) and falls back to that path:
// - for one event, on anything it does not handle the same way (NotCanonical: an inventory snapshot, an event
//   with its own host, a uint64 past 2^53, fields out of order, ...): that event's rows are undone and it is
//   decoded and encoded by the reference code;
// - for the whole batch, on anything the reference path refuses (malformed bytes, a seq gap, an agent
//   mismatch, a time out of range, ...), so the refusal and its message are the reference path's.
import { isDetected, payloadKind, type DetectedPayloads } from '@inosec/detectors';
import { Event, Host, tryDecodeMessage, type IEvent, type IHost } from '@inosec/protos';
import { BinaryRows } from '../storage/binary-copy.js';
import {
  ACTION_AUTH,
  ACTION_FILE,
  ACTION_PROCESS,
  DIRECTION,
  METRIC_KIND,
  NETWORK_KIND,
  OT_OPERATION,
  OT_PROTOCOL,
  OT_RESULT,
  OUTCOME_AUTH,
  TELEMETRY_TABLES,
  TRANSPORT,
  appendEventRow,
  label,
  type EncodedRows,
  type TelemetryTable,
} from '../storage/event-rows.js';
import {
  AuthEvent,
  FileEvent,
  LogEvent,
  NetworkEvent,
  OtTransaction,
  ProcessEvent,
  Slots,
  writeMapJson,
  writeMessageJson,
  type Capture,
} from '../storage/wire-json.js';
import {
  NotCanonical,
  WIRE_FIXED64,
  WIRE_LENGTH,
  WIRE_VARINT,
  WireCursor,
  isValidUtf8,
} from '../storage/wire-reader.js';
import type { AgentIdentity } from './batch-validator.js';
import type { EncodeOptions, EncodeResult } from './batch-encoder.js';

// Slots for the typed columns (Slots: a byte range or a number each).
const USER = 0;
const PID = 1;
const PNAME = 2;
const EXE = 3;
const CMD = 4;
const ENTITY = 5;
const PARENT = 6;
const SRC_IP = 7;
const PATH = 8;
const SHA = 9;
const MESSAGE = 10;
const ACTION = 11;
const OUTCOME = 12;
const OWNER = 13;
const ORIGINAL = 14;
const KIND = 15;
const SRC_PORT = 16;
const DST_IP = 17;
const DST_PORT = 18;
const BYTES_IN = 19;
const BYTES_OUT = 20;
const PACKETS_IN = 21;
const PACKETS_OUT = 22;
const COMMUNITY = 23;
const APP_PROTO = 24;
const RESULT = 25;
const FUNCTION_CODE = 26;
const FUNCTION_NAME = 27;
const UNIT_ID = 28;
const EXCEPTION = 29;
const DIRECTION_SLOT = 30;
const TRANSPORT_SLOT = 31;
const SLOT_COUNT = 32;

/** A sparse array by field number. */
function capture(entries: Record<number, number | Capture>): Capture {
  const out: Array<number | Capture | undefined> = [];
  for (const [no, value] of Object.entries(entries)) out[Number(no)] = value;
  return out;
}

const PROCESS_CORE = { 1: PID, 3: ENTITY, 4: EXE, 5: PNAME, 6: CMD };
const CAPTURES: Record<number, Capture> = {
  8: capture({
    1: ACTION,
    2: capture({ ...PROCESS_CORE, 9: capture({ 2: USER }), 11: capture({ 3: SHA }) }),
    3: capture({ 3: PARENT }),
  }),
  10: capture({
    1: ACTION,
    2: PATH,
    5: capture({ 3: SHA }),
    7: capture({ 2: OWNER }),
    15: capture(PROCESS_CORE),
    16: capture({ 2: USER }),
  }),
  11: capture({
    2: ACTION,
    3: OUTCOME,
    4: capture({ 2: USER }),
    6: capture({ 1: SRC_IP }),
    9: MESSAGE,
    10: capture(PROCESS_CORE),
  }),
  12: capture({ 1: ORIGINAL, 2: MESSAGE, 3: PATH, 4: PNAME, 5: PID }),
  9: capture({
    1: KIND,
    2: TRANSPORT_SLOT,
    4: capture({ 1: SRC_IP, 2: SRC_PORT }),
    5: capture({ 1: DST_IP, 2: DST_PORT }),
    6: DIRECTION_SLOT,
    7: BYTES_OUT,
    8: BYTES_IN,
    9: PACKETS_OUT,
    10: PACKETS_IN,
    11: capture({ 1: PID, 3: ENTITY, 5: PNAME }),
    12: COMMUNITY,
    13: APP_PROTO,
  }),
  14: capture({
    1: KIND,
    2: capture({ 1: SRC_IP, 2: SRC_PORT }),
    4: capture({ 1: DST_IP, 2: DST_PORT }),
    6: FUNCTION_CODE,
    7: FUNCTION_NAME,
    8: ACTION,
    9: UNIT_ID,
    12: RESULT,
    13: EXCEPTION,
  }),
};

const PAYLOAD_TYPES = {
  8: ProcessEvent,
  9: NetworkEvent,
  10: FileEvent,
  11: AuthEvent,
  12: LogEvent,
  14: OtTransaction,
};

/** The fields some writes give, as bytes (written once, copied into every row). */
function fieldBytes(write: (rows: BinaryRows) => unknown): Buffer {
  const rows = new BinaryRows(256);
  write(rows);
  return Buffer.from(rows.bytes());
}

const labelFields = new Map<readonly string[], Buffer[]>();

/** An enum column (event-rows.ts label()) from encoded fields cached per value. */
function labelField(rows: BinaryRows, names: readonly string[], value: number): BinaryRows {
  let fields = labelFields.get(names);
  if (!fields) labelFields.set(names, (fields = []));
  let field = fields[value];
  if (!field) {
    if (!Number.isInteger(value) || value < 0 || value > 255) return rows.text(label(names, value));
    field = fields[value] = fieldBytes((out) => out.text(label(names, value)));
  }
  return rows.put(field);
}

/** The kind column of telemetry.events by payload field number. */
const KIND_FIELDS: Array<Buffer | undefined> = [];
for (const [no, kind] of [
  [8, 'process'],
  [10, 'file'],
  [11, 'auth'],
  [12, 'log'],
] as const)
  KIND_FIELDS[no] = fieldBytes((rows) => rows.text(kind));

/** The Event payload field names by field number. */
const PAYLOAD_NAMES: ReadonlyArray<string | undefined> = [];
for (const [no, name] of [
  [8, 'process'],
  [9, 'network'],
  [10, 'file'],
  [11, 'auth'],
  [12, 'log'],
  [13, 'metric'],
  [14, 'ot'],
  [15, 'inventory'],
] as const)
  (PAYLOAD_NAMES as Array<string | undefined>)[no] = name;

/**
 * What detection needs of a batch the fast path encodes (it decodes no event): the events it reads (by payload,
 * and for process and network events by action and kind), as their byte ranges in the batch (to decode) or, for those the reference code decoded, the events,
 * in batch order; and the batch's host.
 */
export interface WireDetectionInput {
  /** The events detection reads (detectedPayloads). */
  payloads: DetectedPayloads;
  /** Filled by encodeWireBatch. */
  items: Array<[number, number] | IEvent>;
  host?: IHost | undefined;
}

/** Why the whole batch goes to the reference path (which refuses it with its own reason and message). */
class UseReference extends Error {}

const PG_EPOCH_US = 946_684_800_000_000;

/** One batch's encoding state. */
class WireBatch {
  readonly rows: EncodedRows;
  readonly slots = new Slots(SLOT_COUNT);
  readonly json = new BinaryRows(4096);
  readonly agentBytes: Buffer;
  readonly tenantBytes: Buffer;
  tenantOverwritten = 0;
  referenceEvents = 0;
  /** The tenant_id and agent_id fields of every row, encoded once. */
  private readonly identityFields: Buffer;
  /** The host_name and host_id fields of events without a host of their own. */
  private hostFields: Buffer | undefined;
  private batchHost: IHost | undefined;

  constructor(
    readonly src: Uint8Array,
    readonly identity: AgentIdentity,
    readonly options: EncodeOptions,
    readonly firstSeq: number,
    private readonly hostRange: [number, number] | undefined,
    events: number,
    private readonly detection: WireDetectionInput | undefined,
  ) {
    this.agentBytes = Buffer.from(identity.agentId);
    this.tenantBytes = Buffer.from(identity.tenantId);
    this.identityFields = fieldBytes((rows) => rows.uuid(identity.tenantId).text(identity.agentId));
    this.rows = {
      events: new BinaryRows(events * 640),
      network_events: new BinaryRows(16 * 1024),
      metrics: new BinaryRows(16 * 1024),
      ot_transactions: new BinaryRows(1024),
    };
  }

  /** The batch's host (events without one of their own get it), decoded once by the generated decoder. */
  host(): IHost | undefined {
    if (this.hostRange && !this.batchHost) {
      try {
        this.batchHost = Host.decode(this.src.subarray(...this.hostRange));
      } catch {
        throw new UseReference();
      }
    }
    return this.batchHost;
  }

  /** Encodes event `index` (bytes start..end), the fast way where it can and the reference way where not. */
  event(index: number, start: number, end: number): void {
    const marks = [
      this.rows.events.mark(),
      this.rows.network_events.mark(),
      this.rows.metrics.mark(),
      this.rows.ot_transactions.mark(),
    ];
    try {
      this.fastEvent(index, start, end);
    } catch (error) {
      if (!(error instanceof NotCanonical)) throw error;
      this.rows.events.rollback(marks[0] as number);
      this.rows.network_events.rollback(marks[1] as number);
      this.rows.metrics.rollback(marks[2] as number);
      this.rows.ot_transactions.rollback(marks[3] as number);
      this.referenceEvent(index, start, end);
    }
  }

  private sameBytes(expected: Buffer, start: number, end: number): boolean {
    if (end - start !== expected.length) return false;
    const src = this.src;
    for (let i = 0; i < expected.length; i++) if (src[start + i] !== expected[i]) return false;
    return true;
  }

  private checkTime(time: number): void {
    const { nowUs, limits } = this.options;
    if (!time || time < nowUs - limits.maxPastUs || time > nowUs + limits.maxFutureUs)
      throw new UseReference();
  }

  private fastEvent(index: number, start: number, end: number): void {
    const src = this.src;
    const cursor = new WireCursor(src, start, end);
    let last = 0;
    let seq = 0;
    let time = 0;
    let observed = 0;
    let sensorStart = 0;
    let sensorEnd = 0;
    let overwritten = 0;
    let payload = 0;
    let payloadEnd = 0;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      const no = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (no <= last || no > 15) throw new NotCanonical(`Event field ${no}`);
      last = no;
      if (no === 2 || no === 3 || no === 4) {
        if (wireType !== WIRE_VARINT) throw new NotCanonical('Event: wire type');
        const value = cursor.varint();
        if (no === 2) seq = value;
        else if (no === 3) time = value;
        else observed = value;
        continue;
      }
      if (wireType !== WIRE_LENGTH) throw new NotCanonical('Event: wire type');
      const stop = cursor.length();
      if (no === 1) {
        if (stop > cursor.pos && !this.sameBytes(this.agentBytes, cursor.pos, stop)) throw new UseReference();
      } else if (no === 5) throw new NotCanonical('Event: its own host');
      else if (no === 6) {
        if (stop > cursor.pos && !this.sameBytes(this.tenantBytes, cursor.pos, stop)) {
          if (!isValidUtf8(src, cursor.pos, stop)) throw new NotCanonical('invalid UTF-8');
          overwritten = 1;
        }
      } else if (no === 7) {
        if (!isValidUtf8(src, cursor.pos, stop)) throw new NotCanonical('invalid UTF-8');
        sensorStart = cursor.pos;
        sensorEnd = stop;
      } else {
        // The payload: the last field, whose bytes the payload writers read from here.
        if (stop !== end) throw new NotCanonical('Event: a field after the payload');
        payload = no;
        payloadEnd = stop;
        break;
      }
      cursor.pos = stop;
    }
    if (seq !== this.firstSeq + index || !payload) throw new UseReference();
    this.checkTime(time);
    if (payload === 15) throw new NotCanonical('inventory');
    const slots = this.slots;
    slots.clear();
    const json = this.json;
    json.clear();
    let metricName: [number, number] = [0, 0];
    let metricUnit: [number, number] = [0, 0];
    let metricValue = 0;
    let metricKind = 0;
    if (payload === 13) {
      [metricName, metricValue, metricUnit, metricKind] = this.metric(cursor, payloadEnd);
    } else {
      const type = PAYLOAD_TYPES[payload as keyof typeof PAYLOAD_TYPES];
      writeMessageJson(json, type, cursor, payloadEnd, CAPTURES[payload], slots);
    }
    const table: TelemetryTable =
      payload === 9
        ? 'network_events'
        : payload === 13
          ? 'metrics'
          : payload === 14
            ? 'ot_transactions'
            : 'events';
    const rows = this.rows[table];
    if (!this.hostFields) {
      const host = this.host();
      this.hostFields = fieldBytes((rows) => rows.text(host?.hostname).text(host?.id));
    }
    rows
      .row(TELEMETRY_TABLES[table].length, seq)
      .put(this.identityFields)
      .int8(seq)
      .int8(time - PG_EPOCH_US)
      .int8((observed || time) - PG_EPOCH_US)
      .textBytes(src, sensorStart, sensorEnd)
      .put(this.hostFields);
    const text = (slot: number): BinaryRows => rows.textBytes(src, slots.start(slot), slots.end(slot));
    const ip = (slot: number): BinaryRows => rows.inetBytes(src, slots.start(slot), slots.end(slot));
    switch (payload) {
      case 9:
        labelField(rows, NETWORK_KIND, slots.number(KIND));
        labelField(rows, TRANSPORT, slots.number(TRANSPORT_SLOT));
        labelField(rows, DIRECTION, slots.number(DIRECTION_SLOT));
        ip(SRC_IP).int4NonZero(slots.number(SRC_PORT));
        ip(DST_IP)
          .int4NonZero(slots.number(DST_PORT))
          .int8(slots.number(BYTES_IN))
          .int8(slots.number(BYTES_OUT))
          .int8(slots.number(PACKETS_IN))
          .int8(slots.number(PACKETS_OUT));
        text(COMMUNITY);
        text(APP_PROTO).int4NonZero(slots.number(PID));
        text(PNAME);
        text(ENTITY);
        break;
      case 13:
        rows
          .textBytes(src, metricName[0], metricName[1])
          .float8(metricValue)
          .textBytes(src, metricUnit[0], metricUnit[1]);
        labelField(rows, METRIC_KIND, metricKind);
        break;
      case 14:
        labelField(rows, OT_PROTOCOL, slots.number(KIND));
        labelField(rows, OT_OPERATION, slots.number(ACTION)).int4(slots.number(FUNCTION_CODE));
        text(FUNCTION_NAME).int4NonZero(slots.number(UNIT_ID));
        ip(SRC_IP).int4NonZero(slots.number(SRC_PORT));
        ip(DST_IP).int4NonZero(slots.number(DST_PORT));
        labelField(rows, OT_RESULT, slots.number(RESULT)).int4NonZero(slots.number(EXCEPTION));
        break;
      default:
        this.eventsColumns(rows, payload);
    }
    const at = rows.beginField();
    rows.putFrom(json).endField(at);
    this.tenantOverwritten += overwritten;
    const detection = this.detection;
    if (detection) {
      // The kind field detection may select on: a process event's action, a network event's kind.
      const kind = payload === 8 ? slots.number(ACTION) : payload === 9 ? slots.number(KIND) : 0;
      if (isDetected(detection.payloads, PAYLOAD_NAMES[payload], kind)) detection.items.push([start, end]);
    }
  }

  /** The typed columns of a telemetry.events row after the envelope (event-rows.ts, eventsRow). */
  private eventsColumns(rows: BinaryRows, payload: number): void {
    const { src, slots } = this;
    const text = (slot: number): BinaryRows => rows.textBytes(src, slots.start(slot), slots.end(slot));
    const actions =
      payload === 8
        ? ACTION_PROCESS
        : payload === 10
          ? ACTION_FILE
          : payload === 11
            ? ACTION_AUTH
            : undefined;
    rows.put(KIND_FIELDS[payload] as Buffer);
    if (actions) labelField(rows, actions, slots.number(ACTION));
    else rows.null();
    if (payload === 11) labelField(rows, OUTCOME_AUTH, slots.number(OUTCOME));
    else rows.null();
    text(payload === 10 && !slots.has(USER) ? OWNER : USER).int4NonZero(slots.number(PID));
    text(PNAME);
    text(EXE);
    text(CMD);
    text(ENTITY);
    text(PARENT).inetBytes(src, slots.start(SRC_IP), slots.end(SRC_IP));
    text(PATH);
    text(SHA);
    text(payload === 12 && !slots.has(MESSAGE) ? ORIGINAL : MESSAGE);
  }

  /** A Metric: name, value, unit and kind for the columns; its attributes' JSON into `json`. */
  private metric(cursor: WireCursor, end: number): [[number, number], number, [number, number], number] {
    const src = this.src;
    let name: [number, number] = [0, 0];
    let unit: [number, number] = [0, 0];
    let value = 0;
    let kind = 0;
    let last = 0;
    let attributes: Array<[number, number]> | undefined;
    cursor.end = end;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      const no = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (no < last || (no === last && no !== 5) || no > 6) throw new NotCanonical(`Metric field ${no}`);
      last = no;
      if (no === 2) {
        if (wireType !== WIRE_FIXED64) throw new NotCanonical('Metric: wire type');
        value = cursor.double();
      } else if (no === 4 || no === 6) {
        if (wireType !== WIRE_VARINT) throw new NotCanonical('Metric: wire type');
        if (no === 4) kind = cursor.int32();
        else cursor.varint();
      } else {
        if (wireType !== WIRE_LENGTH) throw new NotCanonical('Metric: wire type');
        const stop = cursor.length();
        if (no === 5) (attributes ??= []).push([cursor.pos, stop]);
        else {
          if (!isValidUtf8(src, cursor.pos, stop)) throw new NotCanonical('invalid UTF-8');
          if (no === 1) name = [cursor.pos, stop];
          else unit = [cursor.pos, stop];
        }
        cursor.pos = stop;
      }
    }
    if (name[1] === name[0] || !Number.isFinite(value)) throw new UseReference();
    writeMapJson(this.json, src, attributes ?? []);
    return [name, value, unit, kind];
  }

  /** One event the reference way: the generated decoder, validateBatch's checks and normalisation, encodeBatchRows. */
  private referenceEvent(index: number, start: number, end: number): void {
    // The same decode checks as the reference path's for a whole batch (64-bit values past 2^53 refused).
    const decoded = tryDecodeMessage(Event, this.src.subarray(start, end), { maxBytes: end - start });
    if (!decoded.ok) throw new UseReference();
    const event = decoded.value;
    const { identity } = this;
    if (event.seq !== this.firstSeq + index || event.payload === undefined) throw new UseReference();
    if (event.agentId !== '' && event.agentId !== identity.agentId) throw new UseReference();
    this.checkTime(event.timeUnixUs);
    if (event.payload === 'metric' && (!event.metric?.name || !Number.isFinite(event.metric.value)))
      throw new UseReference();
    if (event.tenantId !== identity.tenantId) {
      if (event.tenantId !== '') this.tenantOverwritten++;
      event.tenantId = identity.tenantId;
    }
    event.agentId = identity.agentId;
    if (!event.observedTimeUnixUs) event.observedTimeUnixUs = event.timeUnixUs;
    const host = this.host();
    if (event.host == null && host != null) event.host = host;
    appendEventRow(this.rows, event);
    this.referenceEvents++;
    const detection = this.detection;
    if (detection && isDetected(detection.payloads, event.payload, payloadKind(event))) {
      detection.items.push(event);
    }
  }
}

/**
 * Encodes a received batch straight from its bytes, exactly as encodeIncoming's reference path would.
 * Returns undefined when the reference path must handle the whole batch: it is refused (malformed, too
 * large, a seq gap, an agent mismatch, a bad time or metric; the reference path gives the reason), or its
 * envelope is not in the canonical form the fast path reads. With `detection`, it also lists the events
 * detection must decode (WireDetectionInput).
 */
export function encodeWireBatch(
  identity: AgentIdentity,
  bytes: Uint8Array,
  options: EncodeOptions,
  detection?: WireDetectionInput,
): EncodeResult | undefined {
  if (bytes.length > options.maxBatchBytes) return undefined;
  try {
    const cursor = new WireCursor(bytes, 0, bytes.length);
    const starts: number[] = [];
    const ends: number[] = [];
    let seen = 0;
    let agent: [number, number] = [0, 0];
    let batchId: [number, number] = [0, 0];
    let firstSeq = 0;
    let host: [number, number] | undefined;
    while (cursor.pos < bytes.length) {
      const tag = cursor.varint();
      const no = Math.floor(tag / 8);
      const wireType = tag & 7;
      // Any order (the agent writes its header, host included, before the events), each field once but events.
      if (no < 1 || no > 6 || (no !== 5 && seen & (1 << no))) return undefined;
      seen |= 1 << no;
      if (no === 3 || no === 4) {
        if (wireType !== WIRE_VARINT) return undefined;
        const value = cursor.varint();
        if (no === 3) firstSeq = value;
        continue;
      }
      if (wireType !== WIRE_LENGTH) return undefined;
      const stop = cursor.length();
      if (no === 1) agent = [cursor.pos, stop];
      else if (no === 2) batchId = [cursor.pos, stop];
      else if (no === 5) {
        starts.push(cursor.pos);
        ends.push(stop);
      } else host = [cursor.pos, stop];
      cursor.pos = stop;
    }
    const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!isValidUtf8(bytes, batchId[0], batchId[1])) return undefined;
    if (src.toString('utf8', agent[0], agent[1]) !== identity.agentId) return undefined;
    if (starts.length === 0 || starts.length > options.limits.maxEvents || firstSeq < 1) return undefined;
    const batch = new WireBatch(bytes, identity, options, firstSeq, host, starts.length, detection);
    for (let i = 0; i < starts.length; i++) batch.event(i, starts[i] as number, ends[i] as number);
    if (detection) detection.host = batch.host();
    return {
      ok: true,
      batchId: src.toString('utf8', batchId[0], batchId[1]),
      firstSeq,
      lastSeq: firstSeq + starts.length - 1,
      events: starts.length,
      tenantOverwritten: batch.tenantOverwritten,
      referenceEvents: batch.referenceEvents,
      rows: batch.rows,
    };
  } catch (error) {
    if (error instanceof NotCanonical || error instanceof UseReference) return undefined;
    throw error;
  }
}
