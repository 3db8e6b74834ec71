import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';

/** Where a request came from, for sessions and audit entries. */
export interface ClientInfo {
  /** The client address (X-Forwarded-For only behind a trusted proxy); null when it is not an IP. */
  ip: string | null;
  /** The User-Agent header, cut to 500 characters. */
  userAgent: string | null;
  requestId: string;
}

/** Reads the ClientInfo of a Fastify request. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return {
    ip: isIP(request.ip) === 0 ? null : request.ip,
    userAgent: typeof agent === 'string' && agent !== '' ? agent.slice(0, 500) : null,
    requestId: String(request.id),
  };
}

/** The calling client's address, user agent and request id. */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  clientInfo(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
