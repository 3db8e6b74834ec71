// The settings of the transaction's tenant (Row Level Security shows only that row). Called inside TenantDb.tx.
import type pg from 'pg';

/** A tenant as its own administrators and the platform operators see it. */
export interface TenantRecord {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended' | 'archived';
  statusReason: string | null;
  statusChangedAt: Date | null;
  selfRegistration: boolean;
  allowedEmailDomains: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** A row of inosec.tenants as selected with TENANT_COLUMNS. */
export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: TenantRecord['status'];
  status_reason: string | null;
  status_changed_at: Date | null;
  self_registration: boolean;
  allowed_email_domains: string[];
  created_at: Date;
  updated_at: Date;
}

/** The columns of a TenantRow, from a relation aliased `t`. */
export const TENANT_COLUMNS = `t.id::text AS id, t.slug, t.name, t.status, t.status_reason, t.status_changed_at,
  t.self_registration, t.allowed_email_domains, t.created_at, t.updated_at`;

export function toTenant(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    statusReason: row.status_reason,
    statusChangedAt: row.status_changed_at,
    selfRegistration: row.self_registration,
    allowedEmailDomains: row.allowed_email_domains,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The transaction's tenant, or undefined when none is set. */
export async function readTenant(client: pg.ClientBase): Promise<TenantRecord | undefined> {
  const { rows } = await client.query<TenantRow>(
    `SELECT ${TENANT_COLUMNS} FROM inosec.tenants t WHERE t.id = inosec.current_tenant_id()`,
  );
  return rows[0] === undefined ? undefined : toTenant(rows[0]);
}

/** Changes the transaction's tenant's settings (fields left undefined keep their value). */
export async function updateTenantSettings(
  client: pg.ClientBase,
  change: {
    name?: string | undefined;
    selfRegistration?: boolean | undefined;
    allowedEmailDomains?: readonly string[] | undefined;
  },
): Promise<void> {
  await client.query(
    `UPDATE inosec.tenants
        SET name = coalesce($1, name), self_registration = coalesce($2, self_registration),
            allowed_email_domains = coalesce($3::text[], allowed_email_domains), updated_at = now()
      WHERE id = inosec.current_tenant_id()`,
    [change.name ?? null, change.selfRegistration ?? null, change.allowedEmailDomains ?? null],
  );
}
