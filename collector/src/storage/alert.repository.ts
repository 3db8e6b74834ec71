import type { DetectionAlert } from '@inosec/detectors';
import type pg from 'pg';

/** An alert as stored: merged into an open alert with its dedupe key, or inserted as a new one. */
export interface StoredAlert {
  id: string;
  tenantId: string;
  dedupeKey: string;
  /** True when this raised a new alert; false when it was merged into an open one. */
  inserted: boolean;
  /** The stored alert's count after the merge. */
  count: number;
  alert: DetectionAlert;
}

const SEVERITY_NAMES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/**
 * Merges alerts with the same tenant and dedupe key (two batches of one host in one transaction): counts
 * added, first/last seen widened, events kept oldest first up to `maxEvents`.
 */
export function mergeAlerts(alerts: readonly DetectionAlert[], maxEvents = 100): DetectionAlert[] {
  const byKey = new Map<string, DetectionAlert>();
  for (const alert of alerts) {
    const key = `${alert.tenantId}\u0000${alert.dedupeKey}`;
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, { ...alert, events: [...alert.events] });
      continue;
    }
    existing.count += alert.count;
    existing.firstSeenUs = Math.min(existing.firstSeenUs, alert.firstSeenUs);
    existing.lastSeenUs = Math.max(existing.lastSeenUs, alert.lastSeenUs);
    existing.severity = Math.max(existing.severity, alert.severity) as DetectionAlert['severity'];
    existing.events = [...existing.events, ...alert.events]
      .sort((a, b) => a.timeUs - b.timeUs || a.seq - b.seq)
      .slice(0, maxEvents);
    if (alert.groupBy) existing.groupBy = alert.groupBy;
  }
  return [...byKey.values()];
}

function isoOf(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace('Z', `${String(us % 1000).padStart(3, '0')}Z`);
}

function rowOf(alert: DetectionAlert): Record<string, unknown> {
  return {
    agent_id: alert.agentId ?? null,
    rule_id: alert.ruleId,
    rule_name: alert.ruleName,
    ruleset: alert.ruleset,
    severity: SEVERITY_NAMES[alert.severity - 1] ?? 'medium',
    title: alert.title,
    description: alert.description,
    tactics: alert.tactics,
    techniques: alert.techniques,
    tags: alert.tags,
    host_name: alert.hostName ?? null,
    host_id: alert.hostId ?? null,
    dedupe_key: alert.dedupeKey,
    first_seen: isoOf(alert.firstSeenUs),
    last_seen: isoOf(alert.lastSeenUs),
    count: alert.count,
    events: alert.events.map((ref) => ({ agent_id: ref.agentId, seq: ref.seq, time: isoOf(ref.timeUs) })),
    group_by: alert.groupBy ?? null,
  };
}

/**
 * Raises alerts inside the caller's transaction (telemetry.raise_alerts, one call per tenant with the
 * transaction's tenant set to it). Alerts are merged by dedupe key first. Returns what was stored.
 */
export async function raiseAlerts(
  client: pg.PoolClient,
  alerts: readonly DetectionAlert[],
): Promise<StoredAlert[]> {
  const stored: StoredAlert[] = [];
  if (alerts.length === 0) return stored;
  const byTenant = new Map<string, DetectionAlert[]>();
  for (const alert of mergeAlerts(alerts)) {
    const list = byTenant.get(alert.tenantId) ?? [];
    list.push(alert);
    byTenant.set(alert.tenantId, list);
  }
  for (const [tenantId, list] of byTenant) {
    await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenantId]);
    const { rows } = await client.query<{ id: string; dedupe_key: string; inserted: boolean; count: string }>(
      'SELECT id::text AS id, dedupe_key, inserted, count::text AS count FROM telemetry.raise_alerts($1::jsonb)',
      [JSON.stringify(list.map(rowOf))],
    );
    const byKey = new Map(list.map((alert) => [alert.dedupeKey, alert]));
    for (const row of rows) {
      const alert = byKey.get(row.dedupe_key);
      if (!alert) continue;
      stored.push({
        id: row.id,
        tenantId,
        dedupeKey: row.dedupe_key,
        inserted: row.inserted,
        count: Number(row.count),
        alert,
      });
    }
  }
  await client.query("SELECT set_config('inosec.tenant_id', '', true)");
  return stored;
}
