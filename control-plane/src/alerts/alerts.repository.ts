// telemetry.alerts as the application role reads and triages it (Row Level Security: the transaction's
// tenant only). One statement per read: the queue page, the counts, one alert with its stored events.
import type pg from 'pg';
import type { Queryable } from '../database/tenant-db.js';
import type {
  AlertCounts,
  AlertDetail,
  AlertFilters,
  AlertItem,
  AlertStatus,
  CloseReason,
  Severity,
} from './alert-schemas.js';
import { ALERT_STATUSES, SEVERITIES } from './alert-schemas.js';
import type { KeysetPosition } from './keyset-cursor.js';
import { eventsByRefs, type EventRef } from './matched-events.repository.js';

/** A time with microseconds, UTC, as the cursor keeps it. */
export const MICROS = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const ITEM_COLUMNS = `a.id, a.title, a.severity, a.status, a.rule_id, a.rule_name, a.ruleset, a.host_name, a.host_id,
  a.agent_id, a.techniques, a.tactics, a.count, a.first_seen, a.last_seen, a.incident_id, a.acknowledged_at,
  a.closed_at, a.close_reason, a.updated_at, ${MICROS('a.last_seen')} AS cursor_at,
  u.id AS assignee_id, u.email AS assignee_email, u.display_name AS assignee_name`;

const FROM = 'telemetry.alerts a LEFT JOIN inosec.users u ON u.id = a.assignee_id';

interface ItemRow {
  id: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  rule_id: string;
  rule_name: string;
  ruleset: string;
  host_name: string | null;
  host_id: string | null;
  agent_id: string | null;
  techniques: string[];
  tactics: string[];
  count: string;
  first_seen: Date;
  last_seen: Date;
  incident_id: string | null;
  acknowledged_at: Date | null;
  closed_at: Date | null;
  close_reason: CloseReason | null;
  updated_at: Date;
  cursor_at: string;
  assignee_id: string | null;
  assignee_email: string | null;
  assignee_name: string | null;
}

