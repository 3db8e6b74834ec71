// The appliance's first start: its tenant gets the builtin roles and an administrator who is also the
// platform operator (super admin) of this one-machine deployment. The administrator has no password yet: a
// one-time setup link (an invitation token, 7 days) lets whoever runs the appliance set it. While the
// administrator has not accepted, each start prints a fresh link (the previous one stops working).
import type pg from 'pg';
import { BUILTIN_ROLES } from '../auth/permissions.js';
import { issueUserToken } from '../auth/user-tokens.js';

const SETUP_TTL_SECONDS = 7 * 86_400;

/** What the first start left to do: a setup link to print, or nothing when the administrator is set up. */
export interface ApplianceSetup {
  adminEmail: string;
  /** The one-time setup token, while the administrator has not chosen a password. */
  setupToken?: string;
}

/**
 * Creates the builtin roles of the appliance tenant (missing ones only) and its administrator on the first
 * start; returns a new setup token while the administrator is still invited. Runs on the admin connection.
 */
export async function ensureApplianceAdmin(
  admin: pg.Pool,
  tenantId: string,
  adminEmail: string,
): Promise<ApplianceSetup> {
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenantId]);
    for (const role of BUILTIN_ROLES) {
      await client.query(
        `INSERT INTO inosec.roles (tenant_id, name, description, permissions, builtin)
         VALUES ($1, $2, $3, $4, true)
         ON CONFLICT (tenant_id, name) DO UPDATE SET permissions = EXCLUDED.permissions, updated_at = now()
           WHERE inosec.roles.builtin`,
        [tenantId, role.name, role.description, role.permissions],
      );
    }
    const existing = await client.query<{ id: string; status: string; email: string }>(
      `SELECT u.id, u.status, u.email FROM inosec.users u
         JOIN inosec.user_roles ur ON ur.user_id = u.id
         JOIN inosec.roles r ON r.id = ur.role_id AND r.name = 'admin'
        WHERE u.tenant_id = $1 AND u.is_super_admin
        ORDER BY u.created_at LIMIT 1`,
      [tenantId],
    );
    let user = existing.rows[0];
    if (user === undefined) {
      const created = await client.query<{ id: string; status: string; email: string }>(
        `INSERT INTO inosec.users (tenant_id, email, display_name, status, is_super_admin)
         VALUES ($1, $2, 'Administrator', 'invited', true)
         RETURNING id, status, email`,
        [tenantId, adminEmail.toLowerCase()],
      );
      user = created.rows[0]!;
      await client.query(
        `INSERT INTO inosec.user_roles (tenant_id, user_id, role_id)
         SELECT $1, $2, id FROM inosec.roles WHERE tenant_id = $1 AND name = 'admin'`,
        [tenantId, user.id],
      );
      await client.query(
        `INSERT INTO inosec.audit_log (tenant_id, actor_type, actor_id, action, resource_type, resource_id, outcome, details)
         VALUES ($1, 'system', 'appliance', 'user.invite', 'user', $2, 'success', $3)`,
        [tenantId, user.id, JSON.stringify({ email: user.email, roles: ['admin'], superAdmin: true })],
      );
    }
    const setup: ApplianceSetup = { adminEmail: user.email };
    if (user.status === 'invited') {
      setup.setupToken = await issueUserToken(client, tenantId, user.id, 'invite', SETUP_TTL_SECONDS);
    }
    await client.query('COMMIT');
    return setup;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
