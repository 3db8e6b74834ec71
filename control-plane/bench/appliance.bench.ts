// Appliance start/stop times and the control plane's HTTP overhead against bare Fastify, side by side.
// Run: npm run bench -w control-plane (after npm run build). Prints BENCH lines; asserts nothing on time.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAppliance } from '../test/support/appliance-process.js';
import { freePort } from '../test/support/processes.js';

function figure(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  const rounded = Math.round(value * 100) / 100;
  process.stdout.write(`BENCH ${JSON.stringify({ name, value: rounded, unit, ...extra })}\n`);
}

/** Requests per second of GET `url` from `concurrency` keep-alive loops for `seconds`. */
async function load(url: string, seconds: number, concurrency: number): Promise<number> {
  const deadline = performance.now() + seconds * 1_000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - started) / 1_000);
}

/** Bare Fastify with the same /healthz answer, in its own process like the appliance. */
async function bareFastify(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const script = `
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    app.get('/healthz', async () => ({ status: 'ok' }));
    await app.listen({ port: ${port}, host: '127.0.0.1' });
    process.stdout.write('ready\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

describe('appliance', () => {
  it('starts, serves and stops', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-bench-'));
    await chmod(dir, 0o755);
    const env = {
      INOSEC_DATA_DIR: path.join(dir, 'data'),
      INOSEC_PG_PORT: String(await freePort()),
      INOSEC_HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    try {
      let t = performance.now();
      const cold = runAppliance(env);
      const url = await cold.ready;
      figure('appliance.cold_start', (performance.now() - t) / 1_000, 's', {
        note: 'initdb + migrations + HTTP',
      });

      const seconds = 5;
      const concurrency = 16;
      const nest = await load(`${url}/healthz`, seconds, concurrency);
      const bare = await bareFastify();
      const fastify = await load(`${bare.url}/healthz`, seconds, concurrency);
      bare.stop();
      const readyz = await load(`${url}/readyz`, seconds, concurrency);
      const context = { concurrency, seconds, client: 'fetch keep-alive, same process' };
      figure('control_plane.healthz', nest, 'req/s', context);
      figure('fastify_bare.healthz', fastify, 'req/s', context);
      figure('control_plane.healthz_vs_bare_fastify', nest / fastify, 'x', { note: 'same client, same run' });
      figure('control_plane.readyz', readyz, 'req/s', {
        ...context,
        note: 'concurrent probes share one PostgreSQL check in flight',
      });

      t = performance.now();
      cold.child.kill('SIGTERM');
      expect(await cold.exited).toBe(0);
      figure('appliance.stop', (performance.now() - t) / 1_000, 's');

      t = performance.now();
      const warm = runAppliance(env);
      await warm.ready;
      figure('appliance.warm_start', (performance.now() - t) / 1_000, 's', { note: 'existing cluster' });
      warm.child.kill('SIGTERM');
      expect(await warm.exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
