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
