// Change notifications between control plane replicas: every change to an alert or incident is announced on
// the channel inosec_alert_updates inside its transaction (PostgreSQL delivers it at commit, never for a
// rollback). The payload carries ids and changed field names only; listeners read the rows themselves.
import type pg from 'pg';

/** The channel the API notifies on. */
export const ALERT_UPDATES_CHANNEL = 'inosec_alert_updates';
/** The channel telemetry.raise_alerts notifies on (the collector's path). */
export const RAISED_ALERTS_CHANNEL = 'inosec_alerts';

/** What changed: alerts or incidents of a tenant, and which of their fields. */
export interface ChangeNotice {
  tenantId: string;
  kind: 'alert' | 'incident';
  ids: readonly string[];
  /** Names of the fields that changed (`status`, `assignee`, ...). */
  changed: readonly string[];
}

/** Ids per notification: 100 UUIDs and the field names stay well under PostgreSQL's 8000-byte payload. */
const IDS_PER_NOTICE = 100;

/** Announces a change in the caller's transaction (delivered to listeners at commit). */
export async function notifyChange(client: pg.ClientBase, notice: ChangeNotice): Promise<void> {
  for (let start = 0; start < notice.ids.length; start += IDS_PER_NOTICE) {
    const payload = {
      tenant_id: notice.tenantId,
      kind: notice.kind,
      ids: notice.ids.slice(start, start + IDS_PER_NOTICE),
      changed: notice.changed,
    };
    await client.query('SELECT pg_notify($1, $2)', [ALERT_UPDATES_CHANNEL, JSON.stringify(payload)]);
  }
}
