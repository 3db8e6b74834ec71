import {
  AuthEvent,
  FileEvent,
  InventorySnapshot,
  LogEvent,
  NetworkEvent,
  OtTransaction,
  ProcessEvent,
  inosec,
  type Event,
  type IProcess,
} from '@inosec/protos';
import { BinaryRows } from './binary-copy.js';

/** The columns every telemetry table starts with, in order (envelope() writes them). */
export const ENVELOPE = [
  'tenant_id',
  'agent_id',
  'seq',
  'time',
  'observed_time',
  'sensor',
  'host_name',
  'host_id',
] as const;

/** The telemetry tables a batch writes to, with the COPY column list of each. */
export const TELEMETRY_TABLES = {
  events: [
    ...ENVELOPE,
    'kind',
    'action',
    'outcome',
    'user_name',
    'process_pid',
    'process_name',
    'process_executable',
    'process_command_line',
    'process_entity_id',
    'parent_entity_id',
    'source_ip',
    'file_path',
    'hash_sha256',
    'message',
    'data',
  ],
  network_events: [
    ...ENVELOPE,
    'kind',
    'transport',
    'direction',
    'source_ip',
    'source_port',
    'destination_ip',
    'destination_port',
    'bytes_in',
    'bytes_out',
    'packets_in',
    'packets_out',
    'community_id',
    'application_protocol',
    'process_pid',
    'process_name',
    'process_entity_id',
    'data',
  ],
  metrics: [...ENVELOPE, 'name', 'value', 'unit', 'metric_kind', 'attributes'],
  ot_transactions: [
    ...ENVELOPE,
    'protocol',
    'operation',
    'function_code',
    'function_name',
    'unit_id',
    'source_ip',
    'source_port',
    'destination_ip',
    'destination_port',
    'result',
    'exception_code',
    'data',
  ],
} as const satisfies Record<string, readonly string[]>;

export type TelemetryTable = keyof typeof TELEMETRY_TABLES;

/** The tables in the order a batch writes them. */
export const TABLE_NAMES = Object.keys(TELEMETRY_TABLES) as TelemetryTable[];

/** A batch's rows per table, in binary COPY format (bodies only: no header, no trailer). */
export type EncodedRows = Record<TelemetryTable, BinaryRows>;

/**
 * Encodes every event of a validated batch (tenant set, host filled in) into binary COPY rows of its table.
 * Events whose payload has no table (none today: the validator refuses events without a payload) are
 * skipped.
 */
export function encodeBatchRows(events: readonly Event[]): EncodedRows {
  const rows: EncodedRows = {
    events: new BinaryRows(events.length * 640),
    network_events: new BinaryRows(16 * 1024),
    metrics: new BinaryRows(16 * 1024),
    ot_transactions: new BinaryRows(1024),
  };
  for (const event of events) appendEventRow(rows, event);
  return rows;
}

/** proto3 JSON of a payload: enum names, 64-bit values as numbers, defaults omitted. */
const JSON_OPTIONS = { enums: String, longs: Number, defaults: false } as const;

