import { mkdir } from 'node:fs/promises';
import { migrate, redactUrl } from '@inosec/protos';
import path from 'node:path';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { CONTROL_PLANE_MIGRATIONS } from '../database/migrations.js';
import { provisionLoginRole } from '../database/login-role.js';
import { createPool } from '../database/pool.js';
import { startControlPlaneServer } from '../http/control-plane-server.js';
import type { Logger } from '../logging/logger.js';
import { createControlPlaneMetrics } from '../metrics/metrics.registry.js';
import { VERSION } from '../version.js';
import { ApplianceLock } from './appliance-lock.js';
import type { ApplianceConfig } from './appliance.config.js';
import { EmbeddedPostgres } from '@inosec/collector';
import { Supervisor } from './supervisor.js';

export interface RunningAppliance {
  url: string;
  stop(): Promise<void>;
  /** Last resort on a second Ctrl-C: kill the embedded PostgreSQL at once (it recovers from WAL). */
  kill(): void;
}

/**
 * The one-machine deployment: a PostgreSQL (embedded unless DATABASE_URL names one), migrations, the
 * control plane's least-privilege login role, and the control plane HTTP server. Later issues add the
 * collector, the local agent and the console here.
 */
export async function startAppliance(
  config: ApplianceConfig,
  controlPlane: ControlPlaneConfig,
  logger: Logger,
  hooks: { onFatal?: (error: Error) => void } = {},
): Promise<RunningAppliance> {
  const dataDir = path.resolve(config.INOSEC_DATA_DIR);
  const secretsDir = path.join(dataDir, 'secrets');
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const supervisor = new Supervisor(
    logger.child({ component: 'supervisor' }),
    config.INOSEC_SHUTDOWN_TIMEOUT_MS,
  );
  let postgres: EmbeddedPostgres | undefined;
  try {
    await supervisor.start('data directory lock', () => ApplianceLock.acquire(dataDir));
    let adminUrl = config.DATABASE_URL;
    if (adminUrl === undefined) {
      postgres = new EmbeddedPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        secretsDir,
        port: config.INOSEC_PG_PORT,
        logger: logger.child({ component: 'embedded-postgres' }),
        stopTimeoutMs: config.INOSEC_SHUTDOWN_TIMEOUT_MS,
        // Without its database the appliance cannot work: stop, and exit non-zero so systemd restarts it.
        onUnexpectedExit: (error) => hooks.onFatal?.(error),
      });
      const pg = postgres;
      // Its stop escalates by itself (fast, then immediate shutdown, then SIGKILL): let it finish.
      await supervisor.start('embedded PostgreSQL', async () => (await pg.start(), pg), {
        stopTimeoutMs: config.INOSEC_SHUTDOWN_TIMEOUT_MS + 15_000,
      });
      adminUrl = pg.url;
    } else {
      logger.info({ database: redactUrl(adminUrl) }, 'Using the PostgreSQL named by DATABASE_URL');
    }

    const admin = createPool(adminUrl, { max: 1, logger, applicationName: 'inosec-migrate' });
    let appUrl: string;
    let schemaVersion: number;
    try {
      const { applied, version } = await migrate(admin, CONTROL_PLANE_MIGRATIONS);
      schemaVersion = version;
      logger.info(
        { applied: applied.map((m) => `${m.version}_${m.name}`), version },
        'Database schema is current',
      );
      appUrl = await provisionLoginRole(admin, adminUrl, {
        role: 'inosec_control_plane',
        memberOf: 'inosec_app',
        secretsDir,
      });
    } finally {
      await admin.end();
    }

    const pool = await supervisor.start('control plane database pool', async () => {
      const p = createPool(appUrl, {
        max: controlPlane.INOSEC_DB_POOL_MAX,
        logger,
        applicationName: 'inosec-control-plane',
      });
      return Object.assign(p, { stop: () => p.end() });
    });
    const server = await supervisor.start('control plane HTTP server', async () => {
      const s = await startControlPlaneServer({
        config: controlPlane,
        pool,
        metrics: createControlPlaneMetrics(pool, VERSION),
        logger,
        schemaVersion,
      });
      return { ...s, stop: () => s.close() };
    });
    const pgPid = postgres?.pid;
    return {
      url: server.url,
      stop: () => supervisor.stop(),
      kill: () => {
        try {
          if (pgPid !== undefined) process.kill(pgPid, 'SIGQUIT');
        } catch {
          // Already gone.
        }
      },
    };
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
}
