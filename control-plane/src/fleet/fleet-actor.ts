// Who acts on the fleet: a user of a request, or the system (the appliance enrolling its own agent).
import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../auth/auth-context.js';
import type { AuditEntry } from '../audit/audit-log.js';

/** The caller of a fleet operation: tenant, user (null for the system), address and request id. */
export interface FleetActor {
  tenantId: string;
  userId: string | null;
  ip: string | null;
  requestId: string | null;
}

/** The actor of an authenticated request. */
export function fleetActorOf(auth: AuthContext, request: FastifyRequest): FleetActor {
  return { tenantId: auth.tenantId, userId: auth.userId, ip: auth.ip, requestId: String(request.id) };
}

/** The system acting in a tenant (no user). */
export function systemActor(tenantId: string): FleetActor {
  return { tenantId, userId: null, ip: null, requestId: null };
}

/** The who/where fields of an audit entry for `actor`. */
export function auditBy(
  actor: FleetActor,
): Pick<AuditEntry, 'tenantId' | 'actorType' | 'actorId' | 'actorIp' | 'requestId'> {
  return {
    tenantId: actor.tenantId,
    actorType: actor.userId === null ? 'system' : 'user',
    actorId: actor.userId,
    actorIp: actor.ip,
    requestId: actor.requestId,
  };
}

/** True for PostgreSQL's foreign_key_violation (23503). */
export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23503';
}
