// Platform (super admin) operations. Each goes through a SECURITY DEFINER function that checks the actor is an
// active super admin again in the database (0002_identity.sql, 0006_admin.sql), so a bug in a route cannot
// reach another tenant. Called inside TenantDb.unscoped.
import type pg from 'pg';
import { TENANT_COLUMNS, toTenant, type TenantRecord, type TenantRow } from './tenant-settings.repository.js';

/** Filters and keyset position of a tenants page (ordered by slug). */
export interface TenantListQuery {
  status?: TenantRecord['status'] | undefined;
  q?: string | undefined;
  afterSlug?: string | undefined;
  limit: number;
}

/** A page of every tenant, ordered by slug; up to `limit + 1` rows so the caller knows if more follow. */
export async function platformListTenants(
  client: pg.ClientBase,
  actorId: string,
  query: TenantListQuery,
): Promise<TenantRecord[]> {
  const { rows } = await client.query<TenantRow>(
    `SELECT ${TENANT_COLUMNS} FROM inosec.platform_list_tenants($1) t
      WHERE ($2::text IS NULL OR t.status = $2)
        AND ($3::text IS NULL OR strpos(t.slug, $3) > 0 OR strpos(lower(t.name), $3) > 0)
        AND ($4::text IS NULL OR t.slug > $4)
      ORDER BY t.slug LIMIT $5`,
    [actorId, query.status ?? null, query.q?.toLowerCase() ?? null, query.afterSlug ?? null, query.limit + 1],
  );
  return rows.map(toTenant);
}

/** One tenant by id, or undefined. */
export async function platformFindTenant(
  client: pg.ClientBase,
  actorId: string,
  tenantId: string,
): Promise<TenantRecord | undefined> {
  const { rows } = await client.query<TenantRow>(
    `SELECT ${TENANT_COLUMNS} FROM inosec.platform_list_tenants($1) t WHERE t.id = $2`,
    [actorId, tenantId],
  );
  return rows[0] === undefined ? undefined : toTenant(rows[0]);
}

/** Creates a tenant; throws the database's unique violation (23505) when the slug is taken. */
export async function platformCreateTenant(
  client: pg.ClientBase,
  actorId: string,
  slug: string,
  name: string,
): Promise<TenantRecord> {
  const { rows } = await client.query<TenantRow>(
    `SELECT ${TENANT_COLUMNS} FROM inosec.platform_create_tenant($1, $2, $3) t`,
    [actorId, slug, name],
  );
  return toTenant(rows[0]!);
}

/** Sets a tenant's status; undefined when there is no such tenant. */
export async function platformSetTenantStatus(
  client: pg.ClientBase,
  actorId: string,
  tenantId: string,
  status: TenantRecord['status'],
  reason: string | null,
): Promise<TenantRecord | undefined> {
  const { rows } = await client.query<TenantRow>(
    `SELECT ${TENANT_COLUMNS} FROM inosec.platform_set_tenant_status($1, $2, $3, $4) t WHERE t.id IS NOT NULL`,
    [actorId, tenantId, status, reason],
  );
  return rows[0] === undefined ? undefined : toTenant(rows[0]);
}

/**
 * Scopes the rest of the current transaction to `tenantId` (null: back to no tenant). A platform operation
 * writes its platform audit entry unscoped, then the affected tenant's rows and audit entry in the same
 * transaction, so all of it commits or none.
 */
export async function scopeTransactionTo(client: pg.ClientBase, tenantId: string | null): Promise<void> {
  await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenantId ?? '']);
}
