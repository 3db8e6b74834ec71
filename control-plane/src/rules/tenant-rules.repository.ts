// telemetry.tenant_rules as the application role sees it: one tenant's rule switches and rule files, each
// call in its own transaction with the tenant set for that transaction only (Row Level Security does the
// rest). Every write sets updated_at = clock_timestamp(): the collectors reload when count(*) or
// max(updated_at) change.
import type pg from 'pg';

/** The prefix of a tenant's own rule file's key: `custom:<slug>`. */
export const CUSTOM_RULE_PREFIX = 'custom:';

/** One row of a tenant's rule settings. */
export interface TenantRuleRecord {
  /** A shipped rule's key (its id, or `title:<title>`), or `custom:<slug>` for the tenant's own file. */
  ruleKey: string;
  enabled: boolean;
  /** The tenant's Sigma YAML; null for a switch of a shipped rule. */
  source: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  rule_key: string;
  enabled: boolean;
  source: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'rule_key, enabled, source, created_at, updated_at';

function toRecord(row: Row): TenantRuleRecord {
  return {
    ruleKey: row.rule_key,
    enabled: row.enabled,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Work run in the transaction of a write, after it (an audit entry): it commits or rolls back with it. */
export type InTransaction<T> = (client: pg.PoolClient, result: T) => Promise<void>;

/** Runs `work` in a transaction whose tenant is `tenantId` (set_config(..., true): never leaks to the pool). */
async function inTenant<T>(
  pool: pg.Pool,
  tenantId: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenantId]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken); // a connection that could not roll back is discarded, not reused
  }
}

/** The tenant's rows (switches and rule files), by rule key. */
export function listTenantRules(pool: pg.Pool, tenantId: string): Promise<TenantRuleRecord[]> {
  return inTenant(pool, tenantId, async (client) => {
    const { rows } = await client.query<Row>(
      `SELECT ${COLUMNS} FROM telemetry.tenant_rules WHERE tenant_id = $1 ORDER BY rule_key`,
      [tenantId],
    );
    return rows.map(toRecord);
  });
}

/** Stores (inserts or replaces) the tenant's rule file `custom:<slug>`; validate it first. */
export function putRuleFile(
  pool: pg.Pool,
  tenantId: string,
  slug: string,
  text: string,
  enabled: boolean,
  after?: InTransaction<TenantRuleRecord>,
): Promise<TenantRuleRecord> {
  return inTenant(pool, tenantId, async (client) => {
    const { rows } = await client.query<Row>(
      `INSERT INTO telemetry.tenant_rules AS t (tenant_id, rule_key, enabled, source, created_at, updated_at)
       VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp())
       ON CONFLICT (tenant_id, rule_key) DO UPDATE
         SET enabled = excluded.enabled, source = excluded.source, updated_at = clock_timestamp()
       RETURNING ${COLUMNS}`,
      [tenantId, `${CUSTOM_RULE_PREFIX}${slug}`, enabled, text],
    );
    const record = toRecord(rows[0] as Row);
    if (after) await after(client, record);
    return record;
  });
}

/**
 * Switches a rule on or off for the tenant. For a rule file (`custom:<slug>`) the file's row is updated (never
 * created): null when the tenant has no such file. For any other key (a shipped rule, or one rule of the
 * tenant's files, by id or `title:<title>`), switching off upserts a row without source (enabled = false), and
 * switching back on DELETES that row: the table keeps only what differs from the defaults, and the row count
 * change makes the collectors reload. Returns the row now held, or null when there is none.
 */
export function setRuleEnabled(
  pool: pg.Pool,
  tenantId: string,
  ruleKey: string,
  enabled: boolean,
  after?: InTransaction<TenantRuleRecord | null>,
): Promise<TenantRuleRecord | null> {
  const work = async (client: pg.PoolClient): Promise<TenantRuleRecord | null> => {
    if (ruleKey.startsWith(CUSTOM_RULE_PREFIX)) {
      const { rows } = await client.query<Row>(
        `UPDATE telemetry.tenant_rules SET enabled = $3, updated_at = clock_timestamp()
         WHERE tenant_id = $1 AND rule_key = $2 RETURNING ${COLUMNS}`,
        [tenantId, ruleKey, enabled],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    }
    if (enabled) {
      await client.query(
        'DELETE FROM telemetry.tenant_rules WHERE tenant_id = $1 AND rule_key = $2 AND source IS NULL',
        [tenantId, ruleKey],
      );
      return null;
    }
    const { rows } = await client.query<Row>(
      `INSERT INTO telemetry.tenant_rules (tenant_id, rule_key, enabled, source, created_at, updated_at)
       VALUES ($1, $2, false, NULL, clock_timestamp(), clock_timestamp())
       ON CONFLICT (tenant_id, rule_key) DO UPDATE SET enabled = false, updated_at = clock_timestamp()
       RETURNING ${COLUMNS}`,
      [tenantId, ruleKey],
    );
    return toRecord(rows[0] as Row);
  };
  return inTenant(pool, tenantId, async (client) => {
    const record = await work(client);
    if (after) await after(client, record);
    return record;
  });
}

/** Deletes the tenant's rule file `custom:<slug>`; false when the tenant has no such file. */
export function deleteRuleFile(
  pool: pg.Pool,
  tenantId: string,
  slug: string,
  after?: InTransaction<boolean>,
): Promise<boolean> {
  return inTenant(pool, tenantId, async (client) => {
    const { rowCount } = await client.query(
      'DELETE FROM telemetry.tenant_rules WHERE tenant_id = $1 AND rule_key = $2',
      [tenantId, `${CUSTOM_RULE_PREFIX}${slug}`],
    );
    const deleted = (rowCount ?? 0) > 0;
    if (deleted && after) await after(client, deleted);
    return deleted;
  });
}
