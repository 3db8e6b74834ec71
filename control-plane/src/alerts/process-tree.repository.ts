// The process events around an alert, read through the tenant's security_barrier view
// (tenant_telemetry.events): the alert's matched process events, their ancestors and their descendants on
// the same agent. Every statement is bounded in time (the table is partitioned by day and indexed on
// (tenant_id, time)) and every value is a bound parameter.
//
// What the procfs sensor stores (edge-agent/src/sensors/process/process-poller.ts): a START's time is the
// process's own start time, and its `data.parent` is the parent's snapshot with the parent's start time
// (`startTimeUnixUs`), so the parent's START is found at that exact time; a process that exec()s in place
// sends a further START with the same entity id and start time; an EXIT is timed when the agent saw it gone.
import type { Queryable } from '../database/tenant-db.js';
import type { EventRef } from './matched-events.repository.js';

/** The parent snapshot a process event carries (`data.parent`, proto3 JSON). */
export interface ParentSnapshot {
  pid?: number;
  entityId?: string;
  executable?: string;
  name?: string;
  commandLine?: string;
  user?: { name?: string };
  startTimeUnixUs?: number | string;
}

/** One stored process event, with what the tree needs of its payload. */
export interface ProcessRow {
  agent_id: string;
  host_name: string | null;
  seq: string;
  time: Date;
  entity_id: string | null;
  parent_entity_id: string | null;
  action: string | null;
  pid: number | null;
  name: string | null;
  executable: string | null;
  command_line: string | null;
  user_name: string | null;
  /** The process's start time, µs since the epoch (data.process.startTimeUnixUs). */
  start_us: string | null;
  parent: ParentSnapshot | null;
  /** The parent's start time, µs (data.parent.startTimeUnixUs): where the parent's START is stored. */
  parent_start_us: string | null;
  /** Entity ids of the further ancestors, grandparent first (data.ancestorEntityIds). */
  ancestors: string[] | null;
}

const ROW = `e.agent_id, e.host_name, e.seq::text AS seq, e.time, e.process_entity_id AS entity_id,
  e.parent_entity_id, e.action, e.process_pid AS pid, e.process_name AS name, e.process_executable AS executable,
  e.process_command_line AS command_line, e.user_name, e.data->'process'->>'startTimeUnixUs' AS start_us,
  e.data->'parent' AS parent, e.data->'parent'->>'startTimeUnixUs' AS parent_start_us,
  e.data->'ancestorEntityIds' AS ancestors`;

/** What the tree needs of the alert (Row Level Security: the transaction's tenant only). */
export interface AlertScope {
  agentId: string | null;
  hostName: string | null;
  firstSeen: Date;
  lastSeen: Date;
  refs: EventRef[];
}

export async function alertScope(client: Queryable, id: string): Promise<AlertScope | undefined> {
  const { rows } = await client.query<{
    agent_id: string | null;
    host_name: string | null;
    first_seen: Date;
    last_seen: Date;
    refs: EventRef[];
  }>(
    `SELECT a.agent_id, a.host_name, a.first_seen, a.last_seen, a.events AS refs
       FROM telemetry.alerts a WHERE a.id = $1::uuid`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    agentId: row.agent_id,
    hostName: row.host_name,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    refs: row.refs,
  };
}

/** The process events among the alert's references, oldest first (partitions pruned by the refs' times). */
export async function matchedProcessRows(
  client: Queryable,
  refs: readonly EventRef[],
): Promise<ProcessRow[]> {
  if (refs.length === 0) return [];
  const { rows } = await client.query<ProcessRow>(
    `SELECT ${ROW}
       FROM unnest($1::text[], $2::bigint[], $3::timestamptz[]) AS r (agent_id, seq, time)
       JOIN tenant_telemetry.events e
         ON e.time = r.time AND e.agent_id = r.agent_id AND e.seq = r.seq AND e.time = ANY($3::timestamptz[])
      WHERE e.kind = 'process'
      ORDER BY e.time, e.seq`,
    [refs.map((r) => r.agent_id), refs.map((r) => String(r.seq)), refs.map((r) => r.time)],
  );
  return rows;
}

