// telemetry.alert_suppressions as the application role reads and writes it (Row Level Security: the
// transaction's tenant). telemetry.raise_alerts reads them and counts what they suppressed.
import type pg from 'pg';
import { MICROS } from './alerts.repository.js';
import type { KeysetPosition } from './keyset-cursor.js';

/** A suppression as the API shows it. */
export interface Suppression {
  id: string;
  ruleId: string;
  /** null: the whole tenant. */
  hostName: string | null;
  reason: string;
  createdBy: string | null;
  createdAt: string;
  /** null: until deleted. */
  expiresAt: string | null;
  /** False once expired. */
  active: boolean;
  suppressedCount: number;
  lastSuppressedAt: string | null;
}

interface Row {
  id: string;
  rule_id: string;
  host_name: string | null;
  reason: string;
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  active: boolean;
  suppressed_count: string;
  last_suppressed_at: Date | null;
  cursor_at: string;
}

const COLUMNS = `s.id, s.rule_id, s.host_name, s.reason, s.created_by, s.created_at, s.expires_at,
  (s.expires_at IS NULL OR s.expires_at > now()) AS active, s.suppressed_count, s.last_suppressed_at,
  ${MICROS('s.created_at')} AS cursor_at`;

function toSuppression(row: Row): Suppression {
  return {
    id: row.id,
    ruleId: row.rule_id,
    hostName: row.host_name,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    active: row.active,
    suppressedCount: Number(row.suppressed_count),
    lastSuppressedAt: row.last_suppressed_at?.toISOString() ?? null,
  };
}

/** A page of the tenant's suppressions, newest first. */
export async function listSuppressions(
  client: pg.ClientBase,
  tenantId: string,
  options: { includeExpired: boolean; ruleId?: string; after?: KeysetPosition; limit: number },
): Promise<{ items: Suppression[]; next: KeysetPosition | undefined }> {
  const params: unknown[] = [tenantId];
  const terms = ['s.tenant_id = $1::uuid'];
  if (!options.includeExpired) terms.push('(s.expires_at IS NULL OR s.expires_at > now())');
  if (options.ruleId !== undefined) {
    params.push(options.ruleId);
    terms.push(`s.rule_id = $${params.length}`);
  }
  if (options.after !== undefined) {
    params.push(options.after.at, options.after.id);
    terms.push(`(s.created_at, s.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(options.limit + 1);
  const { rows } = await client.query<Row>(
    `SELECT ${COLUMNS} FROM telemetry.alert_suppressions s WHERE ${terms.join(' AND ')}
      ORDER BY s.created_at DESC, s.id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toSuppression),
    next: rows.length > options.limit && last ? { at: last.cursor_at, id: last.id } : undefined,
  };
}

/** The live suppression of exactly this rule and host (null host: tenant-wide), if any. */
export async function findLiveSuppression(
  client: pg.ClientBase,
  ruleId: string,
  hostName: string | null,
): Promise<Suppression | undefined> {
  const { rows } = await client.query<Row>(
    `SELECT ${COLUMNS} FROM telemetry.alert_suppressions s
      WHERE s.rule_id = $1 AND lower(s.host_name) IS NOT DISTINCT FROM lower($2::text)
        AND (s.expires_at IS NULL OR s.expires_at > now())
      LIMIT 1`,
    [ruleId, hostName],
  );
  return rows[0] ? toSuppression(rows[0]) : undefined;
}

/** Stores a suppression for the transaction's tenant. */
export async function insertSuppression(
  client: pg.ClientBase,
  tenantId: string,
  input: {
    ruleId: string;
    hostName: string | null;
    reason: string;
    createdBy: string;
    expiresAt: string | null;
  },
): Promise<Suppression> {
  const { rows } = await client.query<Row>(
    `INSERT INTO telemetry.alert_suppressions AS s (tenant_id, rule_id, host_name, reason, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [tenantId, input.ruleId, input.hostName, input.reason, input.createdBy, input.expiresAt],
  );
  return toSuppression(rows[0] as Row);
}

/** Deletes a suppression; the deleted one, or undefined when the tenant has none with that id. */
export async function deleteSuppression(client: pg.ClientBase, id: string): Promise<Suppression | undefined> {
  const { rows } = await client.query<Row>(
    `DELETE FROM telemetry.alert_suppressions s WHERE s.id = $1::uuid RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0] ? toSuppression(rows[0]) : undefined;
}

/** Ids of the open alerts (new or acknowledged) a suppression of this rule and host covers. */
export async function openAlertsMatching(
  client: pg.ClientBase,
  ruleId: string,
  hostName: string | null,
): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT a.id FROM telemetry.alerts a
      WHERE a.rule_id = $1 AND a.status <> 'closed'
        AND ($2::text IS NULL OR lower(a.host_name) = lower($2::text))
      LIMIT 10000`,
    [ruleId, hostName],
  );
  return rows.map((row) => row.id);
}
