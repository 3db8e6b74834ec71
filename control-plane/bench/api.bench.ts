// The alerts API under load: 1,000 tenants with 10 users and 1,000 alerts each, list-alerts and alert-detail at a
// fixed 200 and 1,000 requests/s, and the closed-loop maximum. Autocannon on loopback in this process; the built
// control plane (dist/) in a child process; PostgreSQL (embedded) on the same machine.
// Run: npm run build, then in control-plane/: npx vitest run --config bench/vitest.config.ts bench/api.bench.ts
// Prints BENCH lines and a table. Fails at once on a 4xx answer (a broken set-up: such a run measures nothing),
// and at the end when a fixed-rate run was saturated: rate missed by > 5 %, 5xx answers, or requests unanswered
// within 10 s (counted at 10 s in the percentiles). Those figures are printed first, marked `saturated`.
// Scale down for a quick look: BENCH_API_TENANTS=50 BENCH_API_SECONDS=5; one load only: BENCH_API_RUNS=list_alerts@1000,max.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { startApiHarness } from '../test/support/api-harness.js';
import { runAtRate, runMax, type LoadResult, type NextRequest } from './support/api-load.js';
import { startApiServerProcess } from './support/api-server-process.js';
import { seedApiBench, type BenchTenant } from './support/api-seed.js';

const TENANTS = Number(process.env['BENCH_API_TENANTS'] ?? 1_000);
const SECONDS = Number(process.env['BENCH_API_SECONDS'] ?? 20);
const WARMUP_SECONDS = Number(process.env['BENCH_API_WARMUP_SECONDS'] ?? 5);
const POOL_MAX = Number(process.env['BENCH_API_POOL_MAX'] ?? 20);
const MAX_CONNECTIONS = 50;
/** Only these runs (e.g. `list_alerts@1000,max`), for profiling one load; all of them by default. */
const ONLY = process.env['BENCH_API_RUNS']?.split(',').map((run) => run.trim());
const wanted = (run: string): boolean => ONLY === undefined || ONLY.includes(run);
const RATES = [200, 1_000] as const;
const LIST_PATH = '/api/alerts?limit=50';

function figure(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  const rounded = Math.round(value * 100) / 100;
  process.stdout.write(`BENCH ${JSON.stringify({ name, value: rounded, unit, ...extra })}\n`);
}

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Each request: a random tenant, one of its users' tokens, and for detail one of its alerts. */
function listRequests(tenants: readonly BenchTenant[]): NextRequest {
  return () => ({ path: LIST_PATH, token: pick(pick(tenants).tokens) });
}

function detailRequests(tenants: readonly BenchTenant[]): NextRequest {
  return () => {
    const tenant = pick(tenants);
    return { path: `/api/alerts/${pick(tenant.detailAlertIds)}`, token: pick(tenant.tokens) };
  };
}

function mixedRequests(tenants: readonly BenchTenant[]): NextRequest {
  const list = listRequests(tenants);
  const detail = detailRequests(tenants);
  return () => (Math.random() < 0.5 ? list() : detail());
}

/** A 4xx answer means a broken set-up (tokens, ids): the run measures nothing, stop there. */
function assertAnswered(label: string, result: LoadResult): void {
  const clientErrors = Object.keys(result.non2xx).filter((status) => status.startsWith('4'));
  if (clientErrors.length > 0) {
    throw new Error(`${label}: non-2xx answers ${JSON.stringify(result.non2xx)}: the run is invalid`);
  }
}

/** 5xx answers, unanswered requests and a missed rate mean the server was saturated. */
function saturation(
  result: LoadResult,
  target: number | undefined,
): { achieved_rps: number; timeouts: number; server_errors: number; saturated: boolean } {
  const serverErrors = Object.values(result.non2xx).reduce((sum, n) => sum + n, 0);
  const saturated =
    serverErrors > 0 || result.errors > 0 || (target !== undefined && result.achievedRps < 0.95 * target);
  return {
    achieved_rps: Math.round(result.achievedRps),
    timeouts: result.errors,
    server_errors: serverErrors,
    saturated,
  };
}

