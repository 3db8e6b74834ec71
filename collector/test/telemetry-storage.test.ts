// The telemetry schema and the batch writer against a real PostgreSQL: exactly-once storage under re-sent,
// overlapping, reordered and concurrent batches, partition maintenance, and tenant isolation for the
// application role through every relation it could reach.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, EventBatch } from '@inosec/protos';
import type { EncodedBatch } from '../src/ingest/batch-encoder.js';
import { validateBatch, type AgentIdentity } from '../src/ingest/batch-validator.js';
import { encodeBatchRows } from '../src/storage/event-rows.js';
import { pino } from 'pino';
import {
  AgentNotAllowedError,
  maintainPartitions,
  storageMode,
} from '../src/storage/telemetry.repository.js';
import { TelemetryWriter } from '../src/storage/telemetry-writer.js';
import { makeBatch, roundTrip } from './support/events.js';
import {
  enrollAgent,
  startExternalTestDatabase,
  startTestDatabase,
  testPool,
  type TestDatabase,
} from './support/postgres.js';

// The embedded PostgreSQL takes the native partitioning path; with TIMESCALE_URL set (a superuser URL of a
// server with timescaledb preloaded) the same suite runs there and takes the hypertable path.
const targets: Array<{ name: string; mode: 'partitioned' | 'timescaledb'; url?: string }> = [
  { name: 'PostgreSQL (native partitions)', mode: 'partitioned' },
];
if (process.env['TIMESCALE_URL']) {
  targets.push({ name: 'TimescaleDB (hypertables)', mode: 'timescaledb', url: process.env['TIMESCALE_URL'] });
}

