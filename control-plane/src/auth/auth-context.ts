import type { Permission } from './permissions.js';

/** The authenticated caller of a request, set by AuthGuard; read it with @Auth(). */
export interface AuthContext {
  userId: string;
  tenantId: string;
  sessionId: string;
  email: string;
  permissions: ReadonlySet<Permission>;
  superAdmin: boolean;
  /** The session passed a second factor. */
  mfa: boolean;
  /** The client address (X-Forwarded-For only behind a trusted proxy). */
  ip: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}
