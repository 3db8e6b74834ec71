// The appliance end to end, as `npm start` runs it: a real embedded PostgreSQL, migrations, the control
// plane HTTP server; a clean stop, a restart on the same data, recovery after a crash, and bad config.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { EmbeddedPostgres, TELEMETRY_MIGRATIONS, isProcessAlive } from '@inosec/collector';
import { loadMigrations } from '@inosec/protos';
import { CONTROL_PLANE_MIGRATIONS } from '../src/database/migrations.js';
import pg from 'pg';
import { AGENT_MAIN } from '../src/appliance/local-agent.js';
import { logLines, runAppliance, type ApplianceProcess } from './support/appliance-process.js';
import { deadPid, freePort, postgresProcessesOn } from './support/processes.js';

let dir: string;
let env: Record<string, string>;
const started: ApplianceProcess[] = [];

function start(extra: Record<string, string> = {}): ApplianceProcess {
  const appliance = runAppliance({ ...env, ...extra });
  started.push(appliance);
  return appliance;
}

async function stop(appliance: ApplianceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  appliance.child.kill(signal);
  return appliance.exited;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-appliance-'));
  await chmod(dir, 0o755);
  env = {
    INOSEC_DATA_DIR: path.join(dir, 'data'),
    INOSEC_PG_PORT: String(await freePort()),
    INOSEC_HTTP_PORT: '0',
    INOSEC_GRPC_PORT: '0',
    INOSEC_AGENT_CONTROL_PORT: '0',
    // Only the first test runs the local agent; the others are about the supervisor and PostgreSQL.
    INOSEC_LOCAL_AGENT: 'false',
  };
});

afterEach(async () => {
  for (const appliance of started.splice(0)) {
    if (appliance.child.exitCode === null && appliance.child.signalCode === null)
      await stop(appliance, 'SIGKILL');
  }
});

