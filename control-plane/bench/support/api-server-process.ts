// The control plane under load runs in its own process (built code from dist/, as deployed), so the load
// generator never shares its event loop: on one thread, autocannon's parsing and timers would queue behind
// the server's work and show up as server latency.
import { type ChildProcess, spawn } from 'node:child_process';

/** A control plane server process. */
export interface ApiServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface ApiServerProcessOptions {
  /** The application login role's URL (a member of inosec_app). */
  databaseUrl: string;
  jwtSecret: string;
  poolMax: number;
  /** The server's data directory (mail outbox and the like): a throwaway directory. */
  dataDir: string;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeFlags?: string[];
}

// Imports dist/ of this workspace: `npm run build` (tsc -b) first. Secrets come through the environment, never
// the command line (visible in ps).
const SERVER_SCRIPT = `
  import { randomBytes } from 'node:crypto';
  import { pino } from 'pino';
  import { loadControlPlaneConfig, startControlPlaneServer } from './dist/index.js';
  import { createPool } from './dist/database/pool.js';
  import { createControlPlaneMetrics } from './dist/metrics/metrics.registry.js';
  import { SecretBox } from './dist/security/secret-box.js';
  const env = process.env;
  const config = loadControlPlaneConfig({
    INOSEC_HTTP_HOST: '127.0.0.1',
    INOSEC_HTTP_PORT: '0',
    INOSEC_DB_POOL_MAX: env.BENCH_POOL_MAX,
    INOSEC_PUBLIC_URL: 'https://console.inosec.test',
    LOG_LEVEL: 'silent',
  });
  const logger = pino({ level: 'silent' });
  const pool = createPool(env.BENCH_DATABASE_URL, {
    max: config.INOSEC_DB_POOL_MAX, logger, applicationName: 'inosec-api-bench',
  });
  const server = await startControlPlaneServer({
    config, pool, logger, schemaVersion: 0,
    metrics: createControlPlaneMetrics(pool, 'bench'),
    context: {
      jwtSecret: env.BENCH_JWT_SECRET, secretBox: new SecretBox(randomBytes(32)),
      dataDir: env.BENCH_DATA_DIR, publicUrl: 'https://console.inosec.test',
    },
  });
  process.stdout.write(JSON.stringify({ url: server.url }) + '\\n');
  process.once('SIGTERM', () => {
    server.close().then(() => pool.end()).finally(() => process.exit(0));
  });
`;

/** Starts the built control plane in a child process on a free loopback port; resolves once it listens. */
export async function startApiServerProcess(options: ApiServerProcessOptions): Promise<ApiServerProcess> {
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), '--input-type=module', '-e', SERVER_SCRIPT],
    {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        BENCH_DATABASE_URL: options.databaseUrl,
        BENCH_JWT_SECRET: options.jwtSecret,
        BENCH_POOL_MAX: String(options.poolMax),
        BENCH_DATA_DIR: options.dataDir,
        NODE_ENV: 'production',
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) =>
      reject(new Error(`the control plane exited with code ${code} before listening`)),
    );
  });
  return {
    url,
    pid: child.pid ?? 0,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
