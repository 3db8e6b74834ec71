// SQL for the accounts authentication reads and changes: users by email or id, their tenant, passwords,
// email verification and TOTP state. Every function runs inside the caller's tenant transaction except
// tenantBySlug, which works before a tenant is known.
import type pg from 'pg';

/** A user as authentication sees it. */
export interface AuthUser {
  id: string;
  tenantId: string;
  email: string;
  displayName: string;
  passwordHash: string | null;
  status: 'invited' | 'active' | 'disabled';
  emailVerifiedAt: Date | null;
  totpSecret: string | null;
  totpEnabledAt: Date | null;
  totpLastStep: number | null;
  superAdmin: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

/** A tenant as authentication sees it. */
export interface AuthTenant {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended' | 'archived';
  selfRegistration: boolean;
  allowedEmailDomains: string[];
}

interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  status: AuthUser['status'];
  email_verified_at: Date | null;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
  is_super_admin: boolean;
  created_at: Date;
  last_login_at: Date | null;
}

const USER_COLUMNS = `id::text, tenant_id::text, email, display_name, password_hash, status, email_verified_at,
  totp_secret, totp_enabled_at, totp_last_step, is_super_admin, created_at, last_login_at`;

function toUser(row: UserRow): AuthUser {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    status: row.status,
    emailVerifiedAt: row.email_verified_at,
    totpSecret: row.totp_secret,
    totpEnabledAt: row.totp_enabled_at,
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    superAdmin: row.is_super_admin,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

/** A tenant's id and status by slug (SECURITY DEFINER: works in a transaction with no tenant). */
export async function tenantBySlug(
  client: pg.ClientBase,
  slug: string,
): Promise<{ id: string; status: AuthTenant['status'] } | undefined> {
  const { rows } = await client.query<{ id: string; status: AuthTenant['status'] }>(
    'SELECT id::text, status FROM inosec.tenant_by_slug($1)',
    [slug],
  );
  return rows[0];
}

/** The transaction's tenant. */
export async function readTenant(client: pg.ClientBase, tenantId: string): Promise<AuthTenant | undefined> {
  const { rows } = await client.query<{
    id: string;
    slug: string;
    name: string;
    status: AuthTenant['status'];
    self_registration: boolean;
    allowed_email_domains: string[];
  }>(
    `SELECT id::text, slug, name, status, self_registration, allowed_email_domains
       FROM inosec.tenants WHERE id = $1`,
    [tenantId],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : {
        id: row.id,
        slug: row.slug,
        name: row.name,
        status: row.status,
        selfRegistration: row.self_registration,
        allowedEmailDomains: row.allowed_email_domains,
      };
}

export async function findUserByEmail(client: pg.ClientBase, email: string): Promise<AuthUser | undefined> {
  const { rows } = await client.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM inosec.users WHERE email = $1 AND delegate_of IS NULL`,
    [email],
  );
  return rows[0] === undefined ? undefined : toUser(rows[0]);
}

/** A user by id; `lock` takes a row lock for a read-modify-write (TOTP, password change). */
export async function findUserById(
  client: pg.ClientBase,
  userId: string,
  lock = false,
): Promise<AuthUser | undefined> {
  const { rows } = await client.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM inosec.users WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [userId],
  );
  return rows[0] === undefined ? undefined : toUser(rows[0]);
}

/** Inserts an active, unverified user; undefined when the email is taken (a concurrent registration). */
export async function insertUnverifiedUser(
  client: pg.ClientBase,
  user: { tenantId: string; email: string; displayName: string; passwordHash: string },
): Promise<string | undefined> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO inosec.users (tenant_id, email, display_name, password_hash, status)
     VALUES ($1, $2, $3, $4, 'active')
     ON CONFLICT (tenant_id, email) WHERE delegate_of IS NULL DO NOTHING
     RETURNING id::text`,
    [user.tenantId, user.email, user.displayName, user.passwordHash],
  );
  return rows[0]?.id;
}

/** Grants the tenant's role named `role` to a user; false when the tenant has no such role. */
export async function grantRoleByName(
  client: pg.ClientBase,
  tenantId: string,
  userId: string,
  role: string,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO inosec.user_roles (tenant_id, user_id, role_id)
     SELECT $1, $2, r.id FROM inosec.roles r WHERE r.name = $3
     ON CONFLICT DO NOTHING`,
    [tenantId, userId, role],
  );
  return (rowCount ?? 0) > 0;
}

/** Sets a new password hash; `activate` also turns an invited user active and verifies the email. */
export async function setPassword(
  client: pg.ClientBase,
  userId: string,
  passwordHash: string,
  options: { activate?: boolean; verifyEmail?: boolean } = {},
): Promise<void> {
  await client.query(
    `UPDATE inosec.users
        SET password_hash = $2, password_changed_at = now(), updated_at = now(),
            status = CASE WHEN $3 AND status = 'invited' THEN 'active' ELSE status END,
            email_verified_at = CASE WHEN $4 THEN coalesce(email_verified_at, now()) ELSE email_verified_at END
      WHERE id = $1`,
    [userId, passwordHash, options.activate ?? false, options.verifyEmail ?? false],
  );
}

export async function setDisplayName(
  client: pg.ClientBase,
  userId: string,
  displayName: string,
): Promise<void> {
  await client.query('UPDATE inosec.users SET display_name = $2, updated_at = now() WHERE id = $1', [
    userId,
    displayName,
  ]);
}

/** Marks the email verified (once: an earlier verification time is kept). */
export async function markEmailVerified(client: pg.ClientBase, userId: string): Promise<void> {
  await client.query(
    `UPDATE inosec.users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
      WHERE id = $1`,
    [userId],
  );
}

export async function recordLogin(client: pg.ClientBase, userId: string): Promise<void> {
  await client.query('UPDATE inosec.users SET last_login_at = now() WHERE id = $1', [userId]);
}

/** Stores a sealed TOTP secret awaiting activation (TOTP stays off until a code verifies it). */
export async function storePendingTotp(client: pg.ClientBase, userId: string, sealed: string): Promise<void> {
  await client.query(
    `UPDATE inosec.users SET totp_secret = $2, totp_enabled_at = NULL, totp_last_step = NULL, updated_at = now()
      WHERE id = $1`,
    [userId, sealed],
  );
}

/**
 * Records `step` as the last accepted TOTP step, only if it is later than the stored one (atomic: two
 * requests with the same code cannot both pass); `enable` also turns TOTP on. False when the step is stale.
 */
export async function acceptTotpStep(
  client: pg.ClientBase,
  userId: string,
  step: number,
  enable = false,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE inosec.users
        SET totp_last_step = $2,
            totp_enabled_at = CASE WHEN $3 THEN now() ELSE totp_enabled_at END,
            updated_at = CASE WHEN $3 THEN now() ELSE updated_at END
      WHERE id = $1 AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)`,
    [userId, step, enable],
  );
  return (rowCount ?? 0) > 0;
}

export async function clearTotp(client: pg.ClientBase, userId: string): Promise<void> {
  await client.query(
    `UPDATE inosec.users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL, updated_at = now()
      WHERE id = $1`,
    [userId],
  );
}
