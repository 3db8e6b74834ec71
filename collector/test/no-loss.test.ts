// Nothing is lost: the real agent (a separate process, synthetic load through its disk spool) streams at
// least 100,000 events to real collectors, and a component is killed or cut in the middle. Afterwards every
// seq 1..N the agent produced is stored exactly once.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, until } from './support/agent-process.js';
import { createTestPki, grpcAgentEnv, type TestPki } from './support/certs.js';
import { CollectorProcess } from './support/collector-process.js';
import { startNatsServer, type TestNatsServer } from './support/nats-server.js';
import { enrollAgent, freePort, startTestDatabase, type TestDatabase } from './support/postgres.js';

const EVENTS = 100_000;
const tenant = randomUUID();

let db: TestDatabase;
let pki: TestPki;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  [db, pki] = await Promise.all([startTestDatabase(), createTestPki()]);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await db?.stop();
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

async function collectorProcess(extra: Record<string, string> = {}): Promise<CollectorProcess> {
  const collector = new CollectorProcess(
    {
      DATABASE_URL: db.ingestUrl,
      INOSEC_GRPC_TLS_CERT: pki.server.certPath,
      INOSEC_GRPC_TLS_KEY: pki.server.keyPath,
      INOSEC_GRPC_TLS_CA: pki.ca.certPath,
      LOG_LEVEL: 'warn',
      ...extra,
    },
    await freePort(),
    await freePort(),
  );
  await collector.start();
  cleanups.push(() => collector.stop('SIGKILL'));
  return collector;
}

async function grpcAgent(agentId: string, port: number, synthetic = EVENTS, rate = 0): Promise<AgentProcess> {
  await enrollAgent(db.admin, agentId, tenant);
  const agent = await AgentProcess.create({
    env: {
      ...(await grpcAgentEnv(pki, agentId, port)),
      INOSEC_TRANSPORT_COMPRESSION: 'none',
    },
    synthetic,
    rate,
  });
  cleanups.push(() => agent.destroy());
  return agent;
}

/** Rows stored for the agent: total, distinct seqs, and the highest seq. */
async function stored(agentId: string): Promise<{ rows: number; distinct: number; max: number }> {
  const { rows } = await db.admin.query<{ rows: string; distinct: string; max: string | null }>(
    `SELECT count(*) AS rows, count(DISTINCT seq) AS distinct, max(seq) AS max FROM (
       SELECT seq FROM telemetry.events WHERE agent_id = $1
       UNION ALL SELECT seq FROM telemetry.network_events WHERE agent_id = $1
       UNION ALL SELECT seq FROM telemetry.metrics WHERE agent_id = $1
       UNION ALL SELECT seq FROM telemetry.ot_transactions WHERE agent_id = $1) t`,
    [agentId],
  );
  const row = rows[0];
  return { rows: Number(row?.rows), distinct: Number(row?.distinct), max: Number(row?.max ?? 0) };
}

/** Waits until the agent has shipped everything it spooled, then checks seqs 1..N are stored exactly once. */
async function expectExactlyOnce(
  agent: AgentProcess,
  agentId: string,
  atLeast: number,
  collector?: CollectorProcess,
): Promise<number> {
  await until(
    async () => {
      const status = await agent.status();
      return (
        status !== undefined &&
        status.spool.lastSeq >= atLeast &&
        status.spool.ackedSeq === status.spool.lastSeq
      );
    },
    240_000,
    `agent ${agentId} drained`,
  ).catch((error: unknown) => {
    const collectorLogs = collector ? `\ncollector:\n${collector.logs.slice(-3000)}` : '';
    throw new Error(`${(error as Error).message}\nagent:\n${agent.logs.slice(-3000)}${collectorLogs}`);
  });
  const status = await agent.status();
  const lastSeq = status?.spool.lastSeq ?? 0;
  expect(status?.spool.droppedRecords).toBe(0);
  // With JetStream the agent's acknowledgement is the stream's; the collectors may still be consuming.
  await until(async () => (await stored(agentId)).rows >= lastSeq, 120_000, `${agentId} stored`);
  expect(await stored(agentId)).toEqual({ rows: lastSeq, distinct: lastSeq, max: lastSeq });
  return lastSeq;
}

describe('no loss, agent → gRPC (mTLS) → collector → PostgreSQL', () => {
  it('kill -9 of the collector mid-stream, then a restart', async () => {
    const collector = await collectorProcess();
    const agent = await grpcAgent('noloss-collector-kill', collector.grpcPort);
    agent.start();
    await until(
      async () => (await stored('noloss-collector-kill')).rows > 20_000,
      60_000,
      'first rows stored',
    );
    await collector.stop('SIGKILL');
    const storedAtKill = (await stored('noloss-collector-kill')).rows;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await collector.start();
    const n = await expectExactlyOnce(agent, 'noloss-collector-kill', EVENTS);
    expect(n).toBeGreaterThanOrEqual(EVENTS);
    expect(storedAtKill).toBeLessThan(EVENTS); // the kill did happen mid-stream
  }, 300_000);

  it('the database stopped for 30 s mid-stream', async () => {
    const collector = await collectorProcess();
    const agent = await grpcAgent('noloss-db-stop', collector.grpcPort, EVENTS, 5_000);
    agent.start();
    await until(async () => (await stored('noloss-db-stop')).rows > 10_000, 60_000, 'first rows stored');
    await db.server.stop();
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    const during = await agent.status();
    await db.server.start();
    await expectExactlyOnce(agent, 'noloss-db-stop', EVENTS, collector);
    // While the database was down the agent kept producing into its spool.
    expect(during?.spool.queueDepth ?? 0).toBeGreaterThan(50_000);
    expect(await collector.metrics()).toMatch(
      /inosec_ingest_rejects_total\{transport="grpc",reason="storage_unavailable"\} [1-9]/,
    );
  }, 300_000);

  it('kill -9 of the agent mid-stream, then a restart on the same spool', async () => {
    const collector = await collectorProcess();
    const agent = await grpcAgent('noloss-agent-kill', collector.grpcPort, 60_000);
    agent.start();
    await until(async () => ((await agent.status())?.spool.lastSeq ?? 0) > 30_000, 60_000, 'agent producing');
    await agent.stop('SIGKILL');
    agent.start(); // the same state directory: spool, seq and offsets survive
    const n = await expectExactlyOnce(agent, 'noloss-agent-kill', 90_000);
    expect(n).toBeGreaterThanOrEqual(EVENTS);
  }, 300_000);
});

describe('no loss, agent → NATS JetStream → collector → PostgreSQL', () => {
  let nats: TestNatsServer;

  beforeAll(async () => {
    nats = await startNatsServer();
    cleanups.push(() => nats.destroy());
  });

  it('nats-server restarted mid-stream', async () => {
    await collectorProcess({ NATS_URL: nats.url });
    const agentId = 'noloss-nats-restart';
    await enrollAgent(db.admin, agentId, tenant);
    const agent = await AgentProcess.create({
      env: { INOSEC_TRANSPORT: nats.url, INOSEC_AGENT_ID: agentId },
      synthetic: EVENTS,
      rate: 0,
    });
    cleanups.push(() => agent.destroy());
    agent.start();
    await until(async () => (await stored(agentId)).rows > 20_000, 60_000, 'first rows stored');
    await nats.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await nats.start();
    await expectExactlyOnce(agent, agentId, EVENTS);
  }, 300_000);
});