afterAll(async () => {
  for (const pid of await postgresProcessesOn(path.join(dir, 'data', 'postgres')))
    process.kill(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function superuserUrl(): Promise<string> {
  const password = (
    await readFile(path.join(env.INOSEC_DATA_DIR!, 'secrets', 'postgres-superuser.password'), 'utf8')
  ).trim();
  return `postgres://inosec:${encodeURIComponent(password)}@127.0.0.1:${env.INOSEC_PG_PORT}/inosec`;
}

function testPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the appliance', () => {
  it('starts PostgreSQL, migrates, serves /healthz, /readyz and /metrics, and stops leaving no PostgreSQL', async () => {
    const appliance = start({ INOSEC_LOCAL_AGENT: 'true' });
    const url = await appliance.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const logs = logLines(appliance.output());
    expect(logs.some((l) => l.msg === 'Initialising a new PostgreSQL cluster')).toBe(true);
    const streams = [CONTROL_PLANE_MIGRATIONS, TELEMETRY_MIGRATIONS];
    const every = (
      await Promise.all(
        streams.map(async (s) =>
          (await loadMigrations(s.dir)).map((m) => `${s.name}:${m.version}_${m.name}`),
        ),
      )
    ).flat();
    expect(every).toContain('control-plane:2_identity');
    expect(logs.find((l) => l.msg === 'Database schema is current')).toMatchObject({ applied: every });
    const schemaVersion = (await loadMigrations(CONTROL_PLANE_MIGRATIONS.dir)).at(-1)?.version;

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${url}/readyz`, { headers: { 'x-request-id': 'probe-123' } });
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toBe('probe-123');
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      ready: true,
      checks: [{ name: 'database', ok: true, detail: `reachable, schema version ${schemaVersion}` }],
    });

    const missing = await fetch(`${url}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await missing.json()).toMatchObject({
      status: 404,
      title: 'Not Found',
      instance: '/no-such-page',
    });

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/inosec_http_requests_total\{method="GET",route="\/readyz",status="200"\} 1/);
    expect(text).toMatch(/inosec_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).toMatch(/inosec_build_info\{version="\d+\.\d+\.\d+",node="[\d.]+"\} 1/);
    expect(text).toMatch(/inosec_db_pool_connections\{state="total"\} \d+/);
    expect(text).toContain('inosec_process_cpu_user_seconds_total');

    // The local agent watches this host: within 60 s of the start the database holds its processes,
    // connections, metrics and inventory, sent over mTLS to the in-process collector.
    const db = testPool(await superuserUrl(), 1);
    let agentId = '';
    try {
      // The local agent enrolled itself with a one-time token: the tenant CA signed its certificate.
      await until(async () => {
        const { rows } = await db.query<{ id: string }>(
          `SELECT id FROM inosec.agents WHERE revoked_at IS NULL`,
        );
        agentId = rows[0]?.id ?? '';
        return rows.length === 1;
      }, 30_000);
      const enrolled = await db.query<{ action: string; outcome: string }>(
        `SELECT action, outcome FROM inosec.audit_log WHERE resource_id = $1 AND action = 'agent.enroll'`,
        [agentId],
      );
      expect(enrolled.rows).toEqual([{ action: 'agent.enroll', outcome: 'success' }]);
      await until(async () => {
        const { rows } = await db.query<{ kind: string }>(
          `SELECT DISTINCT kind FROM telemetry.events WHERE agent_id = $1
           UNION SELECT 'network' FROM telemetry.network_events WHERE agent_id = $1 AND kind IN ('connection', 'listen')
           UNION SELECT 'metric' FROM telemetry.metrics WHERE agent_id = $1`,
          [agentId],
        );
        const kinds = new Set(rows.map((r) => r.kind));
        return ['process', 'network', 'metric', 'inventory'].every((k) => kinds.has(k));
      }, 60_000);
      const { rows } = await db.query<{ host_name: string; user_name: string | null }>(
        `SELECT host_name, user_name FROM telemetry.events WHERE kind = 'process' AND process_pid = $1`,
        [appliance.child.pid],
      );
      expect(rows[0]?.host_name).toBe(os.hostname());

      // A command a shipped Linux rule detects (SigmaHQ "Linux Base64 Encoded Pipe to Shell"), run on this
      // host: its alert is in the database within 2 s of the process starting. The payload decodes to
      // `sleep 3`, so the shell lives long enough for any process sensor to see it.
      const started = Date.now();
      const shell = spawn('sh', ['-c', 'echo c2xlZXAgMwo= | base64 -d | sh'], { stdio: 'ignore' });
      let alert: { title: string; severity: string; events: Array<{ seq: number }> } | undefined;
      while (!alert && Date.now() - started < 15_000) {
        const found = await db.query<NonNullable<typeof alert>>(
          `SELECT title, severity, events FROM telemetry.alerts
           WHERE rule_id = 'ba592c6d-6888-43c3-b8c6-689b8fe47337' AND agent_id = $1`,
          [agentId],
        );
        alert = found.rows[0];
        if (!alert) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const latencyMs = Date.now() - started;
      shell.kill();
      process.stdout.write(
        `BENCH ${JSON.stringify({ name: 'detect.appliance_alert_latency_ms', value: latencyMs, unit: 'ms' })}\n`,
      );
      expect(alert, 'no alert within 15 s').toBeDefined();
      expect(latencyMs).toBeLessThan(2_000);
      expect(alert, JSON.stringify(alert)).toMatchObject({
        title: `Linux Base64 Encoded Pipe to Shell on ${os.hostname()}`,
        severity: 'medium',
      });
      const matched = await db.query<{ process_command_line: string }>(
        `SELECT process_command_line FROM telemetry.events WHERE agent_id = $1 AND seq = $2`,
        [agentId, alert?.events[0]?.seq],
      );
      expect(matched.rows[0]?.process_command_line).toContain('base64 -d | sh');
    } finally {
      await db.end();
    }
    const status = execFileSync(process.execPath, [
      AGENT_MAIN,
      'status',
      '--config',
      path.join(env.INOSEC_DATA_DIR!, 'agent', 'agent.env'),
    ]).toString();
    expect(status).toMatch(new RegExp(`^agent ${agentId} \\(version [\\d.]+\\): running, pid \\d+`));
    expect(status).toMatch(/transport {2}grpc, connected; last ack seq [1-9]\d*/);
    expect(status).toMatch(/queue depth \d+ events/);
    expect(status).toMatch(/dropped 0 events/);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
      /inosec_ingest_events_total\{transport="grpc"\} [1-9]/,
    );
    const agentPid = Number(/pid (\d+)/.exec(status)?.[1]);

    // First start: a one-time setup link for the administrator, printed to the terminal (never logged).
    const setupUrl = /First start: set the administrator's password[^\n]*\n\s+(\S+)/.exec(
      appliance.output(),
    )?.[1];
    expect(setupUrl, 'no setup link printed').toMatch(/\/setup\?token=/);
    expect(logs.some((l) => JSON.stringify(l).includes('setup?token='))).toBe(false);
    const setupToken = new URL(setupUrl!).searchParams.get('token');
    const post = (route: string, body: unknown, token?: string) =>
      fetch(`${url}${route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const password = 'appliance-admin-password-1';
    expect((await post('/api/auth/invite/accept', { token: setupToken, password })).status).toBe(200);
    expect((await post('/api/auth/invite/accept', { token: setupToken, password })).status).toBe(400);
    const login = await post('/api/auth/login', {
      tenant: 'local',
      email: 'admin@localhost.localdomain',
      password,
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    // The enrolled local agent reports to the fleet with heartbeats over mTLS.
    let fleet: {
      items: Array<{
        id: string;
        status: string;
        lastSeenAt: string | null;
        queueDepthEvents: number | null;
      }>;
    } = {
      items: [],
    };
    await until(async () => {
      const res = await fetch(`${url}/api/fleet/agents`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      fleet = (await res.json()) as typeof fleet;
      return fleet.items.some(
        (a) => a.id === agentId && a.status === 'online' && a.queueDepthEvents !== null,
      );
    }, 20_000);
    expect(fleet.items.map((a) => a.id)).toEqual([agentId]);

    expect(await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'))).not.toEqual([]);
    expect(await stop(appliance, 'SIGTERM')).toBe(0);
    expect(isProcessAlive(agentPid)).toBe(false);
    expect(await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'))).toEqual([]);
    expect(appliance.output()).toContain('The appliance stopped');
  }, 120_000);

  it('reuses the data on a second start and stops on SIGINT (Ctrl-C)', async () => {
    const appliance = start();
    const url = await appliance.ready;
    const logs = logLines(appliance.output());
    expect(logs.some((l) => l.msg === 'Reusing the existing PostgreSQL cluster')).toBe(true);
    expect(logs.find((l) => l.msg === 'Database schema is current')).toMatchObject({ applied: [] });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await stop(appliance, 'SIGINT')).toBe(0);
    expect(await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'))).toEqual([]);
  });

  it('recovers after the supervisor is killed: the orphaned PostgreSQL is stopped and restarted', async () => {
    const crashed = start();
    await crashed.ready;
    const orphans = await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'));
    expect(orphans.length).toBeGreaterThan(0);
    await stop(crashed, 'SIGKILL');
    // PostgreSQL runs in its own process group, so it outlives a killed supervisor.
    expect(await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'))).not.toEqual([]);

    const appliance = start();
    const url = await appliance.ready;
    expect(appliance.output()).toMatch(
      /Found PostgreSQL \(pid \d+\) still running from a previous appliance run/,
    );
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await stop(appliance)).toBe(0);
    expect(await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'))).toEqual([]);
  });

  it('recovers a stale PostgreSQL lock left by a crash, with a clear message', async () => {
    // postmaster.pid names a live process that is not PostgreSQL (this test runner): PostgreSQL itself
    // would refuse to start ("lock file already exists"); the supervisor must see it is stale.
    const pid = process.pid;
    const lock = path.join(env.INOSEC_DATA_DIR!, 'postgres', 'postmaster.pid');
    await writeFile(
      lock,
      `${pid}\n${path.join(env.INOSEC_DATA_DIR!, 'postgres')}\n1700000000\n${env.INOSEC_PG_PORT}\n\n127.0.0.1\n  5432001   0\nready   \n`,
    );
    // And a stale appliance lock from the same crash.
    await writeFile(path.join(env.INOSEC_DATA_DIR!, 'appliance.pid'), `${await deadPid()}\n`);
    const appliance = start();
    const url = await appliance.ready;
    expect(appliance.output()).toContain(
      `Recovered a stale PostgreSQL lock: postmaster.pid names pid ${pid}`,
    );
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await stop(appliance)).toBe(0);
  });

  it('stops with a non-zero exit when PostgreSQL dies under it, so a service manager restarts it', async () => {
    const appliance = start();
    await appliance.ready;
    const [postmaster] = (await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'))).sort(
      (a, b) => a - b,
    );
    process.kill(postmaster!, 'SIGKILL');
    expect(await appliance.exited).toBe(1);
    expect(appliance.output()).toMatch(/PostgreSQL \(pid \d+\) exited unexpectedly on SIGKILL/);
    expect(await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'))).toEqual([]);
  });

  it('refuses a second appliance on the same data directory', async () => {
    const first = start();
    await first.ready;
    const second = start({ INOSEC_HTTP_PORT: '0' });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Another InoSec appliance \(pid \d+\) is running on this data directory/);
    expect(await stop(first)).toBe(0);
  });

  it("fails to start with PostgreSQL's own reason when its port is taken, and leaves nothing running", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const appliance = start({ INOSEC_PG_PORT: String(port) });
      expect(await appliance.exited).toBe(1);
      expect(appliance.output()).toMatch(
        /PostgreSQL exited during start[\s\S]*could not bind IPv4 address "127\.0\.0\.1": Address already in use/,
      );
      expect(await postgresProcessesOn(path.join(env.INOSEC_DATA_DIR!, 'postgres'))).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('exits non-zero naming each invalid variable and its expected form', async () => {
    const appliance = start({ INOSEC_HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://root@db/x' });
    expect(await appliance.exited).toBe(78);
    const output = appliance.output();
    expect(output).toContain(
      'DATABASE_URL: expected a PostgreSQL connection URL postgres://user:password@host:port/database',
    );
    expect(output).toContain(
      'INOSEC_HTTP_PORT: expected a TCP port number 0-65535 for the control plane HTTP server (default 8080); got "eighty"',
    );
    expect(output).toContain('See .env.example');
  });

  it('uses the PostgreSQL named by DATABASE_URL instead of starting one', async () => {
    const external = new EmbeddedPostgres({
      dataDir: path.join(dir, 'external-pg'),
      secretsDir: path.join(dir, 'external-secrets'),
      port: await freePort(),
      logger: pino({ level: 'silent' }),
      stopTimeoutMs: 10_000,
    });
    await external.start();
    try {
      const dataDir = path.join(dir, 'data-external');
      const appliance = start({ DATABASE_URL: external.url, INOSEC_DATA_DIR: dataDir });
      const url = await appliance.ready;
      expect(appliance.output()).toContain('Using the PostgreSQL named by DATABASE_URL');
      expect(appliance.output()).not.toContain(encodeURIComponent(new URL(external.url).password));
      expect(await postgresProcessesOn(path.join(dataDir, 'postgres'))).toEqual([]);
      expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ ready: true });

      // The database goes away: not ready (503) but alive, and ready again once it is back.
      await external.stop();
      const down = await fetch(`${url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'not_ready',
        checks: [{ name: 'database', ok: false }],
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await external.start();
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      expect(await stop(appliance)).toBe(0);
      expect(await postgresProcessesOn(path.join(dir, 'external-pg'))).not.toEqual([]);
    } finally {
      await external.stop();
    }
  });
});
