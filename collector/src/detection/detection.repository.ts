import type pg from 'pg';

/** A tenant's setting of one rule: a shipped rule switched off, or the tenant's own rule (its YAML). */
export interface TenantRuleRow {
  tenantId: string;
  ruleKey: string;
  enabled: boolean;
  source: string | null;
}

/** Every tenant's rule settings (the ingest role reads all tenants' rows of telemetry.tenant_rules). */
export async function listTenantRules(db: pg.Pool | pg.PoolClient): Promise<TenantRuleRow[]> {
  const { rows } = await db.query<{
    tenant_id: string;
    rule_key: string;
    enabled: boolean;
    source: string | null;
  }>(
    'SELECT tenant_id::text AS tenant_id, rule_key, enabled, source FROM telemetry.tenant_rules ORDER BY tenant_id, rule_key',
  );
  return rows.map((row) => ({
    tenantId: row.tenant_id,
    ruleKey: row.rule_key,
    enabled: row.enabled,
    source: row.source,
  }));
}

/** A cheap fingerprint of the settings: reload only when it changes. */
export async function tenantRulesVersion(db: pg.Pool | pg.PoolClient): Promise<string> {
  const { rows } = await db.query<{ version: string }>(
    `SELECT count(*)::text || '/' || coalesce(max(updated_at)::text, '') AS version FROM telemetry.tenant_rules`,
  );
  return rows[0]?.version ?? '';
}

/** Saves a collector's correlation state (one row per collector, replaced). */
export async function saveDetectionState(
  db: pg.Pool | pg.PoolClient,
  collectorId: string,
  takenAtMs: number,
  state: unknown,
): Promise<void> {
  await db.query(
    `INSERT INTO telemetry.detection_state (collector_id, taken_at, state) VALUES ($1, to_timestamp($2 / 1000.0), $3)
     ON CONFLICT (collector_id) DO UPDATE SET taken_at = excluded.taken_at, state = excluded.state`,
    [collectorId, takenAtMs, JSON.stringify(state)],
  );
}

/** A collector's saved correlation state, if any. */
export async function loadDetectionState(
  db: pg.Pool | pg.PoolClient,
  collectorId: string,
): Promise<{ takenAt: Date; state: unknown } | undefined> {
  const { rows } = await db.query<{ taken_at: Date; state: unknown }>(
    'SELECT taken_at, state FROM telemetry.detection_state WHERE collector_id = $1',
    [collectorId],
  );
  const row = rows[0];
  return row && { takenAt: row.taken_at, state: row.state };
}
