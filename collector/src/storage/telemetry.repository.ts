import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InosecError, type Event, type EventBatch } from '@inosec/protos';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { AgentIdentity } from '../ingest/batch-validator.js';
import { emptyTableRows, encodeBatchRows, TELEMETRY_TABLES, type TelemetryTable } from './event-rows.js';

/** The agent may not store anything: unknown, revoked, or enrolled in another tenant than it claims. */
export class AgentNotAllowedError extends InosecError {
  constructor(
    readonly why: 'unknown' | 'revoked' | 'tenant_mismatch',
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
  revoked: boolean;
}

const COPY_SQL = Object.fromEntries(
  Object.entries(TELEMETRY_TABLES).map(([table, columns]) => [
    table,
    `COPY telemetry.${table} (${columns.join(', ')}) FROM STDIN`,
  ]),
) as Record<TelemetryTable, string>;

// Locks the agent's row for the transaction (batches of one agent commit one after the other, whichever
// collector holds them) and returns the parts of [first, last] not yet stored.
const LOCK_SQL = `SELECT set_config('inosec.tenant_id', $4, true), a.tenant_id::text AS tenant_id, a.revoked_at IS NOT NULL AS revoked,
    coalesce((SELECT array_agg(lower(r) || '-' || upper(r)) FROM unnest(int8multirange(int8range($2, $3)) - a.committed) AS r), '{}') AS missing
  FROM telemetry.agents a WHERE a.agent_id = $1 FOR UPDATE`;

const COMMIT_RANGE_SQL = `UPDATE telemetry.agents
  SET committed = committed + int8multirange(int8range($2, $3)), last_batch_at = now() WHERE agent_id = $1`;

/** Looks an agent up by id: its tenant and whether it was revoked. */
export async function findAgent(
  db: pg.Pool | pg.PoolClient,
  agentId: string,
): Promise<AgentRecord | undefined> {
  const { rows } = await db.query<{ tenant_id: string; revoked: boolean }>(
    'SELECT tenant_id::text AS tenant_id, revoked_at IS NOT NULL AS revoked FROM telemetry.agents WHERE agent_id = $1',
    [agentId],
  );
  const row = rows[0];
  return row && { agentId, tenantId: row.tenant_id, revoked: row.revoked };
}

async function copyRows(client: pg.PoolClient, table: TelemetryTable, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const text = lines.join('\n') + '\n';
  await pipeline(Readable.from([Buffer.from(text, 'utf8')]), client.query(copyFrom(COPY_SQL[table])));
}

/**
 * Stores a validated, decoded batch (events with contiguous seqs first..last, tenant set) exactly once: in one
 * transaction it locks the agent's row, writes with COPY only the events whose seqs are not stored yet, and
 * records the batch's range as stored. Throws AgentNotAllowedError when the agent may not store, and the
 * database's error otherwise (nothing is stored then).
 */
export async function storeBatch(
  pool: pg.Pool,
  identity: AgentIdentity,
  batch: EventBatch,
  firstSeq: number,
  lastSeq: number,
): Promise<StoreResult> {
  // Decoded batches hold Event instances (with the `payload` oneof getter), whatever the declared type says.
  const events = batch.events as Event[];
  // Encoded before the transaction: the agent's row stays locked only for the database work.
  const encoded = encodeBatchRows(events);
  const client = await pool.connect();
  let broken = false;
  // A server that goes away while the client is checked out emits 'error' on it (besides failing the
  // query in progress): without a listener that would crash the process.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    try {
      // One round trip: the transaction's tenant (for the alerts policy), the agent's row lock, the seqs to store.
      const { rows } = await client.query<{ tenant_id: string; revoked: boolean; missing: string[] }>(
        LOCK_SQL,
        [identity.agentId, firstSeq, lastSeq + 1, identity.tenantId],
      );
      const agent = rows[0];
      if (!agent) throw new AgentNotAllowedError('unknown', `agent ${identity.agentId} is not enrolled`);
      if (agent.revoked) throw new AgentNotAllowedError('revoked', `agent ${identity.agentId} was revoked`);
      if (agent.tenant_id !== identity.tenantId) {
        throw new AgentNotAllowedError(
          'tenant_mismatch',
          `agent ${identity.agentId} is enrolled in another tenant than its credentials name`,
        );
      }
      const missing = agent.missing.map((range) => range.split('-').map(Number) as [number, number]);
      let tables = encoded.rows;
      let stored = events.length;
      const whole = missing.length === 1 && missing[0]?.[0] === firstSeq && missing[0][1] === lastSeq + 1;
      if (!whole) {
        // Part of the batch is stored already (a re-send): keep the lines of the missing seqs only.
        const isMissing = (seq: number) => missing.some(([from, to]) => seq >= from && seq < to);
        tables = emptyTableRows();
        stored = 0;
        for (const table of Object.keys(tables) as TelemetryTable[]) {
          const seqs = encoded.seqs[table];
          encoded.rows[table].forEach((line, i) => {
            if (isMissing(seqs[i] as number)) {
              tables[table].push(line);
              stored++;
            }
          });
        }
      }
      if (stored > 0) {
        for (const table of Object.keys(tables) as TelemetryTable[])
          await copyRows(client, table, tables[table]);
      }
      await client.query(COMMIT_RANGE_SQL, [identity.agentId, firstSeq, lastSeq + 1]);
      await client.query('COMMIT');
      return {
        stored,
        duplicates: events.length - stored,
        rows: {
          events: tables.events.length,
          network_events: tables.network_events.length,
          metrics: tables.metrics.length,
          ot_transactions: tables.ot_transactions.length,
        },
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } catch (error) {
    // A connection that failed mid-transaction is not returned to the pool.
    broken ||= !(error instanceof AgentNotAllowedError) && isConnectionError(error);
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
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
