// Users of the transaction's tenant (Row Level Security scopes every statement): listing, invitation, status,
// roles and sessions. Called inside TenantDb.tx.
import type pg from 'pg';

/** A role as a user's listing shows it. */
export interface UserRoleRef {
  id: string;
  name: string;
}

/** A user as the admin API shows it (never a password hash or a TOTP secret). */
export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  status: 'invited' | 'active' | 'disabled';
  emailVerified: boolean;
  totpEnabled: boolean;
  superAdmin: boolean;
  /** A platform operator's delegate (the tenant switcher): it signs in only through its operator's session. */
  platformOperator: boolean;
  passwordSet: boolean;
  roles: UserRoleRef[];
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  status: UserRecord['status'];
  email_verified: boolean;
  totp_enabled: boolean;
  is_super_admin: boolean;
  platform_operator: boolean;
  password_set: boolean;
  roles: UserRoleRef[];
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = `u.id::text AS id, u.email, u.display_name, u.status,
  u.email_verified_at IS NOT NULL AS email_verified, u.totp_enabled_at IS NOT NULL AS totp_enabled,
  u.is_super_admin, u.delegate_of IS NOT NULL AS platform_operator, u.password_hash IS NOT NULL AS password_set, u.last_login_at, u.created_at, u.updated_at,
  coalesce((SELECT json_agg(json_build_object('id', r.id::text, 'name', r.name) ORDER BY r.name)
              FROM inosec.user_roles ur JOIN inosec.roles r ON r.id = ur.role_id
             WHERE ur.user_id = u.id), '[]'::json) AS roles`;

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    status: row.status,
    emailVerified: row.email_verified,
    totpEnabled: row.totp_enabled,
    superAdmin: row.is_super_admin,
    platformOperator: row.platform_operator,
    passwordSet: row.password_set,
    roles: row.roles,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Escapes LIKE wildcards so a search term matches literally. */
function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Filters and keyset position of a users page (ordered by email). */
export interface UserListQuery {
  status?: UserRecord['status'] | undefined;
  roleId?: string | undefined;
  q?: string | undefined;
  afterEmail?: string | undefined;
  limit: number;
}

/** One page of users ordered by email; returns up to `limit + 1` rows so the caller knows if more follow. */
export async function listUsers(client: pg.ClientBase, query: UserListQuery): Promise<UserRecord[]> {
  const { rows } = await client.query<UserRow>(
    `SELECT ${USER_COLUMNS}
       FROM inosec.users u
      WHERE ($1::text IS NULL OR u.status = $1)
        AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM inosec.user_roles x WHERE x.user_id = u.id AND x.role_id = $2))
        AND ($3::text IS NULL OR u.email ILIKE $3 ESCAPE '\\' OR u.display_name ILIKE $3 ESCAPE '\\')
        AND ($4::text IS NULL OR u.email > $4)
      ORDER BY u.email
      LIMIT $5`,
    [
      query.status ?? null,
      query.roleId ?? null,
      query.q === undefined ? null : likeContains(query.q),
      query.afterEmail ?? null,
      query.limit + 1,
    ],
  );
  return rows.map(toUser);
}

/** One user, or undefined when there is none with that id in the tenant. */
export async function findUser(client: pg.ClientBase, userId: string): Promise<UserRecord | undefined> {
  const { rows } = await client.query<UserRow>(`SELECT ${USER_COLUMNS} FROM inosec.users u WHERE u.id = $1`, [
    userId,
  ]);
  return rows[0] === undefined ? undefined : toUser(rows[0]);
}

/** Inserts an invited user (no password yet); undefined when the email is taken in this tenant. */
export async function insertInvitedUser(
  client: pg.ClientBase,
  tenantId: string,
  email: string,
  displayName: string,
): Promise<string | undefined> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO inosec.users (tenant_id, email, display_name, status)
     VALUES ($1, $2, $3, 'invited')
     ON CONFLICT (tenant_id, email) WHERE delegate_of IS NULL DO NOTHING
     RETURNING id::text AS id`,
    [tenantId, email, displayName],
  );
  return rows[0]?.id;
}

/** Changes a user's display name and/or status; returns whether the user exists. */
export async function updateUser(
  client: pg.ClientBase,
  userId: string,
  change: { displayName?: string | undefined; status?: UserRecord['status'] | undefined },
): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE inosec.users
        SET display_name = coalesce($2, display_name), status = coalesce($3, status), updated_at = now()
      WHERE id = $1`,
    [userId, change.displayName ?? null, change.status ?? null],
  );
  return rowCount === 1;
}

