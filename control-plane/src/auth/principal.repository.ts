import type pg from 'pg';
import type { Permission } from './permissions.js';

/** A session's state and its user's standing, as the guard checks them on each request. */
export interface Principal {
  sessionLive: boolean;
  userStatus: string;
  tenantStatus: string;
  email: string;
  superAdmin: boolean;
  mfa: boolean;
  permissions: Permission[];
}

/** Reads a session with its user, tenant and effective permissions; runs inside the tenant's transaction. */
export async function readPrincipal(
  client: pg.PoolClient,
  sessionId: string,
  userId: string,
): Promise<Principal | undefined> {
  const { rows } = await client.query<{
    live: boolean;
    user_status: string;
    tenant_status: string;
    email: string;
    is_super_admin: boolean;
    mfa: boolean;
    permissions: Permission[];
  }>(
    `SELECT s.revoked_at IS NULL AND s.expires_at > now() AS live, u.status AS user_status,
            t.status AS tenant_status, u.email, u.is_super_admin, s.mfa,
            coalesce((SELECT array_agg(DISTINCT p ORDER BY p)
                        FROM inosec.user_roles ur
                        JOIN inosec.roles r ON r.id = ur.role_id
                        CROSS JOIN LATERAL unnest(r.permissions) AS p
                       WHERE ur.user_id = u.id), '{}') AS permissions
       FROM inosec.sessions s
       JOIN inosec.users u ON u.id = s.user_id
       JOIN inosec.tenants t ON t.id = s.tenant_id
      WHERE s.id = $1 AND s.user_id = $2`,
    [sessionId, userId],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    sessionLive: row.live,
    userStatus: row.user_status,
    tenantStatus: row.tenant_status,
    email: row.email,
    superAdmin: row.is_super_admin,
    mfa: row.mfa,
    permissions: row.permissions,
  };
}