function toItem(row: ItemRow): AlertItem {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    status: row.status,
    rule: { id: row.rule_id, name: row.rule_name, ruleset: row.ruleset },
    host: { name: row.host_name, id: row.host_id, agentId: row.agent_id },
    techniques: row.techniques,
    tactics: row.tactics,
    count: Number(row.count),
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen.toISOString(),
    assignee:
      row.assignee_id === null
        ? null
        : { id: row.assignee_id, email: row.assignee_email ?? '', displayName: row.assignee_name ?? '' },
    incidentId: row.incident_id,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    closedAt: row.closed_at?.toISOString() ?? null,
    closeReason: row.close_reason,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** WHERE terms for the filters; values appended to `params`. */
function filterTerms(tenantId: string, filters: AlertFilters, params: unknown[]): string[] {
  const terms: string[] = [];
  const add = (value: unknown, term: (p: string) => string) => {
    params.push(value);
    terms.push(term(`$${params.length}`));
  };
  add(tenantId, (p) => `a.tenant_id = ${p}::uuid`);
  if (filters.from !== undefined) add(filters.from, (p) => `a.last_seen >= ${p}::timestamptz`);
  if (filters.to !== undefined) add(filters.to, (p) => `a.last_seen <= ${p}::timestamptz`);
  if (filters.severity?.length) add(filters.severity, (p) => `a.severity = ANY(${p}::text[])`);
  if (filters.status?.length) add(filters.status, (p) => `a.status = ANY(${p}::text[])`);
  if (filters.host !== undefined) add(filters.host, (p) => `lower(a.host_name) = lower(${p})`);
  if (filters.ruleId !== undefined) add(filters.ruleId, (p) => `a.rule_id = ${p}`);
  if (filters.technique !== undefined) {
    add(
      filters.technique,
      (p) =>
        `EXISTS (SELECT 1 FROM unnest(a.techniques) AS t WHERE upper(t) = ${p} OR upper(t) LIKE ${p} || '.%')`,
    );
  }
  if (filters.assigneeId !== undefined) add(filters.assigneeId, (p) => `a.assignee_id = ${p}::uuid`);
  if (filters.incidentId !== undefined) add(filters.incidentId, (p) => `a.incident_id = ${p}::uuid`);
  return terms;
}

/** A page of the queue, newest last_seen first; `after` continues after that row. */
export async function listAlerts(
  client: Queryable,
  tenantId: string,
  filters: AlertFilters,
  after: KeysetPosition | undefined,
  limit: number,
): Promise<{ items: AlertItem[]; next: KeysetPosition | undefined }> {
  const params: unknown[] = [];
  const terms = filterTerms(tenantId, filters, params);
  if (after !== undefined) {
    params.push(after.at, after.id);
    terms.push(`(a.last_seen, a.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(limit + 1);
  const { rows } = await client.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM ${FROM} WHERE ${terms.join(' AND ')}
      ORDER BY a.last_seen DESC, a.id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toItem),
    next: rows.length > limit && last ? { at: last.cursor_at, id: last.id } : undefined,
  };
}

/** Counts by severity × status under the same filters. */
export async function countAlerts(
  client: Queryable,
  tenantId: string,
  filters: AlertFilters,
): Promise<AlertCounts> {
  const params: unknown[] = [];
  const terms = filterTerms(tenantId, filters, params);
  const { rows } = await client.query<{ severity: Severity; status: AlertStatus; n: number }>(
    `SELECT a.severity, a.status, count(*)::int AS n FROM telemetry.alerts a WHERE ${terms.join(' AND ')}
      GROUP BY a.severity, a.status`,
    params,
  );
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byStatus = Object.fromEntries(ALERT_STATUSES.map((s) => [s, 0])) as Record<AlertStatus, number>;
  let total = 0;
  for (const row of rows) {
    bySeverity[row.severity] += row.n;
    byStatus[row.status] += row.n;
    total += row.n;
  }
  const cells = rows
    .map((row) => ({ severity: row.severity, status: row.status, count: row.n }))
    .sort(
      (x, y) =>
        SEVERITIES.indexOf(y.severity) - SEVERITIES.indexOf(x.severity) ||
        ALERT_STATUSES.indexOf(x.status) - ALERT_STATUSES.indexOf(y.status),
    );
  return { total, bySeverity, byStatus, cells };
}

/** Queue rows of the given alerts (what the live stream and the mutations answer with). */
export async function alertItems(client: pg.ClientBase, ids: readonly string[]): Promise<AlertItem[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<ItemRow>(
    `SELECT ${ITEM_COLUMNS} FROM ${FROM} WHERE a.id = ANY($1::uuid[]) ORDER BY a.last_seen DESC, a.id DESC`,
    [ids],
  );
  return rows.map(toItem);
}

interface DetailRow extends ItemRow {
  description: string | null;
  tags: string[];
  dedupe_key: string;
  rule_version: string | null;
  score: number | null;
  group_by: Record<string, unknown> | null;
  acknowledged_by: string | null;
  closed_by: string | null;
  close_comment: string | null;
  created_at: Date;
  event_refs: number;
  refs: EventRef[];
}

/** One alert with its stored events (oldest first); undefined when the tenant has no such alert. */
export async function alertDetail(client: Queryable, id: string): Promise<AlertDetail | undefined> {
  // Two statements: the alert, then its events with their times as a parameter, so the event tables' daily
  // partitions are pruned at plan time (one statement cannot know the days before it runs).
  const { rows } = await client.query<DetailRow>(
    `SELECT ${ITEM_COLUMNS}, a.description, a.tags, a.dedupe_key, a.rule_version, a.score, a.group_by,
            a.acknowledged_by, a.closed_by, a.close_comment, a.created_at, a.events AS refs,
            jsonb_array_length(a.events) AS event_refs
       FROM ${FROM} WHERE a.id = $1::uuid`,
    [id],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  const events = await eventsByRefs(client, row.refs);
  return {
    ...toItem(row),
    description: row.description,
    tags: row.tags,
    dedupeKey: row.dedupe_key,
    ruleVersion: row.rule_version,
    score: row.score,
    groupBy: row.group_by,
    acknowledgedBy: row.acknowledged_by,
    closedBy: row.closed_by,
    closeComment: row.close_comment,
    createdAt: row.created_at.toISOString(),
    eventRefs: row.event_refs,
    events: events.map((event) => {
      const { alertId: _alertId, ...rest } = event;
      return rest;
    }),
  };
}

/** A change of triage state, applied only to alerts in a status it may leave. */
export type AlertChange =
  | { kind: 'acknowledge'; userId: string }
  | { kind: 'close'; userId: string; reason: CloseReason; comment: string | null }
  | { kind: 'reopen' }
  | { kind: 'assign'; assigneeId: string | null };

const CHANGES: Record<AlertChange['kind'], { set: string; from: string }> = {
  acknowledge: {
    set: `status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2::uuid`,
    from: `a.status = 'new'`,
  },
  close: {
    set: `status = 'closed', closed_at = now(), closed_by = $2::uuid, close_reason = $3, close_comment = $4`,
    from: `a.status IN ('new', 'acknowledged')`,
  },
  reopen: {
    set: `status = CASE WHEN a.acknowledged_at IS NULL THEN 'new' ELSE 'acknowledged' END, closed_at = NULL,
          closed_by = NULL, close_reason = NULL, close_comment = NULL`,
    from: `a.status = 'closed'`,
  },
  assign: { set: 'assignee_id = $2::uuid', from: 'true' },
};

function changeParams(change: AlertChange): unknown[] {
  switch (change.kind) {
    case 'acknowledge':
      return [change.userId];
    case 'close':
      return [change.userId, change.reason, change.comment];
    case 'reopen':
      return [];
    case 'assign':
      return [change.assigneeId];
  }
}

/** What a change did to each id: changed (with the status before), or found in another status, or absent. */
export interface ChangeOutcome {
  changed: Array<{ id: string; before: AlertStatus; after: AlertStatus }>;
  /** Found, but in a status the change may not leave. */
  conflicts: Array<{ id: string; status: AlertStatus }>;
  missing: string[];
}

/** Applies `change` to the tenant's alerts `ids` that may take it (row locks held to the transaction's end). */
export async function changeAlerts(
  client: pg.ClientBase,
  ids: readonly string[],
  change: AlertChange,
): Promise<ChangeOutcome> {
  const { set, from } = CHANGES[change.kind];
  const { rows: current } = await client.query<{ id: string; status: AlertStatus }>(
    `SELECT a.id, a.status FROM telemetry.alerts a WHERE a.id = ANY($1::uuid[]) FOR UPDATE`,
    [ids],
  );
  const { rows } = await client.query<{ id: string; status: AlertStatus }>(
    `UPDATE telemetry.alerts a SET ${set}, updated_at = now()
      WHERE a.id = ANY($1::uuid[]) AND ${from} RETURNING a.id, a.status`,
    [ids, ...changeParams(change)],
  );
  const before = new Map(current.map((row) => [row.id, row.status]));
  const changed = new Set(rows.map((row) => row.id));
  return {
    changed: rows.map((row) => ({ id: row.id, before: before.get(row.id) ?? row.status, after: row.status })),
    conflicts: current.filter((row) => !changed.has(row.id)),
    missing: ids.filter((id) => !before.has(id)),
  };
}

/** True when `userId` is an active or invited user of the transaction's tenant. */
export async function isTenantUser(client: pg.ClientBase, userId: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `SELECT 1 FROM inosec.users WHERE id = $1::uuid AND status <> 'disabled'`,
    [userId],
  );
  return (rowCount ?? 0) > 0;
}

/** Links alerts to an incident (or unlinks them: null); returns the ids changed. */
export async function setAlertsIncident(
  client: pg.ClientBase,
  ids: readonly string[],
  incidentId: string | null,
): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `UPDATE telemetry.alerts SET incident_id = $2::uuid, updated_at = now()
      WHERE id = ANY($1::uuid[]) RETURNING id`,
    [ids, incidentId],
  );
  return rows.map((row) => row.id);
}

/** The incident each of the given alerts belongs to (null: none); absent ids are not in the map. */
export async function incidentsOfAlerts(
  client: pg.ClientBase,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  const { rows } = await client.query<{ id: string; incident_id: string | null }>(
    `SELECT id, incident_id FROM telemetry.alerts WHERE id = ANY($1::uuid[]) FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.incident_id]));
}
