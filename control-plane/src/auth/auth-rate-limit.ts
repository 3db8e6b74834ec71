import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ENDPOINT, type EndpointSpec } from '../http/endpoint.js';
import { TooManyRequestsProblem } from '../http/problems.js';
import { TokenBucketLimiter } from './rate-limit.js';

/** Requests per minute one client address may make to the public auth routes. */
export const PUBLIC_AUTH_PER_MINUTE = 30;
/** Refreshes per minute one client address may make (many users behind one NAT refresh every few minutes). */
export const REFRESH_PER_MINUTE = 120;

/**
 * Per-client-address limits on the public auth routes, in memory per replica. The database lockout stops
 * guessing one account; this stops one address from spraying many accounts, registrations or reset mails.
 */
@Injectable()
export class AuthRateLimits {
  readonly credentials = new TokenBucketLimiter(PUBLIC_AUTH_PER_MINUTE, 60_000);
  readonly refresh = new TokenBucketLimiter(REFRESH_PER_MINUTE, 60_000);

  reset(): void {
    this.credentials.reset();
    this.refresh.reset();
  }
}

/** Applies AuthRateLimits to the public routes of a controller; 429 `rate_limited` with Retry-After. */
@Injectable()
export class PublicRateLimitGuard implements CanActivate {
  constructor(@Inject(AuthRateLimits) private readonly limits: AuthRateLimits) {}

  canActivate(context: ExecutionContext): boolean {
    const spec = Reflect.getMetadata(ENDPOINT, context.getHandler()) as EndpointSpec | undefined;
    if (spec?.access !== 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const limiter = spec.operationId === 'refreshToken' ? this.limits.refresh : this.limits.credentials;
    const decision = limiter.take(request.ip);
    if (!decision.allowed) {
      throw new TooManyRequestsProblem(
        'too many requests from this address; try again later',
        decision.retryAfterSeconds,
        'rate_limited',
      );
    }
    return true;
  }
}
