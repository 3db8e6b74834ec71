// End-to-end ingest benchmarks with real processes: the agent (synthetic load through its disk spool) →
// gRPC (mTLS) or NATS JetStream → the standalone collector → PostgreSQL, and in the same run a raw COPY of
// the identical rows as the ceiling; sensor-to-row latency at 10,000 events/s; the agent's RSS and CPU at
// the default policy on this (idle) host. Run: npm run bench:ingest. Prints BENCH lines; asserts no timing.
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from '../src/storage/binary-copy.js';
import { TELEMETRY_TABLES, type TelemetryTable } from '../src/storage/event-rows.js';
import { AgentProcess, REPO_ROOT, until } from '../test/support/agent-process.js';
import { unitEnvironment } from '../test/support/agent-process-unit.js';
import { createTestPki, grpcAgentEnv, type TestPki } from '../test/support/certs.js';
import { CollectorProcess } from '../test/support/collector-process.js';
import { startNatsServer, type TestNatsServer } from '../test/support/nats-server.js';
import {
  enrollAgent,
  freePort,
  startTestDatabase,
  testPool,
  type TestDatabase,
} from '../test/support/postgres.js';

// Events per throughput run: enough for a drain of several seconds, so the first batches (the collector's
// encoder still unoptimised by V8, connections opening) weigh little in the sustained rate.
const EVENTS = Number(process.env['INOSEC_BENCH_EVENTS'] ?? 500_000);
// Rows per transaction of the raw COPY ceiling: the writer's largest transaction (TelemetryWriter).
const BATCH = 16_000;
const tenant = randomUUID();

let db: TestDatabase;
let pki: TestPki;
let nats: TestNatsServer;
const cleanups: Array<() => Promise<unknown>> = [];

function figure(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  const rounded = Math.round(value * 100) / 100;
  process.stdout.write(`BENCH ${JSON.stringify({ name, value: rounded, unit, ...extra })}\n`);
}

