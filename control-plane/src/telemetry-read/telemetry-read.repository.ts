// SQL of the telemetry read API. Telemetry is read only through the tenant_telemetry security_barrier views
// and agents/alerts through their Row Level Security: every statement runs in the caller's tenant scope
// (TenantDb.read). Values are always bound parameters; the only identifiers written into SQL come from the
// constant tables below.
import type { Queryable } from '../database/tenant-db.js';
import { isInternalSql, type TimeRange } from './telemetry-range.js';
import type { HuntTable } from './telemetry-schemas.js';

/** What a hunt condition may compare a column with. */
export type FieldType = 'text' | 'int' | 'inet';

/**
 * Each hunt table's whitelisted columns, as `fields` keys (camelCase) → column and type: the same keys as the
 * `fields` of matched events (alerts/matched-events.repository.ts).
 */
export const HUNT_FIELDS: Record<HuntTable, Record<string, { column: string; type: FieldType }>> = {
  events: {
    kind: { column: 'kind', type: 'text' },
    action: { column: 'action', type: 'text' },
    outcome: { column: 'outcome', type: 'text' },
    userName: { column: 'user_name', type: 'text' },
    processPid: { column: 'process_pid', type: 'int' },
    processName: { column: 'process_name', type: 'text' },
    processExecutable: { column: 'process_executable', type: 'text' },
    processCommandLine: { column: 'process_command_line', type: 'text' },
    processEntityId: { column: 'process_entity_id', type: 'text' },
    parentEntityId: { column: 'parent_entity_id', type: 'text' },
    sourceIp: { column: 'source_ip', type: 'inet' },
    filePath: { column: 'file_path', type: 'text' },
    hashSha256: { column: 'hash_sha256', type: 'text' },
    message: { column: 'message', type: 'text' },
  },
  network_events: {
    kind: { column: 'kind', type: 'text' },
    transport: { column: 'transport', type: 'text' },
    direction: { column: 'direction', type: 'text' },
    sourceIp: { column: 'source_ip', type: 'inet' },
    sourcePort: { column: 'source_port', type: 'int' },
    destinationIp: { column: 'destination_ip', type: 'inet' },
    destinationPort: { column: 'destination_port', type: 'int' },
    bytesIn: { column: 'bytes_in', type: 'int' },
    bytesOut: { column: 'bytes_out', type: 'int' },
    packetsIn: { column: 'packets_in', type: 'int' },
    packetsOut: { column: 'packets_out', type: 'int' },
    communityId: { column: 'community_id', type: 'text' },
    applicationProtocol: { column: 'application_protocol', type: 'text' },
    processPid: { column: 'process_pid', type: 'int' },
    processName: { column: 'process_name', type: 'text' },
    processEntityId: { column: 'process_entity_id', type: 'text' },
  },
  ot_transactions: {
    protocol: { column: 'protocol', type: 'text' },
    operation: { column: 'operation', type: 'text' },
    functionCode: { column: 'function_code', type: 'int' },
    functionName: { column: 'function_name', type: 'text' },
    unitId: { column: 'unit_id', type: 'int' },
    sourceIp: { column: 'source_ip', type: 'inet' },
    sourcePort: { column: 'source_port', type: 'int' },
    destinationIp: { column: 'destination_ip', type: 'inet' },
    destinationPort: { column: 'destination_port', type: 'int' },
    result: { column: 'result', type: 'text' },
    exceptionCode: { column: 'exception_code', type: 'int' },
  },
};

// Online: a heartbeat within three of its intervals, and not revoked (as fleet/agents.repository.ts).
const ONLINE = `(a.revoked_at IS NULL AND a.last_seen_at > now() - 3 * make_interval(secs => a.heartbeat_interval_seconds))`;

/** Open alerts (new or acknowledged) whose host name is the SQL expression `name` (case-insensitive). */
const openAlertsByName = (name: string) =>
  `(SELECT count(*) FROM telemetry.alerts al
     WHERE al.status IN ('new', 'acknowledged') AND lower(al.host_name) = lower(${name}))::int`;

/** The connection and flow events of the range, with both addresses. */
const CONNECTIONS = `
  SELECT n.agent_id, n.host_name, n.time, n.source_ip, n.destination_ip, host(n.source_ip) AS src,
         host(n.destination_ip) AS dst, coalesce(n.bytes_in, 0) + coalesce(n.bytes_out, 0) AS bytes,
         n.transport, n.application_protocol, n.destination_port
    FROM tenant_telemetry.network_events n
   WHERE n.time >= $1::timestamptz AND n.time <= $2::timestamptz AND n.kind IN ('connection', 'flow')
     AND n.source_ip IS NOT NULL AND n.destination_ip IS NOT NULL`;

