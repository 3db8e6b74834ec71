// Reading the audit log: pages of a tenant's chain with filters, the platform chain for super admins, and the
// chain verification query. Appending is audit-log.ts (recordAudit), inside each change's transaction.
import type pg from 'pg';

/** One audit entry as the API shows it. */
export interface AuditRecord {
  id: number;
  tenantId: string | null;
  at: Date;
  actorType: 'user' | 'agent' | 'system' | 'anonymous';
  actorId: string | null;
  actorIp: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  outcome: 'success' | 'failure' | 'denied';
  requestId: string | null;
  details: Record<string, unknown>;
}

interface AuditRow {
  id: string;
  tenant_id: string | null;
  at: Date;
  actor_type: AuditRecord['actorType'];
  actor_id: string | null;
  actor_ip: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  outcome: AuditRecord['outcome'];
  request_id: string | null;
  details: Record<string, unknown>;
}

const AUDIT_COLUMNS = `a.id, a.tenant_id::text AS tenant_id, a.at, a.actor_type, a.actor_id, host(a.actor_ip) AS actor_ip,
  a.action, a.resource_type, a.resource_id, a.outcome, a.request_id, a.details`;

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: Number(row.id),
    tenantId: row.tenant_id,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorIp: row.actor_ip,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    outcome: row.outcome,
    requestId: row.request_id,
    details: row.details,
  };
}

/** Filters of the audit list and export; all optional and combined with AND. */
export interface AuditFilter {
  /** `user` matches `user.invite` and `user.roles_set`; `user.invite` matches only itself and its children. */
  action?: string | undefined;
  actorId?: string | undefined;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  outcome?: AuditRecord['outcome'] | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * A page of the transaction's tenant's audit entries, newest first (keyset on id): entries with an id below
 * `beforeId`, at most `limit`. Row Level Security limits it to the tenant whatever the filter says.
 */
export async function listAuditEntries(
  client: pg.ClientBase,
  filter: AuditFilter,
  page: { beforeId?: number | undefined; limit: number },
): Promise<AuditRecord[]> {
  const { rows } = await client.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM inosec.audit_log a
      WHERE a.tenant_id = inosec.current_tenant_id()
        AND ($1::text IS NULL OR a.action = $1 OR starts_with(a.action, $1 || '.'))
        AND ($2::text IS NULL OR a.actor_id = $2)
        AND ($3::text IS NULL OR a.resource_type = $3)
        AND ($4::text IS NULL OR a.resource_id = $4)
        AND ($5::text IS NULL OR a.outcome = $5)
        AND ($6::timestamptz IS NULL OR a.at >= $6)
        AND ($7::timestamptz IS NULL OR a.at < $7)
        AND ($8::bigint IS NULL OR a.id < $8)
      ORDER BY a.id DESC
      LIMIT $9`,
    [
      filter.action ?? null,
      filter.actorId ?? null,
      filter.resourceType ?? null,
      filter.resourceId ?? null,
      filter.outcome ?? null,
      filter.from ?? null,
      filter.to ?? null,
      page.beforeId ?? null,
      page.limit,
    ],
  );
  return rows.map(toRecord);
}

/** A page of the platform chain, newest first, for the super admin `actorId` (the database checks it). */
export async function listPlatformAuditEntries(
  client: pg.ClientBase,
  actorId: string,
  page: { beforeId?: number | undefined; limit: number },
): Promise<AuditRecord[]> {
  const { rows } = await client.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM inosec.platform_audit_page($1, $2, $3) a ORDER BY a.id DESC`,
    [actorId, page.beforeId ?? null, page.limit],
  );
  return rows.map(toRecord);
}

/** What the verification query found in one chain. */
export interface ChainCheckRow {
  checked: number;
  /** The first row whose content or link is wrong, or null. */
  firstBrokenId: number | null;
  /** Its content does not hash to its stored hash (it was changed). */
  contentChanged: boolean;
  /** Its prev_hash is not the previous row's hash (the previous row was removed or changed). */
  linkBroken: boolean;
  /** The newest row and its hash: what an operator anchors outside the database. */
  headId: number | null;
  headHash: string | null;
}

/**
 * Walks one chain (a tenant's, or the platform's when `tenantId` is null) in id order in ONE query: every row's
 * hash is recomputed with inosec.audit_digest(prev_hash, row) and every prev_hash compared with the previous
 * row's hash (lag). Reads only what the connection's role may see: the app role its tenant's chain, the
 * owner or a superuser any chain.
 */
export async function checkChain(client: pg.ClientBase, tenantId: string | null): Promise<ChainCheckRow> {
  const { rows } = await client.query<{
    checked: string;
    broken: string[] | null;
    head_id: string | null;
    head_hash: string | null;
  }>(
    `WITH chain AS (
       SELECT a.id,
              a.hash,
              a.hash = inosec.audit_digest(a.prev_hash, a) AS content_ok,
              a.prev_hash = coalesce(lag(a.hash) OVER (ORDER BY a.id), '\\x'::bytea) AS link_ok,
              lead(a.id) OVER (ORDER BY a.id) IS NULL AS is_head
         FROM inosec.audit_log a
        WHERE ${tenantId === null ? 'a.tenant_id IS NULL AND $1::uuid IS NULL' : 'a.tenant_id = $1::uuid'}
     )
     SELECT count(*) AS checked,
            min(ARRAY[c.id, CASE WHEN c.content_ok THEN 0 ELSE 1 END + CASE WHEN c.link_ok THEN 0 ELSE 2 END])
              FILTER (WHERE NOT (c.content_ok AND c.link_ok)) AS broken,
            max(c.id) AS head_id,
            max(encode(c.hash, 'hex')) FILTER (WHERE c.is_head) AS head_hash
       FROM chain c`,
    [tenantId],
  );
  const row = rows[0];
  const broken = row?.broken ?? null;
  const flags = broken === null ? 0 : Number(broken[1]);
  return {
    checked: Number(row?.checked ?? 0),
    firstBrokenId: broken === null ? null : Number(broken[0]),
    contentChanged: (flags & 1) !== 0,
    linkBroken: (flags & 2) !== 0,
    headId: row?.head_id === null || row?.head_id === undefined ? null : Number(row.head_id),
    headHash: row?.head_hash ?? null,
  };
}

/** Every chain in the log: the tenants that have entries, and null for the platform chain when it has any. */
export async function listChains(client: pg.ClientBase): Promise<Array<string | null>> {
  const { rows } = await client.query<{ tenant_id: string | null }>(
    'SELECT DISTINCT a.tenant_id::text AS tenant_id FROM inosec.audit_log a ORDER BY 1 NULLS FIRST',
  );
  return rows.map((r) => r.tenant_id);
}
