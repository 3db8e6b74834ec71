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
import { resolveServerSecrets } from '../security/server-secrets.js';
import { TenantDb } from '../database/tenant-db.js';
import { AgentControlServer } from '../fleet/agent-control.server.js';
import { EnrollmentTokensService } from '../fleet/enrollment-tokens.service.js';
import { FleetPki } from '../fleet/fleet-pki.service.js';
import { VERSION } from '../version.js';
import { ApplianceLock } from './appliance-lock.js';
import type { ApplianceConfig } from './appliance.config.js';
import {
  EmbeddedPostgres,
  TELEMETRY_MIGRATIONS,
  loadCollectorConfig,
  startCollector,
} from '@inosec/collector';
import type pg from 'pg';
import { ensureApplianceAdmin, type ApplianceSetup } from './first-start.js';
import { startLocalAgent } from './local-agent.js';
import { enrollLocalAgent, retireUnenrolledAgents, writeCollectorTls } from './local-enrollment.js';
import { Supervisor } from './supervisor.js';

export interface RunningAppliance {
  url: string;
  /** The administrator's one-time setup link, while they have not set a password (print it, never log it). */
  setupUrl?: string;
  adminEmail: string;
  stop(): Promise<void>;
  /** Last resort on a second Ctrl-C: kill the embedded PostgreSQL at once (it recovers from WAL). */
  kill(): void;
}

/**
 * The one-machine deployment: a PostgreSQL (embedded unless DATABASE_URL names one), migrations, the
 * control plane's least-privilege login role, and the control plane HTTP server. Later issues add the
 * collector, the local agent and the console here.
 */
/** The tenant of a one-machine appliance, created at first start. */
async function ensureApplianceTenant(admin: pg.Pool): Promise<string> {
  const client = await admin.connect();
  try {
    await client.query('BEGIN');
    const id = (
      await client.query<{ id: string }>(
        `SELECT coalesce((SELECT id FROM inosec.tenants WHERE slug = 'local'), gen_random_uuid())::text AS id`,
      )
    ).rows[0]?.id as string;
    // Row Level Security applies to the migration role too unless it is a superuser: scope the insert.
    await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [id]);
    await client.query(
      `INSERT INTO inosec.tenants (id, slug, name) VALUES ($1, 'local', 'This appliance') ON CONFLICT (slug) DO NOTHING`,
      [id],
    );
    await client.query('COMMIT');
    return id;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

export async function startAppliance(
  config: ApplianceConfig,
  controlPlane: ControlPlaneConfig,
  logger: Logger,
  hooks: { onFatal?: (error: Error) => void } = {},
  collectorEnv: Readonly<Record<string, string | undefined>> = process.env,
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
    let ingestUrl: string;
    let schemaVersion: number;
    let tenantId: string;
    let setup: ApplianceSetup;
    try {
      const { applied, version } = await migrate(admin, CONTROL_PLANE_MIGRATIONS);
      schemaVersion = version;
      const telemetry = await migrate(admin, TELEMETRY_MIGRATIONS);
      logger.info(
        {
          applied: [
            ...applied.map((m) => `${CONTROL_PLANE_MIGRATIONS.name}:${m.version}_${m.name}`),
            ...telemetry.applied.map((m) => `${TELEMETRY_MIGRATIONS.name}:${m.version}_${m.name}`),
          ],
          version,
          telemetryVersion: telemetry.version,
        },
        'Database schema is current',
      );
      appUrl = await provisionLoginRole(admin, adminUrl, {
        role: 'inosec_control_plane',
        memberOf: 'inosec_app',
        secretsDir,
      });
      ingestUrl = await provisionLoginRole(admin, adminUrl, {
        role: 'inosec_collector',
        memberOf: 'inosec_ingest',
        secretsDir,
      });
      tenantId = await ensureApplianceTenant(admin);
      setup = await ensureApplianceAdmin(admin, tenantId, config.INOSEC_ADMIN_EMAIL);
      await retireUnenrolledAgents(admin);
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
    const metrics = createControlPlaneMetrics(pool, VERSION);
    const secrets = await resolveServerSecrets(controlPlane, secretsDir);
    // The collector's server certificate comes from the platform root CA that also signs the tenant CAs of
    // enrolled agents (fleet), re-issued at each start.
    const tls = await writeCollectorTls(
      new FleetPki(new TenantDb(pool), secrets.secretBox),
      path.join(dataDir, 'pki'),
    );
    const collectorConfig = loadCollectorConfig({
      ...collectorEnv,
      DATABASE_URL: ingestUrl,
      INOSEC_GRPC_TLS_CERT: tls.certPath,
      INOSEC_GRPC_TLS_KEY: tls.keyPath,
      INOSEC_GRPC_TLS_CA: tls.caPath,
      INOSEC_GRPC_INSECURE: 'false',
      // Every agent of the appliance is enrolled: only the certificate enrollment issued is accepted.
      INOSEC_GRPC_REQUIRE_ENROLLED_CERT: 'true',
    });
    const collector = await supervisor.start('collector', async () => {
      const c = await startCollector({
        config: collectorConfig,
        logger: logger.child({ component: 'collector' }),
        registry: metrics.registry,
      });
      return c;
    });
    const server = await supervisor.start('control plane HTTP server', async () => {
      const s = await startControlPlaneServer({
        config: {
          ...controlPlane,
          // Agents enroll to this appliance's collector unless the operator named other URLs.
          INOSEC_COLLECTOR_URLS: collectorEnv['INOSEC_COLLECTOR_URLS']
            ? controlPlane.INOSEC_COLLECTOR_URLS
            : `grpcs://127.0.0.1:${collector.grpcPort}`,
        },
        pool,
        metrics,
        logger,
        schemaVersion,
        context: {
          jwtSecret: secrets.jwtSecret,
          secretBox: secrets.secretBox,
          dataDir,
          ...(controlPlane.INOSEC_PUBLIC_URL ? { publicUrl: controlPlane.INOSEC_PUBLIC_URL } : {}),
        },
      });
      return { ...s, stop: () => s.close() };
    });
    const agentControl = await server.app.get(AgentControlServer).start();
    if (config.INOSEC_LOCAL_AGENT) {
      const stateDir = path.join(dataDir, 'agent');
      // The local agent enrolls like any other: a one-time token of the appliance tenant, then mTLS.
      await enrollLocalAgent({
        stateDir,
        tokens: server.app.get(EnrollmentTokensService),
        tenantId,
        transport: `grpcs://127.0.0.1:${collector.grpcPort}`,
        logger: logger.child({ component: 'local-agent' }),
      });
      await supervisor.start('local agent', () =>
        startLocalAgent({
          stateDir,
          env: {
            INOSEC_TRANSPORT: `grpcs://127.0.0.1:${collector.grpcPort}`,
            INOSEC_CONTROL_URL: agentControl.url,
            INOSEC_SPOOL_MAX_BYTES: '256MiB',
            LOG_LEVEL: config.INOSEC_LOCAL_AGENT_LOG_LEVEL,
          },
          logger: logger.child({ component: 'local-agent' }),
          stopTimeoutMs: config.INOSEC_SHUTDOWN_TIMEOUT_MS,
        }),
      );
    }
    const pgPid = postgres?.pid;
    const base = (controlPlane.INOSEC_PUBLIC_URL ?? server.url).replace(/\/$/, '');
    return {
      url: server.url,
      adminEmail: setup.adminEmail,
      ...(setup.setupToken
        ? { setupUrl: `${base}/setup?token=${encodeURIComponent(setup.setupToken)}` }
        : {}),
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
