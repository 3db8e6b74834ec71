// inosec.incidents, their notes and activity, under Row Level Security (the transaction's tenant). An
// incident's alerts are telemetry.alerts rows whose incident_id is the incident (alerts.repository.ts).
import type pg from 'pg';
import type { Severity } from './alert-schemas.js';
import { MICROS } from './alerts.repository.js';
import type { Incident, IncidentActivity, IncidentNote, IncidentStatus } from './incident-schemas.js';
import type { KeysetPosition } from './keyset-cursor.js';

const COLUMNS = `i.id, i.number, i.title, i.description, i.severity, i.status, i.created_by, i.resolution,
  i.created_at, i.updated_at, i.resolved_at, i.closed_at, ${MICROS('i.created_at')} AS cursor_at,
  u.id AS assignee_id, u.email AS assignee_email, u.display_name AS assignee_name,
  (SELECT count(*)::int FROM telemetry.alerts a WHERE a.tenant_id = i.tenant_id AND a.incident_id = i.id)
    AS alert_count`;
const FROM = 'inosec.incidents i LEFT JOIN inosec.users u ON u.id = i.assignee_id';

interface Row {
  id: string;
  number: number;
  title: string;
  description: string;
  severity: Severity;
  status: IncidentStatus;
  created_by: string | null;
  resolution: string | null;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  cursor_at: string;
  assignee_id: string | null;
  assignee_email: string | null;
  assignee_name: string | null;
  alert_count: number;
}

function toIncident(row: Row): Incident {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    description: row.description,
    severity: row.severity,
    status: row.status,
    assignee:
      row.assignee_id === null
        ? null
        : { id: row.assignee_id, email: row.assignee_email ?? '', displayName: row.assignee_name ?? '' },
    createdBy: row.created_by,
    resolution: row.resolution,
    alertCount: row.alert_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    closedAt: row.closed_at?.toISOString() ?? null,
  };
}