/** Deletes a user (their roles, sessions and tokens go with them); returns whether one was deleted. */
export async function deleteUser(client: pg.ClientBase, userId: string): Promise<boolean> {
  const { rowCount } = await client.query('DELETE FROM inosec.users WHERE id = $1', [userId]);
  return rowCount === 1;
}

/** The ids of the roles a user holds. */
export async function userRoleIds(client: pg.ClientBase, userId: string): Promise<string[]> {
  const { rows } = await client.query<{ role_id: string }>(
    'SELECT role_id::text AS role_id FROM inosec.user_roles WHERE user_id = $1',
    [userId],
  );
  return rows.map((r) => r.role_id);
}

/** Makes `roleIds` exactly the roles `userId` holds. */
export async function replaceUserRoles(
  client: pg.ClientBase,
  tenantId: string,
  userId: string,
  roleIds: readonly string[],
  grantedBy: string,
): Promise<void> {
  await client.query('DELETE FROM inosec.user_roles WHERE user_id = $1 AND NOT (role_id = ANY($2::uuid[]))', [
    userId,
    roleIds,
  ]);
  await client.query(
    `INSERT INTO inosec.user_roles (tenant_id, user_id, role_id, granted_by)
     SELECT $1, $2, r, $4 FROM unnest($3::uuid[]) AS r
     ON CONFLICT (user_id, role_id) DO NOTHING`,
    [tenantId, userId, roleIds, grantedBy],
  );
}

/**
 * Serialises the changes that could leave a tenant without an active administrator (role changes,
 * disabling, deleting), so two concurrent changes cannot each remove "the other" last admin.
 */
export async function lockAdministrators(client: pg.ClientBase, tenantId: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended('inosec.admins:' || $1, 0))", [tenantId]);
}

/** How many active users of the tenant's own hold the builtin admin role (a platform operator's delegate does not count). */
export async function countActiveAdministrators(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(DISTINCT u.id)::int AS n
       FROM inosec.users u
       JOIN inosec.user_roles ur ON ur.user_id = u.id
       JOIN inosec.roles r ON r.id = ur.role_id
      WHERE r.builtin AND r.name = 'admin' AND u.status = 'active' AND u.delegate_of IS NULL`,
  );
  return rows[0]?.n ?? 0;
}

/** Ends every live session of a user; returns how many were ended. */
export async function revokeUserSessions(
  client: pg.ClientBase,
  userId: string,
  reason: 'admin' | 'user_disabled',
): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE inosec.sessions SET revoked_at = now(), revoked_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL`,
    [userId, reason],
  );
  return rowCount ?? 0;
}

/** Makes a user's unused mailed tokens (invitation, reset, verification) unusable. */
export async function burnUserTokens(client: pg.ClientBase, userId: string): Promise<void> {
  await client.query('UPDATE inosec.user_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [
    userId,
  ]);
}

/** A session of a user, as an administrator sees it. */
export interface SessionRecord {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  mfa: boolean;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** The exact (microsecond) creation time: the keyset cursor's key. */
  sortKey: string;
}

/** A user's sessions, newest first (keyset on created_at, id); up to `limit + 1` rows. */
export async function listUserSessions(
  client: pg.ClientBase,
  userId: string,
  options: { live: boolean; after?: { createdAt: string; id: string } | undefined; limit: number },
): Promise<SessionRecord[]> {
  const { rows } = await client.query<{
    id: string;
    created_at: Date;
    last_used_at: Date;
    expires_at: Date;
    ip: string | null;
    user_agent: string | null;
    mfa: boolean;
    revoked_at: Date | null;
    revoked_reason: string | null;
    sort_key: string;
  }>(
    `SELECT s.id::text AS id, s.created_at, s.last_used_at, s.expires_at, host(s.ip) AS ip, s.user_agent, s.mfa,
            s.revoked_at, s.revoked_reason,
            to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key
       FROM inosec.sessions s
      WHERE s.user_id = $1
        AND (NOT $2::boolean OR (s.revoked_at IS NULL AND s.expires_at > now()))
        AND ($3::timestamptz IS NULL OR (s.created_at, s.id) < ($3::timestamptz, $4::uuid))
      ORDER BY s.created_at DESC, s.id DESC
      LIMIT $5`,
    [userId, options.live, options.after?.createdAt ?? null, options.after?.id ?? null, options.limit + 1],
  );
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
    ip: r.ip,
    userAgent: r.user_agent,
    mfa: r.mfa,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
    sortKey: r.sort_key,
  }));
}