describe.each(targets)('$name', ({ mode, url }) => {
  let db: Pick<TestDatabase, 'admin' | 'adminUrl' | 'ingestUrl' | 'appUrl' | 'stop'>;
  let ingest: pg.Pool;
  let writer: TelemetryWriter;
  const tenantA = randomUUID();
  const tenantB = randomUUID();

  beforeAll(async () => {
    db = url ? await startExternalTestDatabase(url) : await startTestDatabase();
    ingest = testPool(db.ingestUrl, 4);
    writer = new TelemetryWriter({ pool: ingest, logger: pino({ level: 'silent' }) });
  });

  afterAll(async () => {
    await ingest?.end();
    await db?.stop();
  });

  /** A batch as the encoder hands it to the writer: validated (tenant set), rows encoded. */
  function encode(identity: AgentIdentity, batch: EventBatch, nowUs = Date.now() * 1000): EncodedBatch {
    const result = validateBatch(batch, identity, nowUs);
    if (!result.ok) throw new Error(result.message);
    return {
      ...result,
      batchId: batch.batchId,
      events: batch.events.length,
      rows: encodeBatchRows(batch.events as Event[]),
    };
  }

  function encoded(identity: AgentIdentity, firstSeq: number, count: number): EncodedBatch {
    return encode(identity, roundTrip(makeBatch(identity.agentId, firstSeq, count)));
  }

  async function store(identity: AgentIdentity, firstSeq: number, count: number) {
    return writer.store(identity, encoded(identity, firstSeq, count));
  }

  async function seqsOf(agentId: string): Promise<number[]> {
    const { rows } = await db.admin.query<{ seq: string }>(
      `SELECT seq FROM (SELECT agent_id, seq FROM telemetry.events UNION ALL SELECT agent_id, seq FROM telemetry.network_events
      UNION ALL SELECT agent_id, seq FROM telemetry.metrics UNION ALL SELECT agent_id, seq FROM telemetry.ot_transactions) t
     WHERE agent_id = $1 ORDER BY seq`,
      [agentId],
    );
    return rows.map((r) => Number(r.seq));
  }

  function range(from: number, to: number): number[] {
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }

  describe('telemetry schema', () => {
    it('takes the storage path the server supports', async () => {
      expect(await storageMode(db.admin)).toBe(mode);
      if (mode === 'timescaledb') {
        const { rows } = await db.admin.query<{ t: string }>(
          `SELECT hypertable_name AS t FROM timescaledb_information.hypertables WHERE hypertable_schema = 'telemetry' ORDER BY 1`,
        );
        expect(rows.map((r) => r.t)).toEqual(['events', 'metrics', 'network_events', 'ot_transactions']);
        return;
      }
      // Native: daily partitions from the retention to a week ahead.
      const { rows } = await db.admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'telemetry.events'::regclass`,
      );
      expect(rows[0]?.n).toBe(30 + 1 + 7);
    });

    it.skipIf(mode === 'timescaledb')(
      'drops partitions past the retention and creates missing ones, idempotently',
      async () => {
        await db.admin.query(
          `CREATE TABLE telemetry.metrics_p20000101 PARTITION OF telemetry.metrics FOR VALUES FROM ('2000-01-01') TO ('2000-01-02')`,
        );
        expect(await maintainPartitions(ingest, 30)).toEqual({ created: 0, dropped: 1 });
        expect(await maintainPartitions(ingest, 30, 10)).toEqual({ created: 12, dropped: 0 });
        expect(await maintainPartitions(ingest, 30, 10)).toEqual({ created: 0, dropped: 0 });
        await expect(ingest.query('CREATE TABLE telemetry.x (id int)')).rejects.toThrow(/permission denied/);
      },
    );
  });

  describe('TelemetryWriter', () => {
    const agent: AgentIdentity = { agentId: 'agent-store', tenantId: tenantA };

    beforeAll(() => enrollAgent(db.admin, agent.agentId, agent.tenantId));

    it('writes every kind of event to its table with typed columns and the payload as JSON', async () => {
      const result = await store(agent, 1, 12);
      expect(result).toEqual({
        stored: 12,
        duplicates: 0,
        rows: { events: 8, network_events: 2, metrics: 2, ot_transactions: 0 },
      });
      const { rows } = await db.admin.query(
        `SELECT kind, action, outcome, user_name, host(source_ip) AS source_ip, host_name, tenant_id::text AS tenant_id,
              process_command_line, data->'process'->>'name' AS name
       FROM telemetry.events WHERE agent_id = $1 AND seq IN (6, 3) ORDER BY seq`,
        [agent.agentId],
      );
      expect(rows).toEqual([
        {
          kind: 'auth',
          action: 'logon',
          outcome: 'failure',
          user_name: 'admin',
          source_ip: '203.0.113.7',
          host_name: 'web-01',
          tenant_id: tenantA,
          process_command_line: null,
          name: 'sshd',
        },
        {
          kind: 'process',
          action: 'start',
          outcome: null,
          user_name: 'root',
          source_ip: null,
          host_name: 'web-01',
          tenant_id: tenantA,
          process_command_line: 'curl -s https://example.com/6\twith\ttabs',
          name: 'curl',
        },
      ]);
      const net = await db.admin.query(
        `SELECT host(destination_ip) AS ip, destination_port AS port, direction, bytes_in::int AS bytes_in, data->>'kind' AS kind
       FROM telemetry.network_events WHERE agent_id = $1 AND seq = 7`,
        [agent.agentId],
      );
      expect(net.rows).toEqual([
        { ip: '2001:db8::1', port: 443, direction: 'outbound', bytes_in: 56_000, kind: 'KIND_CONNECTION' },
      ]);
      expect(await seqsOf(agent.agentId)).toEqual(range(1, 12));
    });

    it('stores a re-sent batch once and an overlapping one only for its new seqs', async () => {
      expect((await store(agent, 1, 12)).duplicates).toBe(12);
      const overlap = await store(agent, 10, 10);
      expect(overlap).toMatchObject({ stored: 7, duplicates: 3 });
      expect(await seqsOf(agent.agentId)).toEqual(range(1, 19));
    });

    it('stores reordered batches exactly once (a later batch committed first leaves a gap that fills)', async () => {
      await store(agent, 40, 10);
      await store(agent, 20, 20);
      await store(agent, 30, 15);
      expect(await seqsOf(agent.agentId)).toEqual(range(1, 49));
      const { rows } = await db.admin.query<{ committed: string }>(
        'SELECT committed::text FROM telemetry.agents WHERE agent_id = $1',
        [agent.agentId],
      );
      expect(rows[0]?.committed).toBe('{[1,50)}');
    });

    it('stores the same batch sent through several connections at once exactly once', async () => {
      const results = await Promise.all([
        store(agent, 50, 200),
        store(agent, 50, 200),
        store(agent, 150, 200),
      ]);
      expect(results.reduce((n, r) => n + r.stored, 0)).toBe(300);
      expect(await seqsOf(agent.agentId)).toEqual(range(1, 349));
    });

    it('refuses unknown, revoked and other-tenant agents and stores nothing for them', async () => {
      await expect(store({ agentId: 'never-enrolled', tenantId: tenantA }, 1, 3)).rejects.toMatchObject({
        why: 'unknown',
      });
      await enrollAgent(db.admin, 'agent-revoked', tenantA);
      await db.admin.query(`UPDATE telemetry.agents SET revoked_at = now() WHERE agent_id = 'agent-revoked'`);
      await expect(store({ agentId: 'agent-revoked', tenantId: tenantA }, 1, 3)).rejects.toBeInstanceOf(
        AgentNotAllowedError,
      );
      await expect(store({ agentId: agent.agentId, tenantId: tenantB }, 400, 3)).rejects.toMatchObject({
        why: 'tenant_mismatch',
      });
      expect(await seqsOf('agent-revoked')).toEqual([]);
      expect((await seqsOf(agent.agentId)).at(-1)).toBe(349);
    });
  });

  describe('group commit', () => {
    const silent = pino({ level: 'silent' });

    it('joins batches queued behind a transaction into one, across agents and with re-sends, exactly once', async () => {
      const agents = ['group-a', 'group-b', 'group-c'].map((agentId) => ({ agentId, tenantId: tenantA }));
      for (const { agentId } of agents) await enrollAgent(db.admin, agentId, tenantA);
      const one = new TelemetryWriter({ pool: ingest, logger: silent, concurrency: 1 });
      const stores = [];
      for (let i = 0; i < 5; i++) {
        for (const identity of agents) {
          stores.push(one.store(identity, encoded(identity, 1 + i * 20, 20)));
        }
      }
      // A re-send of group-a's second batch, queued with the original: stored once.
      const first = agents[0] as AgentIdentity;
      stores.push(one.store(first, encoded(first, 21, 20)));
      const results = await Promise.all(stores);
      expect(results.reduce((n, r) => n + r.stored, 0)).toBe(3 * 100);
      expect(results.at(-1)).toMatchObject({ stored: 0, duplicates: 20 });
      // The first batch went alone; the 15 queued behind it shared the second transaction.
      expect(one.stats).toEqual({ transactions: 2, batches: 16 });
      for (const { agentId } of agents) expect(await seqsOf(agentId)).toEqual(range(1, 100));
    });

    it('fails only the batches of an agent that may not store', async () => {
      await enrollAgent(db.admin, 'group-ok', tenantA);
      const one = new TelemetryWriter({ pool: ingest, logger: silent, concurrency: 1 });
      const ok: AgentIdentity = { agentId: 'group-ok', tenantId: tenantA };
      const stranger: AgentIdentity = { agentId: 'group-unknown', tenantId: tenantA };
      const outcomes = await Promise.allSettled(
        [ok, stranger, ok].map((identity, i) => {
          return one.store(identity, encoded(identity, 1 + i * 10, 10));
        }),
      );
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await seqsOf('group-ok')).toEqual([...range(1, 10), ...range(21, 30)]);
      expect(await seqsOf('group-unknown')).toEqual([]);
    });

    it.skipIf(mode === 'timescaledb')(
      'retries a refused shared transaction batch by batch, so only the refused batch fails',
      async () => {
        await enrollAgent(db.admin, 'group-refused', tenantA);
        const identity: AgentIdentity = { agentId: 'group-refused', tenantId: tenantA };
        const one = new TelemetryWriter({ pool: ingest, logger: silent, concurrency: 1 });
        // Batch 3 happens 60 days ahead: no partition takes it (the validator would have refused it).
        const ahead = (Date.now() + 60 * 86_400_000) * 1000;
        const batches = [1, 11, 21, 31].map((first) => {
          const batch = roundTrip(makeBatch(identity.agentId, first, 10, first === 21 ? ahead : undefined));
          return encode(identity, batch, first === 21 ? ahead : undefined);
        });
        const outcomes = await Promise.allSettled(batches.map((batch) => one.store(identity, batch)));
        expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
        expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/no partition/);
        expect(await seqsOf('group-refused')).toEqual([...range(1, 20), ...range(31, 40)]);
        const { rows } = await db.admin.query<{ committed: string }>(
          `SELECT committed::text FROM telemetry.agents WHERE agent_id = 'group-refused'`,
        );
        expect(rows[0]?.committed).toBe('{[1,21),[31,41)}');
      },
    );

    it('stores awkward values exactly: addresses, NUL, unicode, big counters, missing fields', async () => {
      const identity: AgentIdentity = { agentId: 'awkward', tenantId: tenantB };
      await enrollAgent(db.admin, identity.agentId, tenantB);
      const batch = roundTrip(makeBatch(identity.agentId, 1, 3));
      const [network, auth] = [batch.events[0], batch.events[2]];
      if (!auth?.auth || !network?.network) throw new Error('makeBatch changed its mix');
      auth.auth.source = { ip: '::ffff:192.0.2.1', port: 22 };
      auth.auth.user = { name: 'ünïcødé\0user\t' };
      auth.auth.reason = 'bad\nline\0';
      network.network.source = { ip: 'fe80::1%eth0', port: 5 };
      network.network.destination = { ip: 'not-an-ip', port: 0 };
      network.network.bytesIn = 2 ** 53 - 1;
      await writer.store(identity, encode(identity, batch));
      const { rows } = await db.admin.query(
        `SELECT host(source_ip) AS ip, user_name, message, data->'user'->>'name' AS json_user
         FROM telemetry.events WHERE agent_id = 'awkward'`,
      );
      expect(rows).toEqual([
        {
          ip: '::ffff:192.0.2.1',
          user_name: 'ünïcødé\uFFFDuser\t',
          message: 'bad\nline\uFFFD',
          json_user: 'ünïcødé\uFFFDuser\t',
        },
      ]);
      const net = await db.admin.query(
        `SELECT source_ip, destination_ip, destination_port, bytes_in::text AS bytes_in, data->'source'->>'ip' AS kept
         FROM telemetry.network_events WHERE agent_id = 'awkward'`,
      );
      expect(net.rows).toEqual([
        {
          source_ip: null,
          destination_ip: null,
          destination_port: null,
          bytes_in: String(2 ** 53 - 1),
          kept: 'fe80::1%eth0',
        },
      ]);
    });
  });

  describe('tenant isolation for the application role', () => {
    let app: pg.Pool;

    beforeAll(async () => {
      app = testPool(db.appUrl, 2);
      await enrollAgent(db.admin, 'agent-a', tenantA);
      await enrollAgent(db.admin, 'agent-b', tenantB);
      await store({ agentId: 'agent-a', tenantId: tenantA }, 1, 24);
      await store({ agentId: 'agent-b', tenantId: tenantB }, 1, 24);
      await db.admin.query(
        `INSERT INTO telemetry.alerts (tenant_id, rule_id, rule_name, ruleset, severity, title, dedupe_key, first_seen, last_seen)
       VALUES ($1, 'r1', 'rule', 'sigma', 'high', 'A alert', 'k', now(), now()),
              ($2, 'r1', 'rule', 'sigma', 'high', 'B alert', 'k', now(), now())`,
        [tenantA, tenantB],
      );
    });

    afterAll(() => app?.end());

    async function asTenant<T extends pg.QueryResultRow>(tenant: string | undefined, sql: string) {
      const client = await app.connect();
      try {
        await client.query('BEGIN');
        if (tenant) await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenant]);
        const result = await client.query<T>(sql);
        await client.query('COMMIT');
        return result.rows;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    }

    it('reads only its tenant through the views, and nothing with no tenant set', async () => {
      for (const view of ['events', 'network_events', 'metrics', 'host_metrics_1m', 'agents']) {
        const rows = await asTenant<{ tenant_id: string }>(
          tenantA,
          `SELECT DISTINCT tenant_id::text FROM tenant_telemetry.${view}`,
        );
        expect(rows, view).toEqual([{ tenant_id: tenantA }]);
        expect(await asTenant(undefined, `SELECT 1 FROM tenant_telemetry.${view}`), view).toEqual([]);
      }
      const alerts = await asTenant<{ title: string }>(tenantB, 'SELECT title FROM telemetry.alerts');
      expect(alerts).toEqual([{ title: 'B alert' }]);
    });

    it('has no privilege on any telemetry table, partition or internal relation', async () => {
      const { rows } = await db.admin.query<{ rel: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE (n.nspname = 'telemetry' OR (n.nspname = '_timescaledb_internal' AND c.relname ~ '^(_hyper_|compress_hyper_|_materialized_hypertable_|_partial_view_|_direct_view_)')) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         AND c.relname NOT IN ('alerts', 'tenant_rules', 'alert_suppressions')`,
      );
      // The exceptions are business records the app role reads under forced Row Level Security.
      const business = await db.admin.query<{ relname: string; forced: boolean }>(
        `SELECT relname, relrowsecurity AND relforcerowsecurity AS forced FROM pg_class
          WHERE relnamespace = 'telemetry'::regnamespace AND relname IN ('alerts', 'tenant_rules', 'alert_suppressions')`,
      );
      expect(business.rows.map((r) => [r.relname, r.forced]).sort()).toEqual([
        ['alert_suppressions', true],
        ['alerts', true],
        ['tenant_rules', true],
      ]);
      expect(rows.length).toBeGreaterThan(mode === 'partitioned' ? 4 * 38 : 4);
      for (const { rel } of rows) {
        await expect(asTenant(tenantA, `SELECT 1 FROM ${rel} LIMIT 1`), rel).rejects.toThrow(
          /permission denied/,
        );
      }
      await expect(asTenant(tenantA, 'SELECT * FROM telemetry.maintain(30, 7)')).rejects.toThrow(
        /permission denied/,
      );
    });

    it('cannot write telemetry or alerts of another tenant', async () => {
      await expect(
        asTenant(
          tenantA,
          `INSERT INTO telemetry.alerts (tenant_id, rule_id, rule_name, ruleset, severity, title, dedupe_key, first_seen, last_seen)
        VALUES ('${tenantB}', 'r', 'r', 's', 'low', 't', 'k', now(), now())`,
        ),
      ).rejects.toThrow(/permission denied|row-level security/);
      const updated = await asTenant(
        tenantA,
        `UPDATE telemetry.alerts SET status = 'closed' WHERE tenant_id = '${tenantB}' RETURNING 1`,
      );
      expect(updated).toEqual([]);
    });
  });
});