/** A page of the tenant's incidents, newest first. */
export async function listIncidents(
  client: pg.ClientBase,
  tenantId: string,
  filters: { status?: IncidentStatus[]; severity?: Severity[]; assigneeId?: string },
  after: KeysetPosition | undefined,
  limit: number,
): Promise<{ items: Incident[]; next: KeysetPosition | undefined }> {
  const params: unknown[] = [tenantId];
  const terms = ['i.tenant_id = $1::uuid'];
  const add = (value: unknown, term: (p: string) => string) => {
    params.push(value);
    terms.push(term(`$${params.length}`));
  };
  if (filters.status?.length) add(filters.status, (p) => `i.status = ANY(${p}::text[])`);
  if (filters.severity?.length) add(filters.severity, (p) => `i.severity = ANY(${p}::text[])`);
  if (filters.assigneeId !== undefined) add(filters.assigneeId, (p) => `i.assignee_id = ${p}::uuid`);
  if (after !== undefined) {
    params.push(after.at, after.id);
    terms.push(`(i.created_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(limit + 1);
  const { rows } = await client.query<Row>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ${terms.join(' AND ')}
      ORDER BY i.created_at DESC, i.id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toIncident),
    next: rows.length > limit && last ? { at: last.cursor_at, id: last.id } : undefined,
  };
}

/** One incident (locked for update when `lock`); undefined when the tenant has none with that id. */
export async function getIncident(
  client: pg.ClientBase,
  id: string,
  lock = false,
): Promise<Incident | undefined> {
  const { rows } = await client.query<Row>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE i.id = $1::uuid${lock ? ' FOR UPDATE OF i' : ''}`,
    [id],
  );
  return rows[0] ? toIncident(rows[0]) : undefined;
}

/** Creates an incident with the tenant's next number (serialised per tenant by an advisory lock). */
export async function insertIncident(
  client: pg.ClientBase,
  tenantId: string,
  input: { title: string; description: string; severity: Severity; createdBy: string },
): Promise<string> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `inosec.incident-number:${tenantId}`,
  ]);
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO inosec.incidents (tenant_id, number, title, description, severity, created_by)
     SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5 FROM inosec.incidents WHERE tenant_id = $1
     RETURNING id`,
    [tenantId, input.title, input.description, input.severity, input.createdBy],
  );
  return (rows[0] as { id: string }).id;
}

/** The fields of an incident a PATCH may change. */
export interface IncidentChanges {
  title?: string;
  description?: string;
  severity?: Severity;
  status?: IncidentStatus;
  assigneeId?: string | null;
  resolution?: string;
}

/** Applies changes to an incident (status timestamps follow the status). */
export async function updateIncident(
  client: pg.ClientBase,
  id: string,
  changes: IncidentChanges,
): Promise<void> {
  const sets: string[] = ['updated_at = now()'];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown, cast = '') => {
    params.push(value);
    sets.push(`${column} = $${params.length}${cast}`);
  };
  if (changes.title !== undefined) set('title', changes.title);
  if (changes.description !== undefined) set('description', changes.description);
  if (changes.severity !== undefined) set('severity', changes.severity);
  if (changes.resolution !== undefined) set('resolution', changes.resolution);
  if (changes.assigneeId !== undefined) set('assignee_id', changes.assigneeId, '::uuid');
  if (changes.status !== undefined) {
    set('status', changes.status);
    sets.push(
      `resolved_at = CASE WHEN $${params.length} IN ('resolved', 'closed') THEN coalesce(resolved_at, now()) ELSE NULL END`,
      `closed_at = CASE WHEN $${params.length} = 'closed' THEN now() ELSE NULL END`,
    );
  }
  await client.query(`UPDATE inosec.incidents SET ${sets.join(', ')} WHERE id = $1::uuid`, params);
}

/** Appends to the incident's activity. */
export async function insertActivity(
  client: pg.ClientBase,
  tenantId: string,
  incidentId: string,
  actorId: string,
  kind: string,
  details: Record<string, unknown>,
): Promise<void> {
  await client.query(
    `INSERT INTO inosec.incident_activity (tenant_id, incident_id, actor_id, kind, details)
     VALUES ($1, $2, $3, $4, $5)`,
    [tenantId, incidentId, actorId, kind, JSON.stringify(details)],
  );
}

/** The incident's activity, oldest first. */
export async function listActivity(client: pg.ClientBase, incidentId: string): Promise<IncidentActivity[]> {
  const { rows } = await client.query<{
    id: string;
    kind: string;
    actor_id: string | null;
    details: Record<string, unknown>;
    at: Date;
  }>(
    `SELECT id, kind, actor_id, details, at FROM inosec.incident_activity
      WHERE incident_id = $1::uuid ORDER BY at, id LIMIT 5000`,
    [incidentId],
  );
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    actorId: row.actor_id,
    details: row.details,
    at: row.at.toISOString(),
  }));
}

/** Adds a note. */
export async function insertNote(
  client: pg.ClientBase,
  tenantId: string,
  incidentId: string,
  authorId: string,
  body: string,
): Promise<IncidentNote> {
  const { rows } = await client.query<{
    id: string;
    author_id: string | null;
    body: string;
    created_at: Date;
  }>(
    `INSERT INTO inosec.incident_notes (tenant_id, incident_id, author_id, body) VALUES ($1, $2, $3, $4)
     RETURNING id, author_id, body, created_at`,
    [tenantId, incidentId, authorId, body],
  );
  const row = rows[0] as { id: string; author_id: string | null; body: string; created_at: Date };
  return { id: row.id, authorId: row.author_id, body: row.body, createdAt: row.created_at.toISOString() };
}

/** The incident's notes, oldest first. */
export async function listNotes(client: pg.ClientBase, incidentId: string): Promise<IncidentNote[]> {
  const { rows } = await client.query<{
    id: string;
    author_id: string | null;
    body: string;
    created_at: Date;
  }>(
    `SELECT id, author_id, body, created_at FROM inosec.incident_notes
      WHERE incident_id = $1::uuid ORDER BY created_at, id LIMIT 5000`,
    [incidentId],
  );
  return rows.map((row) => ({
    id: row.id,
    authorId: row.author_id,
    body: row.body,
    createdAt: row.created_at.toISOString(),
  }));
}