/** A process to look up by its START: its entity id and its start time (µs), where that START is stored. */
export interface StartRef {
  entityId: string;
  startUs: string;
}

/** µs since the epoch (digits) as an exact ISO-8601 time with microseconds. */
export function microsToTimestamp(us: string): string {
  const micros = BigInt(us);
  const millis = new Date(Number(micros / 1000n)).toISOString();
  return `${millis.slice(0, 23)}${String(micros % 1000n).padStart(3, '0')}Z`;
}

/**
 * The stored STARTs of `refs` on one agent (an exec() in place is a further START at the same time). The
 * start times are a parameter, so only their partitions are planned and each is probed by the (tenant,
 * time) index: one step of the walk up the ancestry.
 */
export async function startsOf(
  client: Queryable,
  agentId: string,
  refs: readonly StartRef[],
): Promise<ProcessRow[]> {
  if (refs.length === 0) return [];
  const times = refs.map((r) => microsToTimestamp(r.startUs));
  const { rows } = await client.query<ProcessRow>(
    `SELECT ${ROW}
       FROM unnest($2::text[], $3::timestamptz[]) AS s (entity_id, time)
       JOIN tenant_telemetry.events e
         ON e.time = s.time AND e.process_entity_id = s.entity_id AND e.time = ANY($3::timestamptz[])
      WHERE e.agent_id = $1 AND e.kind = 'process' AND e.action = 'start'
      ORDER BY e.time, e.seq`,
    [agentId, refs.map((r) => r.entityId), times],
  );
  return rows;
}

/** A row of {@link windowRows}: `depth` (generations below a matched process) for descendants, else null. */
export type WindowRow = ProcessRow & { depth: number | null; first: Date | null };

/**
 * The process events of one agent in [from, to]: those of the descendants of `roots` (processes whose
 * parent chain, as stored in the window, leads to a root; at most `maxDepth` generations, the `limit`
 * nearest first: by generation, then start), and those of the processes `known`. One scan of the window.
 */
export async function windowRows(
  client: Queryable,
  agentId: string,
  range: { from: Date; to: Date },
  roots: readonly string[],
  known: readonly string[],
  maxDepth: number,
  limit: number,
): Promise<WindowRow[]> {
  const { rows } = await client.query<WindowRow>(
    `WITH RECURSIVE win AS MATERIALIZED (
       SELECT ${ROW} FROM tenant_telemetry.events e
        WHERE e.time >= $2::timestamptz AND e.time <= $3::timestamptz AND e.agent_id = $1
          AND e.kind = 'process' AND e.process_entity_id IS NOT NULL
     ), links AS (
       SELECT entity_id, parent_entity_id, min(time) AS first FROM win
        WHERE parent_entity_id IS NOT NULL GROUP BY entity_id, parent_entity_id
     ), down (entity_id, depth) AS (
       SELECT s.id, 0 FROM unnest($4::text[]) AS s (id)
       UNION
       SELECT l.entity_id, d.depth + 1 FROM down d JOIN links l ON l.parent_entity_id = d.entity_id
        WHERE d.depth < $6
     ), chosen AS (
       SELECT d.entity_id, min(d.depth) AS depth, min(l.first) AS first
         FROM down d JOIN links l ON l.entity_id = d.entity_id
        WHERE d.depth > 0 AND NOT d.entity_id = ANY($4::text[])
        GROUP BY d.entity_id
        ORDER BY 2, 3, 1
        LIMIT $7
     )
     SELECT c.depth, c.first, w.* FROM win w JOIN chosen c ON c.entity_id = w.entity_id
     UNION ALL
     SELECT NULL, NULL, w.* FROM win w
      WHERE w.entity_id = ANY($5::text[]) AND NOT EXISTS (SELECT 1 FROM chosen c WHERE c.entity_id = w.entity_id)`,
    [agentId, range.from, range.to, roots, known, maxDepth, limit],
  );
  return rows;
}