export const ACTION_PROCESS = ['', 'start', 'exit'];
export const ACTION_FILE = ['', 'created', 'modified', 'deleted', 'attributes_changed', 'renamed'];
export const ACTION_AUTH = [
  '',
  'logon',
  'logoff',
  'elevate',
  'account_create',
  'account_change',
  'account_delete',
  'password_change',
];
export const OUTCOME_AUTH = ['', 'success', 'failure'];
export const NETWORK_KIND = ['unspecified', 'connection', 'flow', 'listen'];
export const TRANSPORT = ['', 'tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'other'];
export const DIRECTION = ['', 'inbound', 'outbound', 'internal', 'external'];
export const METRIC_KIND = ['', 'gauge', 'counter'];
export const OT_PROTOCOL = [
  'unspecified',
  'modbus',
  'dnp3',
  's7comm',
  'enip_cip',
  'bacnet',
  'iec104',
  'opcua',
  'mqtt',
];
export const OT_OPERATION = ['', 'read', 'write', 'control', 'program', 'diagnostic', 'other'];
export const OT_RESULT = ['', 'ok', 'exception', 'no_response'];

/** The label of an enum value; '' (NULL) for the unspecified value where the list starts with ''. */
export function label(names: readonly string[], value: number | null | undefined): string {
  return names[value ?? 0] ?? String(value);
}

/** The envelope every table's rows start with: tenant, agent, seq, times, sensor, host. */
function envelope(rows: BinaryRows, table: TelemetryTable, event: Event): BinaryRows {
  return rows
    .row(TELEMETRY_TABLES[table].length, event.seq)
    .uuid(event.tenantId)
    .text(event.agentId)
    .int8(event.seq)
    .timestamp(event.timeUnixUs)
    .timestamp(event.observedTimeUnixUs || event.timeUnixUs)
    .text(event.sensor)
    .text(event.host?.hostname)
    .text(event.host?.id);
}

/** The columns of a `telemetry.events` row after the envelope, in table order; undefined is NULL. */
interface EventsColumns {
  kind: string;
  action?: string | undefined;
  outcome?: string | undefined;
  userName?: string | null | undefined;
  process?: IProcess | null | undefined;
  pid?: number | undefined;
  processName?: string | undefined;
  parentEntityId?: string | null | undefined;
  sourceIp?: string | null | undefined;
  filePath?: string | null | undefined;
  sha256?: string | null | undefined;
  message?: string | null | undefined;
  data: unknown;
}

function eventsRow(rows: EncodedRows, event: Event, c: EventsColumns): void {
  const process = c.process;
  envelope(rows.events, 'events', event)
    .text(c.kind)
    .text(c.action)
    .text(c.outcome)
    .text(c.userName)
    .int4NonZero(c.pid ?? process?.pid)
    .text(c.processName ?? process?.name)
    .text(process?.executable)
    .text(process?.commandLine)
    .text(process?.entityId)
    .text(c.parentEntityId)
    .inet(c.sourceIp)
    .text(c.filePath)
    .text(c.sha256)
    .text(c.message)
    .json(c.data);
}

/**
 * Appends one validated event (tenant set, host filled in) to the rows of its table. Returns false for a
 * payload kind with no table.
 */
export function appendEventRow(rows: EncodedRows, event: Event): boolean {
  switch (event.payload) {
    case 'process': {
      const p = event.process as ProcessEvent;
      eventsRow(rows, event, {
        kind: 'process',
        action: label(ACTION_PROCESS, p.action),
        userName: p.process?.user?.name,
        process: p.process,
        parentEntityId: p.parent?.entityId,
        sha256: p.process?.hash?.sha256,
        data: ProcessEvent.toObject(p, JSON_OPTIONS),
      });
      return true;
    }
    case 'file': {
      const f = event.file as FileEvent;
      eventsRow(rows, event, {
        kind: 'file',
        action: label(ACTION_FILE, f.action),
        userName: f.user?.name || f.owner?.name,
        process: f.process,
        filePath: f.path,
        sha256: f.hash?.sha256,
        data: FileEvent.toObject(f, JSON_OPTIONS),
      });
      return true;
    }
    case 'auth': {
      const a = event.auth as AuthEvent;
      eventsRow(rows, event, {
        kind: 'auth',
        action: label(ACTION_AUTH, a.action),
        outcome: label(OUTCOME_AUTH, a.outcome),
        userName: a.user?.name,
        process: a.process,
        sourceIp: a.source?.ip,
        message: a.reason,
        data: AuthEvent.toObject(a, JSON_OPTIONS),
      });
      return true;
    }
    case 'log': {
      const l = event.log as LogEvent;
      eventsRow(rows, event, {
        kind: 'log',
        pid: l.pid,
        processName: l.program,
        filePath: l.source,
        message: l.message || l.original,
        data: LogEvent.toObject(l, JSON_OPTIONS),
      });
      return true;
    }
    case 'inventory': {
      const i = event.inventory as InventorySnapshot;
      eventsRow(rows, event, {
        kind: 'inventory',
        action: 'snapshot',
        data: InventorySnapshot.toObject(i, JSON_OPTIONS),
      });
      return true;
    }
    case 'network': {
      const n = event.network as NetworkEvent;
      envelope(rows.network_events, 'network_events', event)
        .text(label(NETWORK_KIND, n.kind))
        .text(label(TRANSPORT, n.transport))
        .text(label(DIRECTION, n.direction))
        .inet(n.source?.ip)
        .int4NonZero(n.source?.port)
        .inet(n.destination?.ip)
        .int4NonZero(n.destination?.port)
        .int8(Number(n.bytesIn))
        .int8(Number(n.bytesOut))
        .int8(Number(n.packetsIn))
        .int8(Number(n.packetsOut))
        .text(n.communityId)
        .text(n.applicationProtocol)
        .int4NonZero(n.process?.pid)
        .text(n.process?.name)
        .text(n.process?.entityId)
        .json(NetworkEvent.toObject(n, JSON_OPTIONS));
      return true;
    }
    case 'metric': {
      const m = event.metric as inosec.v1.Metric;
      envelope(rows.metrics, 'metrics', event)
        .text(m.name)
        .float8(m.value)
        .text(m.unit)
        .text(label(METRIC_KIND, m.kind))
        .json(m.attributes ?? {});
      return true;
    }
    case 'ot': {
      const o = event.ot as OtTransaction;
      envelope(rows.ot_transactions, 'ot_transactions', event)
        .text(label(OT_PROTOCOL, o.protocol))
        .text(label(OT_OPERATION, o.operation))
        .int4(o.functionCode)
        .text(o.functionName)
        .int4NonZero(o.unitId)
        .inet(o.source?.ip)
        .int4NonZero(o.source?.port)
        .inet(o.destination?.ip)
        .int4NonZero(o.destination?.port)
        .text(label(OT_RESULT, o.result))
        .int4NonZero(o.exceptionCode)
        .json(OtTransaction.toObject(o, JSON_OPTIONS));
      return true;
    }
    default:
      return false;
  }
}