/** Each agent address (without a prefix length): which agents have it. */
const AGENT_IPS = `
  SELECT a.id, split_part(u.addr, '/', 1) AS ip
    FROM inosec.agents a CROSS JOIN LATERAL unnest(a.ip_addresses) AS u (addr)`;

export interface EdgeRow {
  source: string;
  target: string;
  bytes: number;
  count: number;
  transports: string[] | null;
  applications: string[] | null;
  ports: number[] | null;
}

/**
 * The edges of the range, heaviest first, at most `limit + 1` (the caller detects truncation). An address is
 * the host of an agent when the reporting agent has it, or else when exactly one agent of the tenant has it
 * (a loopback address every host has stays an address); any other address is its own node.
 */
export async function graphEdges(
  client: Queryable,
  range: TimeRange,
  host: string | undefined,
  limit: number,
): Promise<EdgeRow[]> {
  const endpoint = (ip: string) => `coalesce(
      (SELECT 'host:' || ai.id FROM agent_ips ai WHERE ai.id = c.agent_id AND ai.ip = c.${ip} LIMIT 1),
      (SELECT 'host:' || ui.id FROM unique_ips ui WHERE ui.ip = c.${ip}),
      'ip:' || c.${ip})`;
  const { rows } = await client.query<EdgeRow>(
    `WITH agent_ips AS (${AGENT_IPS}),
     unique_ips AS (SELECT ip, min(id) AS id FROM agent_ips GROUP BY ip HAVING count(DISTINCT id) = 1),
     host_nodes AS (
       SELECT 'host:' || a.id AS id FROM inosec.agents a WHERE lower(a.host_name) = lower($3::text)
     ),
     c AS (${CONNECTIONS}),
     ends AS (
       SELECT ${endpoint('src')} AS source, ${endpoint('dst')} AS target, c.bytes, c.transport,
              c.application_protocol, c.destination_port
         FROM c
     ),
     kept AS (
       SELECT * FROM ends
        WHERE source <> target
          AND ($3::text IS NULL OR source IN (SELECT id FROM host_nodes) OR target IN (SELECT id FROM host_nodes))
     ),
     edges AS (
       SELECT source, target, sum(bytes)::float8 AS bytes, count(*)::float8 AS count,
              array_agg(DISTINCT transport) FILTER (WHERE transport IS NOT NULL) AS transports,
              array_agg(DISTINCT application_protocol) FILTER (WHERE application_protocol IS NOT NULL) AS applications
         FROM kept GROUP BY source, target
        ORDER BY 3 DESC, 4 DESC, source COLLATE "C", target COLLATE "C"
        LIMIT $4::int + 1
     ),
     port_counts AS (
       SELECT k.source, k.target, k.destination_port AS port, count(*) AS n
         FROM kept k JOIN edges e ON e.source = k.source AND e.target = k.target
        WHERE k.destination_port IS NOT NULL
        GROUP BY 1, 2, 3
     ),
     ports AS (
       SELECT source, target, (array_agg(port ORDER BY n DESC, port))[1:5] AS ports
         FROM port_counts GROUP BY source, target
     )
     SELECT e.source, e.target, e.bytes, e.count, e.transports, e.applications, p.ports
       FROM edges e LEFT JOIN ports p ON p.source = e.source AND p.target = e.target
      ORDER BY e.bytes DESC, e.count DESC, e.source COLLATE "C", e.target COLLATE "C"`,
    [range.from, range.to, host ?? null, limit],
  );
  return rows;
}

export interface AgentNodeRow {
  id: string;
  host_name: string;
  ips: string[];
  open_alerts: number;
}

/** The agents `ids` with their addresses and open alerts (by host name). */
export async function agentNodes(client: Queryable, ids: readonly string[]): Promise<AgentNodeRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<AgentNodeRow>(
    `SELECT a.id, a.host_name, ARRAY(SELECT split_part(x, '/', 1) FROM unnest(a.ip_addresses) AS x) AS ips,
            ${openAlertsByName("nullif(a.host_name, '')")} AS open_alerts
       FROM inosec.agents a WHERE a.id = ANY($1::text[])`,
    [ids],
  );
  return rows;
}

export interface PeerRow {
  ip: string;
  bytes: number;
  count: number;
  hosts: string[] | null;
  first_seen: Date;
  last_seen: Date;
}

/**
 * External addresses of the range's connections, heaviest first. An address one of the tenant's agents has is
 * the tenant's own host (a public address of a server, say), never a peer.
 */
