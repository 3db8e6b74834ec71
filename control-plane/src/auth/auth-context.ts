import { ForbiddenProblem } from '../http/problems.js';
import type { Permission } from './permissions.js';

/** The authenticated caller of a request, set by AuthGuard; read it with @Auth(). */
export interface AuthContext {
  userId: string;
  tenantId: string;
  sessionId: string;
  email: string;
  permissions: ReadonlySet<Permission>;
  superAdmin: boolean;
  /**
   * A platform operator working in this tenant through the tenant switcher (a delegate user, migration 0009):
   * its credentials (password, second factor) live in its own tenant and are not changed here.
   */
  platformOperator: boolean;
  /** The session passed a second factor. */
  mfa: boolean;
  /** The client address (X-Forwarded-For only behind a trusted proxy). */
  ip: string;
}

/** 403 for a platform operator's delegate: its password and second factor are the operator's, in its own tenant. */
export function refuseForPlatformOperator(auth: AuthContext): void {
  if (auth.platformOperator) {
    throw new ForbiddenProblem(
      "a platform operator's password and second factor are managed in its own tenant",
      'platform_operator',
    );
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}
