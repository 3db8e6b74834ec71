// A real PostgreSQL for the collector's integration tests: the embedded binaries in a temporary directory,
// with the telemetry schema migrated and login roles for the ingest and application group roles.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '@inosec/protos';
import pg from 'pg';
import { pino } from 'pino';
import { EmbeddedPostgres } from '../../src/postgres/embedded-postgres.js';
import { TELEMETRY_MIGRATIONS } from '../../src/storage/telemetry-migrations.js';

export interface TestDatabase {
  /** The embedded server; undefined on an external database (TIMESCALE_URL). */
  server: EmbeddedPostgres;
  /** Superuser (schema owner) connection string. */
  adminUrl: string;
  /** Login role in inosec_ingest: what the collector connects as. */
  ingestUrl: string;
  /** Login role in inosec_app: what the control plane connects as. */
  appUrl: string;
  admin: pg.Pool;
  dir: string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A pool whose errors on server shutdown (57P01 on idle clients) are expected, not crashes. */
export function testPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

/**
 * A scratch database on an external server (TIMESCALE_URL: a superuser URL of a PostgreSQL with the
 * timescaledb extension preloaded), with roles unique to the run; dropped again by stop().
 */
export async function startExternalTestDatabase(url: string): Promise<Omit<TestDatabase, 'server'>> {
  const suffix = randomBytes(4).toString('hex');
  const name = `inosec_test_${suffix}`;
  const root = testPool(url, 1);
  await root.query(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const admin = testPool(dbUrl.toString(), 4);
  await migrate(admin, TELEMETRY_MIGRATIONS);
  await admin.query(`CREATE ROLE test_ingest_${suffix} LOGIN PASSWORD 'ingest-pw' IN ROLE inosec_ingest`);
  await admin.query(`CREATE ROLE test_app_${suffix} LOGIN PASSWORD 'app-pw' IN ROLE inosec_app`);
  return {
    adminUrl: dbUrl.toString(),
    ingestUrl: withCredentials(dbUrl.toString(), `test_ingest_${suffix}`, 'ingest-pw'),
    appUrl: withCredentials(dbUrl.toString(), `test_app_${suffix}`, 'app-pw'),
    admin,
    dir: '',
    async stop() {
      await admin.end();
      await root.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await root.query(`DROP ROLE test_ingest_${suffix}`);
      await root.query(`DROP ROLE test_app_${suffix}`);
      await root.end();
    },
  };
}

export async function startTestDatabase(port?: number): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-collector-db-'));
  await chmod(dir, 0o755);
  const server = new EmbeddedPostgres({
    dataDir: path.join(dir, 'postgres'),
    secretsDir: path.join(dir, 'secrets'),
    port: port ?? (await freePort()),
    logger: pino({ level: 'silent' }),
    stopTimeoutMs: 10_000,
  });
  await server.start();
  const admin = testPool(server.url, 4);
  await migrate(admin, TELEMETRY_MIGRATIONS);
  await admin.query(`CREATE ROLE test_ingest LOGIN PASSWORD 'ingest-pw' IN ROLE inosec_ingest`);
  await admin.query(`CREATE ROLE test_app LOGIN PASSWORD 'app-pw' IN ROLE inosec_app`);
  return {
    server,
    adminUrl: server.url,
    ingestUrl: withCredentials(server.url, 'test_ingest', 'ingest-pw'),
    appUrl: withCredentials(server.url, 'test_app', 'app-pw'),
    admin,
    dir,
    async stop() {
      await admin.end();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Enrolls an agent for a tenant, as the control plane's enrollment will. */
export async function enrollAgent(admin: pg.Pool, agentId: string, tenantId: string): Promise<void> {
  await admin.query('INSERT INTO telemetry.agents (agent_id, tenant_id) VALUES ($1, $2)', [
    agentId,
    tenantId,
  ]);
}