export async function peers(client: Queryable, range: TimeRange, limit: number): Promise<PeerRow[]> {
  const { rows } = await client.query<PeerRow>(
    `WITH c AS (${CONNECTIONS}),
     agent_ips AS (${AGENT_IPS}),
     remote AS (
       SELECT c.destination_ip AS ip, c.host_name, c.time, c.bytes FROM c WHERE NOT ${isInternalSql('c.destination_ip')}
       UNION ALL
       SELECT c.source_ip, c.host_name, c.time, c.bytes FROM c WHERE NOT ${isInternalSql('c.source_ip')}
     )
     SELECT host(ip) AS ip, sum(bytes)::float8 AS bytes, count(*)::float8 AS count,
            (array_agg(DISTINCT host_name ORDER BY host_name) FILTER (WHERE host_name IS NOT NULL))[1:10] AS hosts,
            min(time) AS first_seen, max(time) AS last_seen
       FROM remote
      WHERE NOT EXISTS (SELECT 1 FROM agent_ips ai WHERE ai.ip = host(remote.ip))
      GROUP BY ip
      ORDER BY 2 DESC, 3 DESC, ip
      LIMIT $3::int`,
    [range.from, range.to, limit],
  );
  return rows;
}

export interface AssetRow {
  kind: 'host' | 'ot_device';
  id: string;
  name: string;
  sort_name: string;
  agent_id: string | null;
  os: string | null;
  agent_version: string | null;
  ips: string[];
  last_seen: Date | null;
  status: 'online' | 'offline' | 'revoked' | 'seen';
  protocols: string[];
  open_alerts: number;
}

/**
 * A page of assets by name: the tenant's agents, and the addresses seen as destinations of OT transactions
 * that are no agent's. At most `limit + 1` rows after the keyset position `after` (lower-cased name, id).
 */
