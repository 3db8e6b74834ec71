import type pg from 'pg';
import type { Permission } from './permissions.js';

/** A session's state and its user's standing, as the guard checks them on each request. */
export interface Principal {
  sessionLive: boolean;
  /** When the session expires (ms since the epoch): a cached principal is not used past it. */
  sessionExpiresAt: number;
  userStatus: string;
  tenantStatus: string;
  email: string;
  superAdmin: boolean;
  /** A platform operator's delegate in this tenant (the tenant switcher). */
  platformOperator: boolean;
  mfa: boolean;
  permissions: Permission[];
}

interface PrincipalRow {
  live: boolean;
  expires_ms: number;
  user_status: string;
  tenant_status: string;
  email: string;
  is_super_admin: boolean;
  platform_operator: boolean;
  mfa: boolean;
  permissions: Permission[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// A delegated session (the tenant switcher, migration 0009) lives only while the operator's own session does.
const PRINCIPAL_SQL = `SELECT s.revoked_at IS NULL AND s.expires_at > now()
              AND (s.delegated_from IS NULL OR inosec.delegation_live(s.delegated_from)) AS live,
            (extract(epoch FROM s.expires_at) * 1000)::float8 AS expires_ms, u.status AS user_status,
            t.status AS tenant_status, u.email, u.is_super_admin,
            u.delegate_of IS NOT NULL AS platform_operator, s.mfa,
            coalesce((SELECT array_agg(DISTINCT p ORDER BY p)
                        FROM inosec.user_roles ur
                        JOIN inosec.roles r ON r.id = ur.role_id
                        CROSS JOIN LATERAL unnest(r.permissions) AS p
                       WHERE ur.user_id = u.id), '{}') AS permissions
       FROM inosec.sessions s
       JOIN inosec.users u ON u.id = s.user_id
       JOIN inosec.tenants t ON t.id = s.tenant_id
      WHERE s.id = $1 AND s.user_id = $2`;

/**
 * Reads a session with its user, tenant and effective permissions in ONE round trip: the tenant setting and
 * the query go as one simple-protocol message, which PostgreSQL runs as one implicit transaction (so the
 * setting, local to it, ends with it, and an error rolls it all back). The ids come from a verified token and
 * are checked to be UUIDs before they are written as literals.
 */
export async function readPrincipal(
  pool: pg.Pool,
  tenantId: string,
  sessionId: string,
  userId: string,
): Promise<Principal | undefined> {
  if (![tenantId, sessionId, userId].every((id) => UUID.test(id))) return undefined;
  const results = (await pool.query(
    `SELECT set_config('inosec.tenant_id', '${tenantId}', true);
     ${PRINCIPAL_SQL.replace('$1', `'${sessionId}'`).replace('$2', `'${userId}'`)}`,
  )) as unknown as Array<pg.QueryResult<PrincipalRow>>;
  return toPrincipal(results[1]?.rows[0]);
}

function toPrincipal(row: PrincipalRow | undefined): Principal | undefined {
  if (row === undefined) return undefined;
  return {
    sessionLive: row.live,
    sessionExpiresAt: row.expires_ms,
    userStatus: row.user_status,
    tenantStatus: row.tenant_status,
    email: row.email,
    superAdmin: row.is_super_admin,
    platformOperator: row.platform_operator,
    mfa: row.mfa,
    permissions: row.permissions,
  };
}
