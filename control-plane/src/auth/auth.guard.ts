import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TenantDb } from '../database/tenant-db.js';
import { ENDPOINT, type EndpointSpec } from '../http/endpoint.js';
import { ForbiddenProblem, UnauthorizedProblem } from '../http/problems.js';
import { AccessTokens } from './access-tokens.js';
import type { AuthContext } from './auth-context.js';
import { PrincipalCache } from './principal-cache.js';
import { readPrincipal } from './principal.repository.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/** The bearer token of a request: the Authorization header, or `access_token` for EventSource (SSE). */
function bearer(request: FastifyRequest, allowQuery: boolean): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') return BEARER.exec(header)?.[1];
  if (allowQuery) {
    const token = (request.query as Record<string, unknown> | undefined)?.['access_token'];
    if (typeof token === 'string' && token.length < 4096) return token;
  }
  return undefined;
}

/**
 * Guards every @Endpoint route: verifies the access token, checks its session, user and tenant are still live
 * (cached a few seconds), and that the caller holds the route's permission. Routes without @Endpoint (probes,
 * metrics) are not API routes and pass. Answers 401 for missing or dead credentials and 403 with the missing
 * permission otherwise.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(AccessTokens) private readonly tokens: AccessTokens,
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const spec = Reflect.getMetadata(ENDPOINT, context.getHandler()) as EndpointSpec | undefined;
    if (spec === undefined || spec.access === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearer(request, spec.responses[200]?.contentType === 'text/event-stream');
    if (token === undefined) throw new UnauthorizedProblem();
    const claims = await this.tokens.verify(token);
    const principal = await this.cache.resolve(claims.sessionId, claims.tenantId, claims.userId, () =>
      readPrincipal(this.db.pool, claims.tenantId, claims.sessionId, claims.userId),
    );
    if (principal === undefined || !principal.sessionLive || principal.userStatus !== 'active') {
      throw new UnauthorizedProblem('the session ended', 'session_ended');
    }
    if (principal.tenantStatus !== 'active') {
      throw new UnauthorizedProblem(`the tenant is ${principal.tenantStatus}`, 'tenant_inactive');
    }
    const auth: AuthContext = {
      userId: claims.userId,
      tenantId: claims.tenantId,
      sessionId: claims.sessionId,
      email: principal.email,
      permissions: new Set(principal.permissions),
      superAdmin: principal.superAdmin,
      platformOperator: principal.platformOperator,
      mfa: principal.mfa,
      ip: request.ip,
    };
    request.auth = auth;
    if (spec.access === 'authenticated') return true;
    if (spec.access === 'platform') {
      if (!auth.superAdmin) throw new ForbiddenProblem('this is a platform operation (super admin only)');
      return true;
    }
    if (!auth.permissions.has(spec.access)) {
      throw new ForbiddenProblem(`missing permission ${spec.access}`, 'missing_permission');
    }
    return true;
  }
}
