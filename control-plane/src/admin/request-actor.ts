import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuditEntry } from '../audit/audit-log.js';
import type { AuthContext } from '../auth/auth-context.js';

/** Who makes an admin request, and what its audit entries carry about it. */
export interface RequestActor {
  auth: AuthContext;
  requestId: string;
}

/** The authenticated caller and the request id (for audit entries); only on authenticated routes. */
export const Actor = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestActor => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (request.auth === undefined) throw new Error('@Actor() on a route without authentication');
  return { auth: request.auth, requestId: request.id };
});

/** An audit entry by `actor` in its own tenant's chain (or `tenantId` when given: null for the platform). */
export function auditBy(
  actor: RequestActor,
  entry: Pick<AuditEntry, 'action' | 'resourceType'> &
    Partial<Pick<AuditEntry, 'resourceId' | 'outcome' | 'details' | 'tenantId'>>,
): AuditEntry {
  return {
    tenantId: entry.tenantId === undefined ? actor.auth.tenantId : entry.tenantId,
    actorType: 'user',
    actorId: actor.auth.userId,
    actorIp: actor.auth.ip,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    outcome: entry.outcome ?? 'success',
    requestId: actor.requestId,
    details: entry.details ?? {},
  };
}
