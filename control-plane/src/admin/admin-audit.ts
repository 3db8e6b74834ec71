// Audit plumbing shared by the admin services: refusals worth keeping are recorded in their own transaction
// (the refused one rolls back).
import type { TenantDb } from '../database/tenant-db.js';
import { recordAudit } from '../audit/audit-log.js';
import { auditBy, type RequestActor } from './request-actor.js';
import { PrivilegeEscalationProblem } from './privilege-rules.js';

/**
 * Runs `work`; when it throws PrivilegeEscalationProblem, records a `denied` entry for `action` in the caller's
 * chain (own transaction) naming the permissions it lacked, then rethrows.
 */
export async function auditingEscalation<T>(
  db: TenantDb,
  actor: RequestActor,
  what: { action: string; resourceType: string; resourceId?: string | null },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PrivilegeEscalationProblem) {
      await db.tx({ tenantId: actor.auth.tenantId, userId: actor.auth.userId }, (client) =>
        recordAudit(
          client,
          auditBy(actor, {
            ...what,
            outcome: 'denied',
            details: { reason: 'privilege_escalation', missingPermissions: error.missing },
          }),
        ),
      );
    }
    throw error;
  }
}
