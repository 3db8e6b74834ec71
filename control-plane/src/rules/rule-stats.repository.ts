// Per-rule alert figures of a tenant, from telemetry.alerts (Row Level Security: the transaction's tenant).
import type pg from 'pg';

/** What a rule raised for the tenant. */
export interface RuleStats {
  /** Alerts (open and closed). */
  alerts: number;
  /** Alerts not closed. */
  open: number;
  /** Detections merged into those alerts (sum of their counts). */
  hits: number;
  lastSeen: string | null;
}

/** Rule id → figures, for every rule that raised an alert in the tenant. */
export async function ruleStats(client: pg.ClientBase, tenantId: string): Promise<Map<string, RuleStats>> {
  const { rows } = await client.query<{
    rule_id: string;
    alerts: number;
    open: number;
    hits: string;
    last_seen: Date | null;
  }>(
    `SELECT rule_id, count(*)::int AS alerts, (count(*) FILTER (WHERE status <> 'closed'))::int AS open,
            sum(count)::text AS hits, max(last_seen) AS last_seen
       FROM telemetry.alerts WHERE tenant_id = $1::uuid GROUP BY rule_id`,
    [tenantId],
  );
  return new Map(
    rows.map((row) => [
      row.rule_id,
      {
        alerts: row.alerts,
        open: row.open,
        hits: Number(row.hits),
        lastSeen: row.last_seen?.toISOString() ?? null,
      },
    ]),
  );
}
