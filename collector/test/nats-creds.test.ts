// The collector's side of NATS decentralized auth: NATS_CREDS files are checked at start with a precise reason,
// and with its credentials the collector's JetStream consumer ingests an agent's batches end to end (real
// nats-server in operator mode, real PostgreSQL), while a connection without credentials is refused.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { EventBatch } from '@inosec/protos';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/ingest/batch-validator.js';
import { createBatchEncoder, type BatchEncoder } from '../src/ingest/encoder-pool.js';
import { IngestService } from '../src/ingest/ingest-service.js';
import { createCollectorMetrics } from '../src/metrics/collector-metrics.js';
import { startJetStreamIngest, type JetStreamIngest } from '../src/nats/jetstream-ingest.js';
import {
  NatsCredentialsError,
  parseNatsCredentials,
  readNatsCredentials,
} from '../src/nats/nats-credentials.js';
import { TelemetryWriter } from '../src/storage/telemetry-writer.js';
import { findAgent } from '../src/storage/telemetry.repository.js';
import { makeBatch } from './support/events.js';
import { startOperatorNats, type OperatorNats } from './support/nats-operator.js';
import { enrollAgent, startTestDatabase, testPool, type TestDatabase } from './support/postgres.js';

const logger = pino({ level: 'silent' });
const SEED = /SU[A-Z2-7]{56}/;
let nats: OperatorNats;

describe('NATS_CREDS files', () => {
  beforeAll(async () => {
    nats = await startOperatorNats();
  }, 20_000);
  afterAll(async () => nats?.destroy());

  it('accepts a creds file, also with CRLF line ends, and reports its user and expiry', async () => {
    const text = await nats.collectorCreds();
    const parsed = parseNatsCredentials(text, 'collector.creds');
    expect(parsed.userPublicKey).toMatch(/^U[A-Z2-7]{55}$/);
    expect(parsed.name).toBe('collector');
    expect(parsed.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect(parseNatsCredentials(text.replace(/\n/g, '\r\n'), 'crlf.creds').userPublicKey).toBe(
      parsed.userPublicKey,
    );
  });

  it('refuses missing blocks, a foreign seed, a non-user JWT, a garbled JWT and expired credentials', async () => {
    const text = await nats.collectorCreds();
    const other = await nats.agentCreds('x');
    const seed = SEED.exec(text)?.[0] ?? '';
    const cases: Array<[string, RegExp]> = [
      ['', /needs a NATS USER JWT block and a USER NKEY SEED block/],
      [text.split('****')[0] ?? '', /needs a NATS USER JWT block and a USER NKEY SEED block/],
      [text.replace(SEED, SEED.exec(other)?.[0] ?? ''), /the seed does not belong to the JWT's user/],
      [text.replace(SEED, `SA${seed.slice(2)}`), /not a valid user nkey seed/],
      [text.replace(/\n[\w-]+\.([\w-]+)\.([\w-]+)\n/, '\nnot-a-jwt\n'), /cannot be decoded/],
      [
        text.replace(
          /\n([\w-]+)\.([\w-]+)\.([\w-]+)\n/,
          (_, h: string, _b: string, s: string) =>
            `\n${h}.${Buffer.from(JSON.stringify({ sub: 'A', nats: { type: 'account' } })).toString('base64url')}.${s}\n`,
        ),
        /not a NATS user JWT/,
      ],
      [await nats.creds('old', {}, { expiresInSeconds: -10 }), /expired at/],
    ];
    for (const [input, reason] of cases) {
      let error: unknown;
      try {
        parseNatsCredentials(input, 'bad.creds');
      } catch (e) {
        error = e;
      }
      expect(error, String(reason)).toBeInstanceOf(NatsCredentialsError);
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).toMatch(/bad\.creds/);
      expect((error as Error).message).not.toMatch(SEED);
    }
    await expect(readNatsCredentials(path.join(nats.dir, 'absent.creds'))).rejects.toThrow(
      /cannot read the NATS credentials file .*absent\.creds/,
    );
  });
});

describe('JetStream ingest with credentials', () => {
  let db: TestDatabase;
  let pool: ReturnType<typeof testPool>;
  let encoder: BatchEncoder;
  let ingest: JetStreamIngest | undefined;
  const open: NatsConnection[] = [];
  const tenant = randomUUID();

  beforeAll(async () => {
    [db, nats] = await Promise.all([startTestDatabase(), startOperatorNats()]);
    await enrollAgent(db.admin, 'creds-agent', tenant);
    pool = testPool(db.ingestUrl, 4);
  }, 60_000);

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await ingest?.stop();
    await encoder?.close();
    await pool?.end();
    await nats?.destroy();
    await db?.stop();
  });

  async function start(credsFile?: string): Promise<JetStreamIngest> {
    const metrics = createCollectorMetrics(new Registry(), false);
    encoder ??= createBatchEncoder({
      threads: 0,
      maxBatchBytes: 4 * 1_048_576,
      limits: DEFAULT_LIMITS,
      logger,
    });
    await encoder.ready();
    const writer = new TelemetryWriter({ pool, logger });
    return startJetStreamIngest({
      url: nats.url,
      ...(credsFile ? { credsFile } : {}),
      ingest: new IngestService({ encoder, writer, metrics, logger }),
      findAgent: (agentId) => findAgent(pool, agentId),
      metrics,
      logger,
    });
  }

  it('refuses to start without credentials or with a malformed creds file', async () => {
    await expect(start()).rejects.toThrow(/Authorization Violation/i);
    const bad = path.join(nats.dir, 'bad.creds');
    await writeFile(bad, 'not credentials', { mode: 0o600 });
    await expect(start(bad)).rejects.toThrow(NatsCredentialsError);
  });

  it("stores an agent's batches published with the agent's credentials", async () => {
    const file = path.join(nats.dir, 'collector.creds');
    await writeFile(file, await nats.collectorCreds(), { mode: 0o600 });
    ingest = await start(file);
    const agent = await connect({
      servers: nats.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(await nats.agentCreds('creds-agent'))),
      inboxPrefix: '_INBOX_creds-agent',
    });
    open.push(agent);
    const js = jetstream(agent, { timeout: 5_000 });
    await js.publish('telemetry.creds-agent', EventBatch.encode(makeBatch('creds-agent', 1, 50)).finish(), {
      msgID: 'creds-agent:1-50',
    });
    // The agent cannot place a batch on another agent's subject.
    await expect(
      jetstream(agent, { timeout: 1_000 }).publish(
        'telemetry.other',
        EventBatch.encode(makeBatch('other', 1, 5)).finish(),
      ),
    ).rejects.toThrow();
    const deadline = Date.now() + 15_000;
    let stored = 0;
    while (stored < 50 && Date.now() < deadline) {
      const { rows } = await db.admin.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM telemetry.events WHERE agent_id = $1)
              + (SELECT count(*) FROM telemetry.network_events WHERE agent_id = $1)
              + (SELECT count(*) FROM telemetry.metrics WHERE agent_id = $1) AS n`,
        ['creds-agent'],
      );
      stored = Number(rows[0]?.n);
      if (stored < 50) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stored).toBe(50);
    const { rows } = await db.admin.query<{ tenant_id: string }>(
      'SELECT DISTINCT tenant_id FROM telemetry.events WHERE agent_id = $1',
      ['creds-agent'],
    );
    expect(rows.map((r) => r.tenant_id)).toEqual([tenant]);
  }, 30_000);
});