async function getJson(url: string, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

/** The routes exist, answer 200 with the seeded data, and another tenant's alert is a 404. */
async function preflight(url: string, tenants: readonly BenchTenant[]): Promise<void> {
  const document = (await (await fetch(`${url}/api/openapi.json`)).json()) as {
    paths?: Record<string, unknown>;
  };
  for (const route of ['/api/alerts', '/api/alerts/{id}']) {
    if (document.paths?.[route] === undefined) {
      throw new Error(`${route} is not in /api/openapi.json: build the alerts routes first (npm run build)`);
    }
  }
  const [a, b] = tenants;
  if (a === undefined || b === undefined) throw new Error('at least two tenants are needed');
  const list = await getJson(`${url}${LIST_PATH}`, pick(a.tokens));
  const { items } = list.body as { items?: unknown[] };
  expect(list.status, JSON.stringify(list.body)).toBe(200);
  expect(items).toHaveLength(50);
  const detail = await getJson(`${url}/api/alerts/${pick(a.detailAlertIds)}`, pick(a.tokens));
  expect(detail.status, JSON.stringify(detail.body)).toBe(200);
  expect(JSON.stringify(detail.body)).toContain('/usr/bin/sh');
  const foreign = await getJson(`${url}/api/alerts/${pick(b.detailAlertIds)}`, pick(a.tokens));
  expect(foreign.status).toBe(404);
}

function row(label: string, result: LoadResult): string {
  const ms = (value: number): string => value.toFixed(1).padStart(8);
  return `${label.padEnd(24)} ${result.achievedRps.toFixed(0).padStart(7)} ${ms(result.p50)} ${ms(result.p95)} ${ms(
    result.p99,
  )} ${ms(result.max)} ${String(result.responses).padStart(8)} ${String(result.errors).padStart(8)}`;
}

describe('control plane API', () => {
  it(
    'lists and reads alerts of 1,000 tenants at 200 and 1,000 requests/s',
    async () => {
      // The harness's PostgreSQL (both migration streams) and its secret; its in-process server stays idle:
      // the server under load runs in a child process.
      const h = await startApiHarness();
      let stopServer = async (): Promise<void> => undefined;
      try {
        const seedStarted = performance.now();
        const seed = await seedApiBench(h.admin, h.jwtSecret, {
          tenants: TENANTS,
          usersPerTenant: 10,
          alertsPerTenant: 1_000,
          detailEvery: 50,
          eventsPerDetailAlert: 5,
          noiseEventsPerTenant: 500,
        });
        const seedSeconds = (performance.now() - seedStarted) / 1_000;
        figure('api.seed_s', seedSeconds, 's', { ...seed.counts, steps: seed.seconds });

        // The server's own login role, a member of inosec_app like the deployed one.
        const password = randomBytes(12).toString('hex');
        await h.admin.query(`CREATE ROLE api_bench LOGIN PASSWORD '${password}' IN ROLE inosec_app`);
        const databaseUrl = new URL(h.pg.url);
        databaseUrl.username = 'api_bench';
        databaseUrl.password = password;
        const cpuProfDir = process.env['BENCH_API_CPU_PROF'];
        const server = await startApiServerProcess({
          databaseUrl: databaseUrl.toString(),
          jwtSecret: h.jwtSecret,
          poolMax: POOL_MAX,
          dataDir: h.dir,
          nodeFlags: [
            ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
            ...(process.env['BENCH_API_NODE_FLAGS']?.split(' ').filter(Boolean) ?? []),
          ],
        });
        stopServer = () => server.stop();
        await preflight(server.url, seed.tenants);

        const routes = [
          { key: 'list_alerts', next: listRequests(seed.tenants) },
          { key: 'alert_detail', next: detailRequests(seed.tenants) },
        ] as const;
        const table: string[] = [];
        const saturated: string[] = [];
        for (const rate of RATES) {
          for (const route of routes) {
            if (!wanted(`${route.key}@${rate}`)) continue;
            assertAnswered(
              `${route.key} warm-up at ${rate}`,
              await runAtRate(server.url, route.next, { rate, seconds: WARMUP_SECONDS }),
            );
            const result = await runAtRate(server.url, route.next, { rate, seconds: SECONDS });
            assertAnswered(`${route.key} at ${rate} req/s`, result);
            const context = { target_rps: rate, seconds: SECONDS, ...saturation(result, rate) };
            if (context.saturated) saturated.push(`${route.key} at ${rate} req/s`);
            for (const p of ['p50', 'p95', 'p99'] as const) {
              figure(`api.${route.key}.${p}_ms_at_${rate}rps`, result[p], 'ms', context);
            }
            table.push(row(`${route.key} @ ${rate}/s`, result));
          }
        }

        if (wanted('max')) {
          assertAnswered(
            'mixed warm-up',
            await runMax(server.url, mixedRequests(seed.tenants), {
              connections: MAX_CONNECTIONS,
              seconds: 5,
            }),
          );
          const max = await runMax(server.url, mixedRequests(seed.tenants), {
            connections: MAX_CONNECTIONS,
            seconds: SECONDS,
          });
          assertAnswered('mixed maximum', max);
          figure('api.achieved_rps', max.achievedRps, 'req/s', {
            mix: 'half list, half detail',
            connections: MAX_CONNECTIONS,
            ...saturation(max, undefined),
            p50_ms: Math.round(max.p50 * 10) / 10,
            p95_ms: Math.round(max.p95 * 10) / 10,
            p99_ms: Math.round(max.p99 * 10) / 10,
          });
          table.push(row(`mixed max (${MAX_CONNECTIONS} conn.)`, max));
        }

        process.stdout.write(
          [
            '',
            `API benchmark: ${seed.counts.tenants} tenants, ${seed.counts.users} users, ${seed.counts.alerts} alerts, ` +
              `${seed.counts.events} events; seeded in ${seedSeconds.toFixed(1)} s; server pool ${POOL_MAX}; ` +
              `${os.cpus().length} CPUs`,
            `${'run'.padEnd(24)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(
              8,
            )} ${'max ms'.padStart(8)} ${'answers'.padStart(8)} ${'timeouts'.padStart(8)}`,
            ...table,
            '',
          ].join('\n'),
        );
        // The figures are printed; a run the server could not keep up with still fails the benchmark.
        expect(saturated, 'runs where the server missed the rate, timed out or answered 5xx').toEqual([]);
      } finally {
        await stopServer();
        await h.close();
      }
    },
    30 * 60_000,
  );
});
