// Who acts in a request, as the services record it (transaction scope and audit entries).
import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../auth/auth-context.js';

/** The caller of a request: tenant, user, address and request id. */
export interface Actor {
  tenantId: string;
  userId: string;
  ip: string;
  requestId: string;
}

/** The actor of an authenticated request. */
export function actorOf(auth: AuthContext, request: FastifyRequest): Actor {
  return { tenantId: auth.tenantId, userId: auth.userId, ip: auth.ip, requestId: String(request.id) };
}

/** The audit entry's who/where fields for `actor`. */
export function auditActor(actor: Actor) {
  return {
    tenantId: actor.tenantId,
    actorType: 'user' as const,
    actorId: actor.userId,
    actorIp: actor.ip,
    requestId: actor.requestId,
  };
}

/** True for PostgreSQL's unique_violation (23505). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
