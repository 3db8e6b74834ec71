// The gRPC ingest path with real servers: agents over mTLS → collector → PostgreSQL, and every kind of bad
// input answered on the stream with a reason and a counter while the collector keeps serving other agents.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { EventBatch, inosec } from '@inosec/protos';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { loadCollectorConfig } from '../src/config/collector.config.js';
import { createTestPki, type TestPki } from './support/certs.js';
import { makeBatch } from './support/events.js';
import { ingestClient, openStream } from './support/grpc-client.js';
import { enrollAgent, startTestDatabase, type TestDatabase } from './support/postgres.js';

const Status = inosec.v1.PushAck.Status;
const Reason = inosec.v1.PushRejection.Reason;
const MAX_BATCH = 256 * 1024;

let db: TestDatabase;
let pki: TestPki;
let collector: RunningCollector;
const tenantA = randomUUID();
const tenantB = randomUUID();
const clients: grpc.Client[] = [];

beforeAll(async () => {
  [db, pki] = await Promise.all([startTestDatabase(), createTestPki()]);
  await enrollAgent(db.admin, 'agent-1', tenantA);
  await enrollAgent(db.admin, 'agent-2', tenantB);
  const config = loadCollectorConfig({
    DATABASE_URL: db.ingestUrl,
    INOSEC_GRPC_PORT: '0',
    INOSEC_GRPC_TLS_CERT: pki.server.certPath,
    INOSEC_GRPC_TLS_KEY: pki.server.keyPath,
    INOSEC_GRPC_TLS_CA: pki.ca.certPath,
    INOSEC_COLLECTOR_HTTP_PORT: '0',
    INOSEC_INGEST_MAX_BATCH_BYTES: String(MAX_BATCH),
  });
  collector = await startCollector({ config, logger: pino({ level: 'silent' }), http: true });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await collector?.stop();
  await db?.stop();
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

async function agentClient(agentId: string, foreign = false): Promise<grpc.Client> {
  const pem = foreign ? await pki.foreignAgent(agentId) : await pki.agent(agentId);
  const client = ingestClient(collector.grpcPort, pki.ca.cert, pem);
  clients.push(client);
  return client;
}

function bytes(batch: EventBatch): Uint8Array {
  return EventBatch.encode(batch).finish();
}

async function storedSeqs(agentId: string): Promise<number> {
  const { rows } = await db.admin.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM telemetry.events WHERE agent_id = $1) + (SELECT count(*) FROM telemetry.network_events WHERE agent_id = $1)
       + (SELECT count(*) FROM telemetry.metrics WHERE agent_id = $1) AS n`,
    [agentId],
  );
  return Number(rows[0]?.n);
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${collector.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('gRPC ingest over mTLS', () => {
  it('offers agents a 1 MiB HTTP/2 receive window per stream, not the 64 KiB default', async () => {
    const pem = await pki.agent('agent-1');
    const session = http2.connect(`https://localhost:${collector.grpcPort}`, {
      ca: pki.ca.cert,
      cert: pem.cert,
      key: pem.key,
    });
    try {
      const window = await new Promise<number | undefined>((resolve, reject) => {
        const timer = setTimeout(() => resolve(session.remoteSettings.initialWindowSize), 5000);
        session.on('error', reject);
        session.on('remoteSettings', (settings: http2.Settings) => {
          if (settings.initialWindowSize !== 1_048_576) return;
          clearTimeout(timer);
          resolve(settings.initialWindowSize);
        });
      });
      expect(window).toBe(1_048_576);
    } finally {
      session.destroy();
    }
  });

  it('stores batches from an agent identified by its certificate and acks each with the highest stored seq', async () => {
    const stream = openStream(await agentClient('agent-1'));
    for (let i = 0; i < 5; i++) stream.send(bytes(makeBatch('agent-1', 1 + i * 100, 100)));
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await stream.nextAck());
    expect(acks.map((a) => [a.status, a.ackedSeq, a.batchId])).toEqual(
      [1, 101, 201, 301, 401].map((first) => [Status.STATUS_STORED, first + 99, `agent-1:${first}`]),
    );
    expect(await storedSeqs('agent-1')).toBe(500);
    // Re-sent after a reconnect: acknowledged, stored once.
    stream.send(bytes(makeBatch('agent-1', 301, 200)));
    expect(await stream.nextAck()).toMatchObject({ status: Status.STATUS_STORED, ackedSeq: 500 });
    expect(await storedSeqs('agent-1')).toBe(500);
    expect(await metric('inosec_ingest_duplicates_total', 'transport="grpc"')).toBe(200);
    stream.close();
    expect((await stream.ended).code).toBe(grpc.status.OK);
  });

  it('answers each bad batch with its reason and a counter, and the same stream goes on', async () => {
    const stream = openStream(await agentClient('agent-1'));
    const now = Date.now() * 1000;
    const fiftyYears = 50 * 365 * 86_400_000_000;

    stream.send(Uint8Array.from([0x0a, 0xff, 0x01, 0x02])); // field 1, length 255, 2 bytes present: truncated
    const oversize = makeBatch('agent-1', 501, 10);
    (oversize.events[0] as inosec.v1.Event).log = inosec.v1.LogEvent.create({
      message: 'x'.repeat(MAX_BATCH),
    });
    stream.send(bytes(oversize));
    stream.send(bytes(makeBatch('agent-2', 501, 10))); // another agent's id
    stream.send(bytes(makeBatch('agent-1', 501, 10, now + fiftyYears))); // 50 years ahead
    const gap = makeBatch('agent-1', 501, 10);
    (gap.events[3] as inosec.v1.Event).seq = 600;
    stream.send(bytes(gap));
    const forged = makeBatch('agent-1', 501, 10);
    for (const event of forged.events) event.tenantId = tenantB;
    stream.send(bytes(forged));

    const acks = [];
    for (let i = 0; i < 6; i++) acks.push(await stream.nextAck());
    expect(acks.map((a) => [a.status, a.rejection?.reason ?? 0, a.ackedSeq])).toEqual([
      [Status.STATUS_REJECTED, Reason.REASON_MALFORMED, 0],
      [Status.STATUS_REJECTED, Reason.REASON_TOO_LARGE, 0],
      [Status.STATUS_REJECTED, Reason.REASON_AGENT_MISMATCH, 0],
      [Status.STATUS_REJECTED, Reason.REASON_INVALID_EVENT, 0],
      [Status.STATUS_REJECTED, Reason.REASON_INVALID_SEQ, 0],
      [Status.STATUS_STORED, 0, 510],
    ]);
    expect(acks[0]?.rejection?.message).toMatch(/truncated|length/i);
    expect(acks[1]?.rejection?.message).toMatch(/262144/);
    expect(acks[2]?.rejection?.message).toBe(
      'batch agent_id "agent-2" is not the authenticated agent "agent-1"',
    );
    expect(acks[3]?.rejection).toMatchObject({
      eventIndex: 0,
      message: expect.stringMatching(/days ahead of the collector clock/),
    });
    expect(acks[4]?.rejection).toMatchObject({
      eventIndex: 3,
      message: 'events[3]: seq 600, expected 504 (first_seq 501 + 3)',
    });

    // The forged tenant id was replaced by the agent's own.
    const { rows } = await db.admin.query<{ tenant: string }>(
      'SELECT DISTINCT tenant_id::text AS tenant FROM telemetry.events WHERE agent_id = $1',
      ['agent-1'],
    );
    expect(rows).toEqual([{ tenant: tenantA }]);
    const text = await (await fetch(`${collector.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^inosec_ingest_tenant_overwritten_total 10$/m);
    for (const reason of ['malformed', 'too_large', 'agent_mismatch', 'invalid_time', 'invalid_seq']) {
      expect(await metric('inosec_ingest_rejects_total', `reason="${reason}"`), reason).toBe(1);
    }
    stream.close();
  });

  it('keeps serving other agents while one sends garbage', async () => {
    const bad = openStream(await agentClient('agent-1'));
    const good = openStream(await agentClient('agent-2'));
    for (let i = 0; i < 20; i++) {
      bad.send(Uint8Array.from([0xff, 0xff, 0xff]));
      good.send(bytes(makeBatch('agent-2', 1 + i * 50, 50)));
    }
    for (let i = 0; i < 20; i++) {
      expect((await bad.nextAck()).status).toBe(Status.STATUS_REJECTED);
      expect((await good.nextAck()).status).toBe(Status.STATUS_STORED);
    }
    expect(await storedSeqs('agent-2')).toBe(1000);
    bad.close();
    good.close();
  });

  it('refuses a certificate from another CA and an agent that is not enrolled', async () => {
    const forged = openStream(await agentClient('agent-1', true));
    forged.send(bytes(makeBatch('agent-1', 900, 1)));
    expect((await forged.ended).code).toBe(grpc.status.UNAVAILABLE);

    const stranger = openStream(await agentClient('agent-9'));
    stranger.send(bytes(makeBatch('agent-9', 1, 1)));
    const status = await stranger.ended;
    expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(status.details).toBe('agent agent-9 is not enrolled');
    expect(await storedSeqs('agent-9')).toBe(0);
  });
});
