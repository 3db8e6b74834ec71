// Roles of the transaction's tenant (Row Level Security scopes every statement). Called inside TenantDb.tx.
import type pg from 'pg';
import type { Permission } from '../auth/permissions.js';

/** A role with its permissions and how many users hold it. */
export interface RoleRecord {
  id: string;
  name: string;
  description: string;
  permissions: Permission[];
  builtin: boolean;
  userCount: number;
  createdAt: Date;
  updatedAt: Date;
}

interface RoleRow {
  id: string;
  name: string;
  description: string;
  permissions: Permission[];
  builtin: boolean;
  user_count: number;
  created_at: Date;
  updated_at: Date;
}

const ROLE_COLUMNS = `r.id::text AS id, r.name, r.description, r.permissions, r.builtin, r.created_at, r.updated_at,
  (SELECT count(*)::int FROM inosec.user_roles ur WHERE ur.role_id = r.id) AS user_count`;

function toRole(row: RoleRow): RoleRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    permissions: row.permissions,
    builtin: row.builtin,
    userCount: row.user_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A page of roles ordered by name; up to `limit + 1` rows so the caller knows if more follow. */
export async function listRoles(
  client: pg.ClientBase,
  options: { afterName?: string | undefined; limit: number },
): Promise<RoleRecord[]> {
  const { rows } = await client.query<RoleRow>(
    `SELECT ${ROLE_COLUMNS} FROM inosec.roles r
      WHERE ($1::text IS NULL OR r.name > $1)
      ORDER BY r.name LIMIT $2`,
    [options.afterName ?? null, options.limit + 1],
  );
  return rows.map(toRole);
}

/** One role, or undefined when there is none with that id in the tenant. */
export async function findRole(client: pg.ClientBase, roleId: string): Promise<RoleRecord | undefined> {
  const { rows } = await client.query<RoleRow>(`SELECT ${ROLE_COLUMNS} FROM inosec.roles r WHERE r.id = $1`, [
    roleId,
  ]);
  return rows[0] === undefined ? undefined : toRole(rows[0]);
}

/** The roles of the tenant among `roleIds` (ids of other tenants or of nothing are simply absent). */
export async function findRolesByIds(
  client: pg.ClientBase,
  roleIds: readonly string[],
): Promise<RoleRecord[]> {
  const { rows } = await client.query<RoleRow>(
    `SELECT ${ROLE_COLUMNS} FROM inosec.roles r WHERE r.id = ANY($1::uuid[]) ORDER BY r.name`,
    [roleIds],
  );
  return rows.map(toRole);
}

/** Creates a role; throws the database's unique violation (23505) when the name is taken. */
export async function insertRole(
  client: pg.ClientBase,
  tenantId: string,
  role: { name: string; description: string; permissions: readonly string[]; builtin?: boolean },
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO inosec.roles (tenant_id, name, description, permissions, builtin)
     VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id`,
    [tenantId, role.name, role.description, role.permissions, role.builtin ?? false],
  );
  return rows[0]!.id;
}

/** Changes a role's name, description and/or permissions (fields left undefined keep their value). */
export async function updateRole(
  client: pg.ClientBase,
  roleId: string,
  change: {
    name?: string | undefined;
    description?: string | undefined;
    permissions?: readonly string[] | undefined;
  },
): Promise<void> {
  await client.query(
    `UPDATE inosec.roles
        SET name = coalesce($2, name), description = coalesce($3, description),
            permissions = coalesce($4::text[], permissions), updated_at = now()
      WHERE id = $1`,
    [roleId, change.name ?? null, change.description ?? null, change.permissions ?? null],
  );
}

/** Deletes a role (user grants of it go with it). */
export async function deleteRole(client: pg.ClientBase, roleId: string): Promise<void> {
  await client.query('DELETE FROM inosec.roles WHERE id = $1', [roleId]);
}

/** The users holding a role (whose cached permissions a change of it affects). */
export async function roleHolders(client: pg.ClientBase, roleId: string): Promise<string[]> {
  const { rows } = await client.query<{ user_id: string }>(
    'SELECT user_id::text AS user_id FROM inosec.user_roles WHERE role_id = $1',
    [roleId],
  );
  return rows.map((r) => r.user_id);
}
