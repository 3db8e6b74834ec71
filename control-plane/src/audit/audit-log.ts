import type pg from 'pg';

/** One audit entry. `tenantId` null: a platform operation (the transaction must have no tenant set). */
export interface AuditEntry {
  tenantId: string | null;
  actorType: 'user' | 'agent' | 'system' | 'anonymous';
  actorId?: string | null;
  actorIp?: string | null;
  /** `<area>.<verb>`: `auth.login`, `role.update`, `agent.enroll`, `rule.disable`, `alert.export`. */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  outcome: 'success' | 'failure' | 'denied';
  requestId?: string | null;
  /** What changed or why; never a secret, token or password. */
  details?: Record<string, unknown>;
}

/**
 * Appends an entry to the audit log inside the caller's transaction, so the entry and the change it records
 * commit or roll back together. The database links it into its tenant's hash chain (0003_audit.sql).
 */
export async function recordAudit(client: pg.ClientBase, entry: AuditEntry): Promise<void> {
  await client.query(
    `INSERT INTO inosec.audit_log (tenant_id, actor_type, actor_id, actor_ip, action, resource_type, resource_id,
                                   outcome, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      entry.tenantId,
      entry.actorType,
      entry.actorId ?? null,
      entry.actorIp ?? null,
      entry.action,
      entry.resourceType,
      entry.resourceId ?? null,
      entry.outcome,
      entry.requestId ?? null,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}
