// The NATS JetStream ingest path with real servers: agents publish to telemetry.<agent-id> on nats-server,
// collectors in one durable consumer group store each batch once in PostgreSQL; bad batches are refused
// for good (term) with a reason and a counter.
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EventBatch } from '@inosec/protos';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { loadCollectorConfig } from '../src/config/collector.config.js';
import { COLLECTOR_CONSUMER, TELEMETRY_STREAM } from '../src/nats/jetstream-ingest.js';
import { makeBatch } from './support/events.js';
import { startNatsServer, type TestNatsServer } from './support/nats-server.js';
import { enrollAgent, startTestDatabase, type TestDatabase } from './support/postgres.js';

let db: TestDatabase;
let nats: TestNatsServer;
const collectors: RunningCollector[] = [];
let nc: NatsConnection;
let js: JetStreamClient;
const tenant = randomUUID();

async function collector(): Promise<RunningCollector> {
  const config = loadCollectorConfig({
    DATABASE_URL: db.ingestUrl,
    NATS_URL: nats.url,
    INOSEC_GRPC_PORT: '0',
    INOSEC_GRPC_INSECURE: 'true',
    INOSEC_COLLECTOR_HTTP_PORT: '0',
  });
  const running = await startCollector({ config, logger: pino({ level: 'silent' }), http: true });
  collectors.push(running);
  return running;
}

beforeAll(async () => {
  [db, nats] = await Promise.all([startTestDatabase(), startNatsServer()]);
  for (const agent of ['nats-1', 'nats-2', 'nats-3']) await enrollAgent(db.admin, agent, tenant);
  await collector();
  await collector();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
});

afterAll(async () => {
  await nc?.close();
  for (const c of collectors) await c.stop();
  await nats?.destroy();
  await db?.stop();
});

async function publish(agentId: string, batch: EventBatch | Uint8Array, msgID?: string) {
  const data = batch instanceof EventBatch ? EventBatch.encode(batch).finish() : batch;
  return js.publish(`telemetry.${agentId}`, data, msgID ? { msgID } : {});
}

async function count(agentId: string): Promise<{ rows: number; distinct: number }> {
  const { rows } = await db.admin.query<{ rows: string; distinct: string }>(
    `SELECT count(*) AS rows, count(DISTINCT seq) AS distinct FROM (
       SELECT seq FROM telemetry.events WHERE agent_id = $1 UNION ALL SELECT seq FROM telemetry.network_events WHERE agent_id = $1
       UNION ALL SELECT seq FROM telemetry.metrics WHERE agent_id = $1) t`,
    [agentId],
  );
  return { rows: Number(rows[0]?.rows), distinct: Number(rows[0]?.distinct) };
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function rejects(reason: string): Promise<number> {
  let total = 0;
  for (const c of collectors) {
    const text = await (await fetch(`${c.httpUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('inosec_ingest_rejects_total{') && l.includes(`reason="${reason}"`));
    total += line ? Number(line.split(' ').at(-1)) : 0;
  }
  return total;
}

describe('JetStream ingest', () => {
  it('stores every batch once across two collectors sharing the durable consumer, deduplicating re-publishes', async () => {
    const acks = [];
    for (let i = 0; i < 40; i++) {
      const batch = makeBatch('nats-1', 1 + i * 250, 250);
      acks.push(await publish('nats-1', batch, `nats-1:${1 + i * 250}`));
    }
    // A re-publish with the same message id (an agent that lost the first PubAck) is dropped by JetStream…
    const again = await publish('nats-1', makeBatch('nats-1', 1, 250), 'nats-1:1');
    expect(again.duplicate).toBe(true);
    // …and one outside the window, with a new id, by storage.
    await publish('nats-1', makeBatch('nats-1', 251, 250), 'nats-1:251:retry');
    await until(async () => (await count('nats-1')).rows >= 10_000);
    await until(async () => {
      const info = await (await jetstreamManager(nc)).consumers.info(TELEMETRY_STREAM, COLLECTOR_CONSUMER);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    expect(await count('nats-1')).toEqual({ rows: 10_000, distinct: 10_000 });
    const perCollector = await Promise.all(
      collectors.map(async (c) => {
        const text = await (await fetch(`${c.httpUrl}/metrics`)).text();
        return Number(/^inosec_ingest_events_total\{transport="nats"\} (\d+)/m.exec(text)?.[1] ?? 0);
      }),
    );
    expect(perCollector.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(perCollector.every((n) => n > 0)).toBe(true);
  });

  it('refuses malformed batches, foreign agent ids and unknown agents, and keeps storing the others', async () => {
    await publish('nats-2', Uint8Array.from([0x0a, 0xff, 0x01]));
    await publish('nats-2', makeBatch('nats-3', 1, 10)); // a batch naming another agent than its subject
    await publish('nobody', makeBatch('nobody', 1, 10));
    await publish('nats-2', makeBatch('nats-2', 1, 100));
    await until(async () => (await count('nats-2')).rows === 100);
    await until(async () => (await rejects('malformed')) === 1 && (await rejects('agent_mismatch')) === 1);
    await until(async () => (await rejects('agent_unknown')) === 1);
    expect(await count('nats-3')).toEqual({ rows: 0, distinct: 0 });
    expect(await count('nobody')).toEqual({ rows: 0, distinct: 0 });
  });
});
