import { InosecError } from '@inosec/protos';
import type pg from 'pg';
import type { TelemetryTable } from './event-rows.js';

/** The agent may not store anything: unknown, revoked, or enrolled in another tenant than it claims. */
export class AgentNotAllowedError extends InosecError {
  constructor(
    readonly why: 'unknown' | 'revoked' | 'tenant_mismatch' | 'tenant_inactive',
    message: string,
  ) {
    super(`agent_${why}`, message);
  }
}

export interface StoreResult {
  /** Events written by this call. */
  stored: number;
  /** Events of the batch that were already stored (a re-sent batch): skipped. */
  duplicates: number;
  /** Rows written per table. */
  rows: Record<TelemetryTable, number>;
}

export interface AgentRecord {
  agentId: string;
  tenantId: string;
  /** Its enrollment was revoked: it may not send. */
  revoked: boolean;
  /**
   * SHA-256 (lower-case hex) of the certificate enrollment issued: a connection must present exactly this
   * certificate. Undefined for an agent registered before fleet enrollment (legacy).
   */
  certSha256?: string;
  /** Its tenant may send telemetry (false when suspended or archived). */
  tenantActive: boolean;
}

/**
 * Looks an agent up by id (telemetry.agent_identity): its tenant, its enrolled certificate's SHA-256, whether it
 * was revoked and whether its tenant is active. Uncached: each new connection sees a revocation at once.
 */
export async function findAgent(
  db: pg.Pool | pg.PoolClient,
  agentId: string,
): Promise<AgentRecord | undefined> {
  const { rows } = await db.query<{
    tenant_id: string;
    cert_sha256: Buffer | null;
    revoked: boolean;
    tenant_active: boolean;
  }>(
    'SELECT tenant_id::text AS tenant_id, cert_sha256, revoked, tenant_active FROM telemetry.agent_identity($1)',
    [agentId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    agentId,
    tenantId: row.tenant_id,
    revoked: row.revoked,
    tenantActive: row.tenant_active,
    ...(row.cert_sha256 ? { certSha256: row.cert_sha256.toString('hex') } : {}),
  };
}

/** SQLSTATE classes that mean the connection or server is gone or going, not that the data is wrong. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return true; // socket errors, timeouts: no SQLSTATE
  return (
    code.startsWith('08') ||
    code.startsWith('57') ||
    code.startsWith('53') ||
    code === '40001' ||
    code === '40P01'
  );
}

/** Runs the partition maintenance (native partitioning: create ahead, drop past the retention). */
export async function maintainPartitions(
  pool: pg.Pool,
  retentionDays: number,
  aheadDays = 7,
): Promise<{ created: number; dropped: number }> {
  const { rows } = await pool.query<{ action: string }>('SELECT action FROM telemetry.maintain($1, $2)', [
    retentionDays,
    aheadDays,
  ]);
  return {
    created: rows.filter((r) => r.action === 'created').length,
    dropped: rows.filter((r) => r.action === 'dropped').length,
  };
}

/** Which storage path the database took: hypertables or native partitions. */
export async function storageMode(pool: pg.Pool): Promise<'timescaledb' | 'partitioned'> {
  const { rows } = await pool.query<{ mode: 'timescaledb' | 'partitioned' }>(
    'SELECT telemetry.storage_mode() AS mode',
  );
  return rows[0]?.mode ?? 'partitioned';
}
