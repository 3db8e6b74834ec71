import type { AuditEntry } from '../audit/audit-log.js';
import { recordAudit } from '../audit/audit-log.js';
import type { TenantDb } from '../database/tenant-db.js';

/**
 * Records an audit entry in a transaction of its own: for outcomes whose own transaction rolls back or never
 * existed (a refused login). A null tenant writes to the platform chain (an unknown tenant slug).
 */
export async function auditAlone(db: TenantDb, entry: AuditEntry): Promise<void> {
  if (entry.tenantId === null) {
    await db.unscoped((client) => recordAudit(client, entry));
  } else {
    await db.tx({ tenantId: entry.tenantId, userId: entry.actorId ?? null }, (client) =>
      recordAudit(client, entry),
    );
  }
}
