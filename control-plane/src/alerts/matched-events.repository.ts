// The stored events alerts refer to, read through the tenant's security_barrier views (tenant_telemetry):
// each reference (agent_id, seq, time) is found by the (tenant_id, time) index of its table, then checked on
// agent and seq. Alerts of every ruleset may point at any of the three detection tables, so all three are
// searched; a reference whose event was dropped by retention simply finds nothing.
import type { Queryable } from '../database/tenant-db.js';
import type { MatchedEvent } from './alert-schemas.js';

const ENVELOPE = 'e.agent_id, e.seq, e.time, e.observed_time, e.sensor, e.host_name, e.host_id, e.data';

/** Each table's typed columns, as `fields` keys (camelCase) → column. */
const FIELDS: Record<MatchedEvent['table'], Record<string, string>> = {
  events: {
    kind: 'kind',
    action: 'action',
    outcome: 'outcome',
    userName: 'user_name',
    processPid: 'process_pid',
    processName: 'process_name',
    processExecutable: 'process_executable',
    processCommandLine: 'process_command_line',
    processEntityId: 'process_entity_id',
    parentEntityId: 'parent_entity_id',
    sourceIp: 'source_ip',
    filePath: 'file_path',
    hashSha256: 'hash_sha256',
    message: 'message',
  },
  network_events: {
    kind: 'kind',
    transport: 'transport',
    direction: 'direction',
    sourceIp: 'source_ip',
    sourcePort: 'source_port',
    destinationIp: 'destination_ip',
    destinationPort: 'destination_port',
    bytesIn: 'bytes_in',
    bytesOut: 'bytes_out',
    packetsIn: 'packets_in',
    packetsOut: 'packets_out',
    communityId: 'community_id',
    applicationProtocol: 'application_protocol',
    processPid: 'process_pid',
    processName: 'process_name',
    processEntityId: 'process_entity_id',
  },
  ot_transactions: {
    protocol: 'protocol',
    operation: 'operation',
    functionCode: 'function_code',
    functionName: 'function_name',
    unitId: 'unit_id',
    sourceIp: 'source_ip',
    sourcePort: 'source_port',
    destinationIp: 'destination_ip',
    destinationPort: 'destination_port',
    result: 'result',
    exceptionCode: 'exception_code',
  },
};

/**
 * A SELECT (UNION ALL over the three tables) of the events referred to by `refs`, a FROM item with columns
 * alert_id, agent_id, seq, time (aliased `r`). Columns: tbl, alert_id, the envelope, fields (json), data.
 */
export function matchedEventsSelect(refs: string, timesParam?: string): string {
  // With the reference times as a parameter, PostgreSQL prunes the daily partitions at plan time: without
  // it, every partition of the three tables is planned and probed.
  const pruning = timesParam === undefined ? '' : ` AND e.time = ANY(${timesParam}::timestamptz[])`;
  return (Object.keys(FIELDS) as Array<MatchedEvent['table']>)
    .map((table) => {
      const fields = Object.entries(FIELDS[table])
        .map(([key, column]) => `'${key}', e.${column}`)
        .join(', ');
      return `SELECT '${table}'::text AS tbl, r.alert_id, ${ENVELOPE}, json_build_object(${fields}) AS fields
                FROM ${refs} JOIN tenant_telemetry.${table} e
                  ON e.time = r.time AND e.agent_id = r.agent_id AND e.seq = r.seq${pruning}`;
    })
    .join(' UNION ALL ');
}

/** One JSON object per matched event (the shape of MatchedEvent), from a row of matchedEventsSelect `m`. */
export const MATCHED_EVENT_JSON = `json_build_object('table', m.tbl, 'alertId', m.alert_id, 'agentId', m.agent_id,
  'seq', m.seq, 'time', m.time, 'observedTime', m.observed_time, 'sensor', m.sensor, 'hostName', m.host_name,
  'hostId', m.host_id, 'fields', m.fields, 'data', m.data)`;

/** A matched event as json_build_object returned it (times as PostgreSQL prints them in JSON). */
export interface MatchedEventJson extends MatchedEvent {
  alertId: string | null;
}

/** Normalises an event of MATCHED_EVENT_JSON: times as ISO-8601 UTC. */
export function toMatchedEvent(json: MatchedEventJson): MatchedEvent & { alertId: string | null } {
  return { ...json, time: isoTime(json.time), observedTime: isoTime(json.observedTime) };
}

function isoTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** An alert's reference to a stored event, as telemetry.alerts.events holds it. */
export interface EventRef {
  agent_id: string;
  seq: number | string;
  time: string;
}

/**
 * The stored events behind `refs`, oldest first: one statement whose partition pruning uses the references'
 * times. Runs in the caller's tenant transaction (the tenant views filter on it).
 */
export async function eventsByRefs(
  client: Queryable,
  refs: readonly EventRef[],
): Promise<Array<MatchedEvent & { alertId: string | null }>> {
  if (refs.length === 0) return [];
  const { rows } = await client.query<{ event: MatchedEventJson }>(
    `WITH refs AS (
       SELECT NULL::uuid AS alert_id, x.agent_id, x.seq, x.time
         FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS x (agent_id, seq, time)
     ), m AS (${matchedEventsSelect('refs r', '$3')})
     SELECT ${MATCHED_EVENT_JSON} AS event FROM m ORDER BY m.time, m.seq`,
    [refs.map((r) => r.agent_id), refs.map((r) => String(r.seq)), refs.map((r) => r.time)],
  );
  return rows.map((row) => toMatchedEvent(row.event));
}

/**
 * The stored events of the given alerts (at most `limit` references, oldest first), for an incident's
 * timeline. One statement; runs in the caller's tenant transaction.
 */
export async function eventsOfAlerts(
  client: Queryable,
  alertIds: readonly string[],
  limit: number,
): Promise<Array<MatchedEvent & { alertId: string | null }>> {
  if (alertIds.length === 0) return [];
  const { rows } = await client.query<{ event: MatchedEventJson }>(
    `WITH refs AS (
       SELECT a.id AS alert_id, x.agent_id, x.seq, x.time
         FROM telemetry.alerts a
        CROSS JOIN LATERAL jsonb_to_recordset(a.events) AS x (agent_id text, seq bigint, time timestamptz)
        WHERE a.id = ANY($1::uuid[])
        ORDER BY x.time, x.seq
        LIMIT $2
     ), m AS (${matchedEventsSelect('refs r')})
     SELECT ${MATCHED_EVENT_JSON} AS event FROM m ORDER BY m.time, m.seq`,
    [alertIds, limit],
  );
  return rows.map((row) => toMatchedEvent(row.event));
}