beforeAll(async () => {
  [db, pki, nats] = await Promise.all([startTestDatabase(), createTestPki(), startNatsServer()]);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await nats?.destroy();
  await db?.stop();
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

async function storedRows(agentId: string): Promise<number> {
  const { rows } = await db.admin.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM telemetry.events WHERE agent_id = $1) + (SELECT count(*) FROM telemetry.network_events WHERE agent_id = $1)
       + (SELECT count(*) FROM telemetry.metrics WHERE agent_id = $1) AS n`,
    [agentId],
  );
  return Number(rows[0]?.n);
}

/**
 * How many of an agent's seqs are committed, from its `committed` ranges: one row read, so polling it every
 * 100 ms while a run drains costs the database nothing (counting the rows would scan every telemetry table,
 * with no index on agent_id, and compete with the run it measures).
 */
async function committedSeqs(agentId: string): Promise<number> {
  const { rows } = await db.admin.query<{ n: string | null }>(
    `SELECT sum(upper(r) - lower(r)) AS n FROM telemetry.agents, unnest(committed) AS r WHERE agent_id = $1`,
    [agentId],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Events the collector encoded by the reference decoder, not straight from the wire (its metric). */
async function referencePathEvents(process: CollectorProcess): Promise<number> {
  return Number(/^inosec_ingest_reference_path_events_total (\d+)/m.exec(await process.metrics())?.[1] ?? 0);
}

async function collector(extra: Record<string, string> = {}, tls = true): Promise<CollectorProcess> {
  const material: Record<string, string> = tls
    ? {
        INOSEC_GRPC_TLS_CERT: pki.server.certPath,
        INOSEC_GRPC_TLS_KEY: pki.server.keyPath,
        INOSEC_GRPC_TLS_CA: pki.ca.certPath,
      }
    : { INOSEC_GRPC_INSECURE: 'true' };
  const process = new CollectorProcess(
    { DATABASE_URL: db.ingestUrl, ...material, LOG_LEVEL: 'warn', ...extra },
    await freePort(),
    await freePort(),
  );
  cleanups.push(() => process.stop('SIGKILL'));
  return process;
}

async function grpcAgent(
  agentId: string,
  port: number,
  synthetic: number,
  rate: number,
  compression = 'none',
) {
  await enrollAgent(db.admin, agentId, tenant);
  const agent = await AgentProcess.create({
    env: {
      ...(await grpcAgentEnv(pki, agentId, port)),
      INOSEC_TRANSPORT_COMPRESSION: compression,
      LOG_LEVEL: 'warn',
    },
    synthetic,
    rate,
  });
  cleanups.push(() => agent.destroy());
  return agent;
}

/**
 * The sustained rate of an agent's run, from the database: the rows committed between the start of the
 * first transaction and the start of the last (each row's ingest_time is its transaction's start). The
 * connection set-up before the first batch (an agent waiting out its reconnect backoff) is not part of it.
 */
async function sustainedRate(agentId: string): Promise<{ rate: number; seconds: number }> {
  const { rows } = await db.admin.query<{ n: string; s: number }>(
    `WITH t AS (SELECT ingest_time FROM telemetry.events WHERE agent_id = $1
                UNION ALL SELECT ingest_time FROM telemetry.network_events WHERE agent_id = $1
                UNION ALL SELECT ingest_time FROM telemetry.metrics WHERE agent_id = $1)
     SELECT count(*) FILTER (WHERE ingest_time < (SELECT max(ingest_time) FROM t)) AS n,
            extract(epoch FROM max(ingest_time) - min(ingest_time))::float8 AS s FROM t`,
    [agentId],
  );
  const seconds = Number(rows[0]?.s);
  return { rate: Number(rows[0]?.n) / seconds, seconds };
}

/** Lets the agent spool `EVENTS` events with nothing to send to, so the drain measures transport + storage. */
async function prefill(agent: AgentProcess): Promise<void> {
  agent.start();
  await until(async () => ((await agent.status())?.spool.lastSeq ?? 0) >= EVENTS, 120_000, 'agent spooled');
}

/** The rows of a binary COPY export, each as its bytes (field count and fields), in order. */
function binaryRows(stream: Buffer): Buffer[] {
  const rows: Buffer[] = [];
  let offset = 19; // signature, flags, extension length
  for (;;) {
    const start = offset;
    const fields = stream.readInt16BE(offset);
    offset += 2;
    if (fields === -1) return rows;
    for (let f = 0; f < fields; f++) {
      const length = stream.readInt32BE(offset);
      offset += 4 + Math.max(length, 0);
    }
    rows.push(stream.subarray(start, offset));
  }
}

/**
 * The ceiling: the very rows the gRPC run stored, exported and COPYed straight back in (under another agent
 * id) on one connection, in transactions of `rowsPerTransaction` rows, with no protobuf, transport,
 * validation or dedupe: in binary format (what the collector sends) and in text format (for comparison).
 */
async function copyCeiling(
  fromAgent: string,
  format: 'binary' | 'text',
  rowsPerTransaction: number,
): Promise<number> {
  const pool = testPool(db.adminUrl, 1);
  const client = await pool.connect();
  const target = `bench-copy-${format}`;
  try {
    const chunks: Array<{ table: TelemetryTable; data: Buffer[] }> = [];
    for (const table of Object.keys(TELEMETRY_TABLES) as TelemetryTable[]) {
      const columns = TELEMETRY_TABLES[table]
        .map((column) => (column === 'agent_id' ? `'${target}'::text AS agent_id` : column))
        .join(', ');
      const out: Buffer[] = [];
      const exported = client.query(
        copyTo(
          `COPY (SELECT ${columns} FROM telemetry.${table} WHERE agent_id = '${fromAgent}' ORDER BY seq) TO STDOUT (FORMAT ${format})`,
        ),
      );
      for await (const chunk of exported as AsyncIterable<Buffer>) out.push(chunk);
      const all = Buffer.concat(out);
      const rows =
        format === 'binary'
          ? binaryRows(all)
          : all
              .toString('utf8')
              .split('\n')
              .filter(Boolean)
              .map((line) => Buffer.from(line + '\n'));
      for (let i = 0; i < rows.length; i += rowsPerTransaction) {
        const slice = rows.slice(i, i + rowsPerTransaction);
        chunks.push({
          table,
          data: format === 'binary' ? [COPY_BINARY_HEADER, ...slice, COPY_BINARY_TRAILER] : slice,
        });
      }
    }
    const rows = await storedRows(fromAgent);
    await client.query('CHECKPOINT');
    const started = performance.now();
    for (const { table, data } of chunks) {
      await client.query('BEGIN');
      await pipeline(
        Readable.from([Buffer.concat(data)]),
        client.query(
          copyFrom(
            `COPY telemetry.${table} (${TELEMETRY_TABLES[table].join(', ')}) FROM STDIN (FORMAT ${format})`,
          ),
        ),
      );
      await client.query('COMMIT');
    }
    return rows / ((performance.now() - started) / 1000);
  } finally {
    client.release();
    await pool.end();
  }
}

describe('ingest benchmarks', () => {
  // First, while the host is idle: after the throughput runs PostgreSQL would still be vacuuming and
  // checkpointing a million rows, and a busy host delays the agent's return of its start-up heap.
  it('agent RSS and CPU at the default policy on this idle host', async () => {
    const grpcCollector = await collector();
    await grpcCollector.start();
    const agentId = 'bench-idle';
    await enrollAgent(db.admin, agentId, tenant);
    const binary = path.join(REPO_ROOT, 'edge-agent/dist-bin/inosec-agent-linux-x64');
    const useBinary = existsSync(binary);
    // The process environment of the installed agent (the unit's Environment=, e.g. MALLOC_ARENA_MAX).
    const processEnv = unitEnvironment();
    const agent = await AgentProcess.create({
      env: {
        ...(await grpcAgentEnv(pki, agentId, grpcCollector.grpcPort)),
        LOG_LEVEL: 'warn',
      },
      processEnv,
      ...(useBinary ? { binary } : {}),
    });
    cleanups.push(() => agent.destroy());
    agent.start();
    const pid = agent.pid as number;
    const warmup = 20;
    const window = 40;
    await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
    if (!existsSync(`/proc/${pid}`))
      throw new Error(`the agent exited during the warm-up:\n${agent.logs.slice(-3000)}`);
    const ticks = async () => {
      const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
      return Number(stat[11]) + Number(stat[12]); // utime + stime, clock ticks (100/s)
    };
    const rss = async () =>
      Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
    const before = await ticks();
    const samples: number[] = [];
    for (let i = 0; i < window; i++) {
      samples.push(await rss());
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const cpu = ((await ticks()) - before) / 100 / window;
    const extra = {
      binary: useBinary,
      warmup_s: warmup,
      window_s: window,
      policy: 'default',
      unit_env: Object.entries(processEnv)
        .map(([name, value]) => `${name}=${value}`)
        .join(' '),
    };
    figure('agent.rss_mb', Math.max(...samples), 'MB', {
      ...extra,
      median: samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)],
    });
    figure('agent.cpu_pct', cpu * 100, '% of one core', extra);
    if (useBinary) figure('agent.binary_mb', statSync(binary).size / 1e6, 'MB', { arch: 'x64' });
    await grpcCollector.stop();
  }, 300_000);

  it('events/s end to end over gRPC and NATS, against a raw COPY of the identical rows', async () => {
    // gRPC: the agent spools everything first, then the collector comes up and the drain is timed.
    const grpcCollector = await collector();
    const agent = await grpcAgent('bench-grpc', grpcCollector.grpcPort, EVENTS, 0);
    await prefill(agent);
    let started = performance.now();
    await grpcCollector.start();
    await until(async () => (await committedSeqs('bench-grpc')) >= EVENTS, 300_000, 'gRPC drain');
    const grpcWall = (performance.now() - started) / 1000;
    const { rate: grpc, seconds: grpcSeconds } = await sustainedRate('bench-grpc');
    const grpcSlow = await referencePathEvents(grpcCollector);
    await agent.stop(); // SIGTERM: a clean stop (so a --cpu-prof profile is written), and a quiet ceiling run
    await grpcCollector.stop();
    const textCeiling = await copyCeiling('bench-grpc', 'text', BATCH);
    const ceiling = await copyCeiling('bench-grpc', 'binary', BATCH);
    figure('ingest.copy_ceiling.events_per_s', ceiling, 'events/s', {
      events: EVENTS,
      rows_per_transaction: BATCH,
      format: 'binary',
    });
    figure('ingest.copy_ceiling_text.events_per_s', textCeiling, 'events/s', {
      events: EVENTS,
      rows_per_transaction: BATCH,
      format: 'text',
    });
    figure('ingest.grpc.events_per_s', grpc, 'events/s', {
      events: EVENTS,
      ceiling_ratio: Math.round((grpc / ceiling) * 100) / 100,
      compression: 'none',
      first_to_last_commit_s: Math.round(grpcSeconds * 100) / 100,
      collector_start_to_done_s: Math.round(grpcWall * 100) / 100,
      reference_path_events: grpcSlow,
    });

    // NATS: the same, with nats-server down while the agent spools; then nats-server and the collector
    // come up, and the agent publishes its spool into JetStream while the collector drains the stream.
    const natsAgentId = 'bench-nats';
    await enrollAgent(db.admin, natsAgentId, tenant);
    const natsAgent = await AgentProcess.create({
      env: { INOSEC_TRANSPORT: nats.url, INOSEC_AGENT_ID: natsAgentId, LOG_LEVEL: 'warn' },
      synthetic: EVENTS,
      rate: 0,
    });
    cleanups.push(() => natsAgent.destroy());
    const natsCollector = await collector({ NATS_URL: nats.url }, false);
    await nats.stop();
    await prefill(natsAgent);
    // Each run starts from a checkpointed database: the ceiling's writes are not flushed during this one.
    await db.admin.query('CHECKPOINT');
    started = performance.now();
    await nats.start();
    await natsCollector.start();
    await until(async () => (await committedSeqs(natsAgentId)) >= EVENTS, 300_000, 'NATS drain');
    const natsWall = (performance.now() - started) / 1000;
    const { rate: viaNats, seconds: natsSeconds } = await sustainedRate(natsAgentId);
    figure('ingest.nats.events_per_s', viaNats, 'events/s', {
      events: EVENTS,
      ceiling_ratio: Math.round((viaNats / ceiling) * 100) / 100,
      first_to_last_commit_s: Math.round(natsSeconds * 100) / 100,
      start_to_done_s: Math.round(natsWall * 100) / 100,
      reference_path_events: await referencePathEvents(natsCollector),
    });
    await natsAgent.stop();
    await natsCollector.stop();
    expect(await storedRows('bench-grpc')).toBe(EVENTS);
    expect(await storedRows(natsAgentId)).toBe(EVENTS);
  }, 900_000);

  it('sensor-to-row latency at 10,000 events/s over gRPC', async () => {
    const grpcCollector = await collector();
    await grpcCollector.start();
    const seconds = 20;
    const agent = await grpcAgent('bench-latency', grpcCollector.grpcPort, 10_000 * seconds, 10_000);
    agent.start();
    await until(
      async () => (await committedSeqs('bench-latency')) >= 10_000 * seconds,
      120_000,
      'latency run stored',
    );
    const { rows } = await db.admin.query<{ p50: number; p99: number; max: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
       FROM (SELECT extract(epoch FROM ingest_time - time) * 1000 AS ms FROM telemetry.events WHERE agent_id = 'bench-latency'
             UNION ALL SELECT extract(epoch FROM ingest_time - time) * 1000 FROM telemetry.metrics WHERE agent_id = 'bench-latency') t`,
    );
    figure('ingest.latency_p50_ms', Number(rows[0]?.p50), 'ms', { rate: 10_000, seconds });
    figure('ingest.latency_p99_ms', Number(rows[0]?.p99), 'ms', {
      rate: 10_000,
      seconds,
      max_ms: Math.round(Number(rows[0]?.max)),
    });
    await grpcCollector.stop();
  }, 300_000);
});
