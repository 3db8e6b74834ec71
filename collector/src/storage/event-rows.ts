import { isIP } from 'node:net';
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
  type IEndpoint,
  type IProcess,
} from '@inosec/protos';
import { copyJson, copyNonZero, copyNumber, copyText, copyTimestamp } from './copy-text.js';

/** The telemetry tables a batch writes to, with the COPY column list of each. */
export const TELEMETRY_TABLES = {
  events: [
    'tenant_id',
    'agent_id',
    'seq',
    'time',
    'observed_time',
    'sensor',
    'host_name',
    'host_id',
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
    'tenant_id',
    'agent_id',
    'seq',
    'time',
    'observed_time',
    'sensor',
    'host_name',
    'host_id',
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
  metrics: [
    'tenant_id',
    'agent_id',
    'seq',
    'time',
    'observed_time',
    'sensor',
    'host_name',
    'host_id',
    'name',
    'value',
    'unit',
    'metric_kind',
    'attributes',
  ],
  ot_transactions: [
    'tenant_id',
    'agent_id',
    'seq',
    'time',
    'observed_time',
    'sensor',
    'host_name',
    'host_id',
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

/** COPY lines per table for one batch. */
export type TableRows = Record<TelemetryTable, string[]>;

export function emptyTableRows(): TableRows {
  return { events: [], network_events: [], metrics: [], ot_transactions: [] };
}

/** A batch's rows, encoded ahead of its transaction, with the seq of each line. */
export interface EncodedBatch {
  rows: TableRows;
  seqs: Record<TelemetryTable, number[]>;
}

/** Encodes every event of a validated batch (tenant set, host filled in) into COPY lines. */
export function encodeBatchRows(events: readonly Event[]): EncodedBatch {
  const rows = emptyTableRows();
  const seqs: Record<TelemetryTable, number[]> = {
    events: [],
    network_events: [],
    metrics: [],
    ot_transactions: [],
  };
  const tables = Object.keys(rows) as TelemetryTable[];
  for (const event of events) {
    const before = tables.map((t) => rows[t].length);
    if (!appendEventRow(rows, event)) continue;
    for (let i = 0; i < tables.length; i++) {
      const table = tables[i] as TelemetryTable;
      if (rows[table].length !== before[i]) seqs[table].push(event.seq);
    }
  }
  return { rows, seqs };
}

/** proto3 JSON of a payload: enum names, 64-bit values as numbers, defaults omitted. */
const JSON_OPTIONS = { enums: String, longs: Number, defaults: false } as const;

const ACTION_PROCESS = ['', 'start', 'exit'];
const ACTION_FILE = ['', 'created', 'modified', 'deleted', 'attributes_changed', 'renamed'];
const ACTION_AUTH = [
  '',
  'logon',
  'logoff',
  'elevate',
  'account_create',
  'account_change',
  'account_delete',
  'password_change',
];
const OUTCOME_AUTH = ['', 'success', 'failure'];
const NETWORK_KIND = ['unspecified', 'connection', 'flow', 'listen'];
const TRANSPORT = ['', 'tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'other'];
const DIRECTION = ['', 'inbound', 'outbound', 'internal', 'external'];
const METRIC_KIND = ['', 'gauge', 'counter'];
const OT_PROTOCOL = [
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
const OT_OPERATION = ['', 'read', 'write', 'control', 'program', 'diagnostic', 'other'];
const OT_RESULT = ['', 'ok', 'exception', 'no_response'];

function label(names: readonly string[], value: number | null | undefined): string {
  return names[value ?? 0] ?? String(value);
}

/** An inet value, or NULL when the text is not an IP address (the payload JSON keeps what was sent). */
function copyIp(ip: string | null | undefined): string {
  return ip && isIP(ip) !== 0 ? ip : '\\N';
}

function endpointIp(endpoint: IEndpoint | null | undefined): string {
  return copyIp(endpoint?.ip);
}

type EventsColumn = Exclude<(typeof TELEMETRY_TABLES.events)[number], (typeof ENVELOPE)[number]>;

/** The envelope columns every table starts with, in order. */
const ENVELOPE = [
  'tenant_id',
  'agent_id',
  'seq',
  'time',
  'observed_time',
  'sensor',
  'host_name',
  'host_id',
] as const;
const EVENTS_COLUMNS = TELEMETRY_TABLES.events.slice(ENVELOPE.length) as EventsColumn[];

/** The process columns of an events row. */
function processColumns(process: IProcess | null | undefined): Partial<Record<EventsColumn, string>> {
  return {
    process_pid: copyNonZero(process?.pid),
    process_name: copyText(process?.name),
    process_executable: copyText(process?.executable),
    process_command_line: copyText(process?.commandLine),
    process_entity_id: copyText(process?.entityId),
  };
}

/** One `telemetry.events` line: the envelope, then the named columns (NULL where not given). */
function eventsRow(envelope: readonly string[], columns: Partial<Record<EventsColumn, string>>): string {
  return [...envelope, ...EVENTS_COLUMNS.map((column) => columns[column] ?? '\\N')].join('\t');
}

/**
 * Appends one validated event (tenant set, host filled in) to the rows of its table. Returns false for a
 * payload kind with no table (none today; the validator refuses events without a payload).
 */
export function appendEventRow(rows: TableRows, event: Event): boolean {
  const envelope = [
    event.tenantId,
    copyText(event.agentId),
    String(event.seq),
    copyTimestamp(event.timeUnixUs),
    copyTimestamp(event.observedTimeUnixUs || event.timeUnixUs),
    copyText(event.sensor),
    copyText(event.host?.hostname),
    copyText(event.host?.id),
  ];
  switch (event.payload) {
    case 'process': {
      const p = event.process as ProcessEvent;
      rows.events.push(
        eventsRow(envelope, {
          kind: 'process',
          action: label(ACTION_PROCESS, p.action),
          user_name: copyText(p.process?.user?.name),
          ...processColumns(p.process),
          parent_entity_id: copyText(p.parent?.entityId),
          hash_sha256: copyText(p.process?.hash?.sha256),
          data: copyJson(ProcessEvent.toObject(p, JSON_OPTIONS)),
        }),
      );
      return true;
    }
    case 'file': {
      const f = event.file as FileEvent;
      rows.events.push(
        eventsRow(envelope, {
          kind: 'file',
          action: label(ACTION_FILE, f.action),
          user_name: copyText(f.user?.name ?? f.owner?.name),
          ...processColumns(f.process),
          file_path: copyText(f.path),
          hash_sha256: copyText(f.hash?.sha256),
          data: copyJson(FileEvent.toObject(f, JSON_OPTIONS)),
        }),
      );
      return true;
    }
    case 'auth': {
      const a = event.auth as AuthEvent;
      rows.events.push(
        eventsRow(envelope, {
          kind: 'auth',
          action: label(ACTION_AUTH, a.action),
          outcome: label(OUTCOME_AUTH, a.outcome) || '\\N',
          user_name: copyText(a.user?.name),
          ...processColumns(a.process),
          source_ip: endpointIp(a.source),
          message: copyText(a.reason),
          data: copyJson(AuthEvent.toObject(a, JSON_OPTIONS)),
        }),
      );
      return true;
    }
    case 'log': {
      const l = event.log as LogEvent;
      rows.events.push(
        eventsRow(envelope, {
          kind: 'log',
          process_pid: copyNonZero(l.pid),
          process_name: copyText(l.program),
          file_path: copyText(l.source),
          message: copyText(l.message || l.original),
          data: copyJson(LogEvent.toObject(l, JSON_OPTIONS)),
        }),
      );
      return true;
    }
    case 'inventory': {
      const i = event.inventory as InventorySnapshot;
      rows.events.push(
        eventsRow(envelope, {
          kind: 'inventory',
          action: 'snapshot',
          data: copyJson(InventorySnapshot.toObject(i, JSON_OPTIONS)),
        }),
      );
      return true;
    }
    case 'network': {
      const n = event.network as NetworkEvent;
      rows.network_events.push(
        [
          ...envelope,
          label(NETWORK_KIND, n.kind),
          label(TRANSPORT, n.transport) || '\\N',
          label(DIRECTION, n.direction) || '\\N',
          endpointIp(n.source),
          copyNonZero(n.source?.port),
          endpointIp(n.destination),
          copyNonZero(n.destination?.port),
          copyNumber(n.bytesIn),
          copyNumber(n.bytesOut),
          copyNumber(n.packetsIn),
          copyNumber(n.packetsOut),
          copyText(n.communityId),
          copyText(n.applicationProtocol),
          copyNonZero(n.process?.pid),
          copyText(n.process?.name),
          copyText(n.process?.entityId),
          copyJson(NetworkEvent.toObject(n, JSON_OPTIONS)),
        ].join('\t'),
      );
      return true;
    }
    case 'metric': {
      const m = event.metric as inosec.v1.Metric;
      rows.metrics.push(
        [
          ...envelope,
          copyText(m.name),
          copyNumber(m.value),
          copyText(m.unit),
          label(METRIC_KIND, m.kind) || '\\N',
          copyJson(m.attributes),
        ].join('\t'),
      );
      return true;
    }
    case 'ot': {
      const o = event.ot as OtTransaction;
      rows.ot_transactions.push(
        [
          ...envelope,
          label(OT_PROTOCOL, o.protocol),
          label(OT_OPERATION, o.operation) || '\\N',
          String(o.functionCode),
          copyText(o.functionName),
          copyNonZero(o.unitId),
          endpointIp(o.source),
          copyNonZero(o.source?.port),
          endpointIp(o.destination),
          copyNonZero(o.destination?.port),
          label(OT_RESULT, o.result) || '\\N',
          copyNonZero(o.exceptionCode),
          copyJson(OtTransaction.toObject(o, JSON_OPTIONS)),
        ].join('\t'),
      );
      return true;
    }
    default:
      return false;
  }
}