export async function assets(
  client: Queryable,
  filters: { q?: string | undefined; kind?: 'host' | 'ot_device' | undefined },
  after: [string, string] | undefined,
  limit: number,
): Promise<AssetRow[]> {
  const { rows } = await client.query<AssetRow>(
    `WITH agent_ips AS (${AGENT_IPS}),
     all_assets AS (
       SELECT 'host'::text AS kind, 'host:' || a.id AS id, coalesce(nullif(a.host_name, ''), a.id) AS name,
              a.id AS agent_id, nullif(a.os, '') AS os, nullif(a.version, '') AS agent_version,
              ARRAY(SELECT split_part(x, '/', 1) FROM unnest(a.ip_addresses) AS x) AS ips,
              a.last_seen_at AS last_seen,
              CASE WHEN a.revoked_at IS NOT NULL THEN 'revoked' WHEN ${ONLINE} THEN 'online' ELSE 'offline' END AS status,
              '{}'::text[] AS protocols
         FROM inosec.agents a
        WHERE $1::text IS NULL OR $1::text = 'host'
       UNION ALL
       SELECT 'ot_device', 'ip:' || host(o.destination_ip), host(o.destination_ip), NULL, NULL, NULL,
              ARRAY[host(o.destination_ip)], max(o.time), 'seen', array_agg(DISTINCT o.protocol ORDER BY o.protocol)
         FROM tenant_telemetry.ot_transactions o
        WHERE ($1::text IS NULL OR $1::text = 'ot_device') AND o.destination_ip IS NOT NULL
          AND host(o.destination_ip) NOT IN (SELECT ip FROM agent_ips)
        GROUP BY o.destination_ip
     )
     SELECT s.*, lower(s.name) AS sort_name, ${openAlertsByName('s.name')} AS open_alerts
       FROM all_assets s
      WHERE ($2::text IS NULL OR strpos(lower(s.name), lower($2::text)) > 0
             OR EXISTS (SELECT 1 FROM unnest(s.ips) AS i WHERE strpos(lower(i), lower($2::text)) > 0))
        AND ($3::text IS NULL
             OR (lower(s.name) COLLATE "C", s.id COLLATE "C") > ($3::text COLLATE "C", $4::text COLLATE "C"))
      ORDER BY lower(s.name) COLLATE "C", s.id COLLATE "C"
      LIMIT $5::int + 1`,
    [filters.kind ?? null, filters.q ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return rows;
}

export interface HuntDbRow {
  agent_id: string;
  seq: string;
  at: string;
  host_name: string | null;
  fields: Record<string, unknown>;
}

/** A checked hunt condition: its SQL (over alias `e`) with the values it binds, numbered from `$next`. */
export interface HuntClause {
  sql: (param: (value: unknown) => string) => string;
}

/**
 * A page of one table's events, newest first (time, agent, seq), at most `limit + 1`: within the range, on
 * `host`, matching every clause, after the keyset position `after`.
 */
export async function huntEvents(
  client: Queryable,
  table: HuntTable,
  range: TimeRange,
  host: string | undefined,
  clauses: readonly HuntClause[],
  after: { at: string; agentId: string; seq: string } | undefined,
  limit: number,
): Promise<HuntDbRow[]> {
  const values: unknown[] = [range.from, range.to];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ['e.time >= $1::timestamptz', 'e.time <= $2::timestamptz'];
  if (host !== undefined) where.push(`lower(e.host_name) = lower(${param(host)}::text)`);
  for (const clause of clauses) where.push(`(${clause.sql(param)})`);
  if (after !== undefined) {
    where.push(
      `(e.time, e.agent_id COLLATE "C", e.seq) < (${param(after.at)}::timestamptz, ${param(after.agentId)}::text COLLATE "C", ${param(after.seq)}::bigint)`,
    );
  }
  const fields = Object.entries(HUNT_FIELDS[table])
    .map(([key, { column }]) => `'${key}', e.${column}`)
    .join(', ');
  const { rows } = await client.query<HuntDbRow>(
    `SELECT e.agent_id, e.seq::text AS seq,
            to_char(e.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
            e.host_name, json_build_object(${fields}) AS fields
       FROM tenant_telemetry.${table} e
      WHERE ${where.join(' AND ')}
      ORDER BY e.time DESC, e.agent_id COLLATE "C" DESC, e.seq DESC
      LIMIT ${param(limit)}::int + 1`,
    values,
  );
  return rows;
}

export interface ScanRow {
  tbl: 'events' | 'network_events';
  agent_id: string;
  seq: string;
  at: string;
  time_us: string;
  host_name: string | null;
  host_id: string | null;
  sensor: string;
  kind: string;
  data: Record<string, unknown>;
  fields: Record<string, unknown>;
}

/** The tables whose events Sigma rules match (their payloads feed the log sources). */
const SCANNED: ReadonlyArray<{ table: 'events' | 'network_events'; kind: string }> = [
  { table: 'events', kind: 'e.kind' },
  { table: 'network_events', kind: "'network'::text" },
];

/**
 * A batch of the events Sigma rules can match (events and network_events), newest first (time, table,
 * agent, seq), at most `limit`, after the keyset position `after`. `kind` is the Event payload's name.
 */
export async function scanBatch(
  client: Queryable,
  range: TimeRange,
  host: string | undefined,
  after: { at: string; tbl: string; agentId: string; seq: string } | undefined,
  limit: number,
): Promise<ScanRow[]> {
  const selects = SCANNED.map(({ table, kind }) => {
    const fields = Object.entries(HUNT_FIELDS[table])
      .map(([key, { column }]) => `'${key}', e.${column}`)
      .join(', ');
    return `SELECT '${table}'::text AS tbl, e.agent_id, e.seq, e.time, e.host_name, e.host_id, e.sensor,
                   ${kind} AS kind, e.data, json_build_object(${fields}) AS fields
              FROM tenant_telemetry.${table} e
             WHERE e.time >= $1::timestamptz AND e.time <= $2::timestamptz
               AND ($3::text IS NULL OR lower(e.host_name) = lower($3::text))
               AND ($4::timestamptz IS NULL OR e.time <= $4::timestamptz)`;
  });
  const { rows } = await client.query<ScanRow>(
    `SELECT x.tbl, x.agent_id, x.seq::text AS seq,
            to_char(x.time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
            (extract(epoch FROM x.time) * 1000000)::bigint::text AS time_us,
            x.host_name, x.host_id, x.sensor, x.kind, x.data, x.fields
       FROM (${selects.join(' UNION ALL ')}) x
      WHERE $4::timestamptz IS NULL
         OR (x.time, x.tbl COLLATE "C", x.agent_id COLLATE "C", x.seq)
            < ($4::timestamptz, $5::text COLLATE "C", $6::text COLLATE "C", $7::bigint)
      ORDER BY x.time DESC, x.tbl COLLATE "C" DESC, x.agent_id COLLATE "C" DESC, x.seq DESC
      LIMIT $8::int`,
    [
      range.from,
      range.to,
      host ?? null,
      after?.at ?? null,
      after?.tbl ?? null,
      after?.agentId ?? null,
      after?.seq ?? null,
      limit,
    ],
  );
  return rows;
}
