import { readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RULE_DIRS } from '@inosec/detectors';
import { ConfigError, InosecError } from '@inosec/protos';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CollectorConfig } from './config/collector.config.js';
import {
  startGrpcIngestServer,
  type GrpcIngestServer,
  type GrpcTlsOptions,
} from './grpc/grpc-ingest-server.js';
import type { ValidationLimits } from './ingest/batch-validator.js';
import { createBatchEncoder } from './ingest/encoder-pool.js';
import { IngestService } from './ingest/ingest-service.js';
import { TelemetryWriter } from './storage/telemetry-writer.js';
import { createCollectorMetrics, type CollectorMetrics } from './metrics/collector-metrics.js';
import { startJetStreamIngest, type JetStreamIngest } from './nats/jetstream-ingest.js';
import { findAgent, maintainPartitions, storageMode } from './storage/telemetry.repository.js';
import { CollectorDetection } from './detection/collector-detection.js';
import { alertSubject, encodeAlertMessage } from './detection/alert-stream.js';
import type { StoredAlert } from './storage/alert.repository.js';

export interface CollectorOptions {
  config: CollectorConfig;
  logger: Logger;
  /** Add the collector's metrics to this registry (the appliance's) instead of serving its own /metrics. */
  registry?: Registry;
  /** Serve /metrics and /healthz on INOSEC_COLLECTOR_HTTP_HOST:PORT (standalone collectors). */
  http?: boolean;
  limits?: ValidationLimits;
  /** How often partition maintenance runs. */
  maintenanceIntervalMs?: number;
  /** The in-process alert stream: called after each commit with the alerts it raised or merged. */
  onAlerts?: (alerts: StoredAlert[]) => void;
}

/** The rule directories of INOSEC_DETECTION_RULE_DIRS: the defaults when unset, none for 'none'. */
export function ruleDirsOf(config: Pick<CollectorConfig, 'INOSEC_DETECTION_RULE_DIRS'>): readonly string[] {
  const value = config.INOSEC_DETECTION_RULE_DIRS;
  if (value === undefined) return DEFAULT_RULE_DIRS;
  if (value.trim() === 'none') return [];
  return listOf(value);
}

/** A ':'-separated list of paths. */
function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(path.delimiter)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export interface RunningCollector {
  grpcPort: number;
  httpUrl?: string;
  metrics: CollectorMetrics;
  ingest: IngestService;
  /** The detection (rules, tenant settings, correlation state); absent when detection is off. */
  detection?: CollectorDetection;
  stop(): Promise<void>;
}

export class CollectorStartError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('collector_start_failed', message, options);
  }
}

async function loadTls(config: CollectorConfig): Promise<GrpcTlsOptions | undefined> {
  const paths = [config.INOSEC_GRPC_TLS_CERT, config.INOSEC_GRPC_TLS_KEY, config.INOSEC_GRPC_TLS_CA];
  if (paths.every((p) => p === undefined)) {
    if (config.INOSEC_GRPC_INSECURE) return undefined;
    throw new ConfigError('collector', [
      {
        variable: 'INOSEC_GRPC_TLS_CERT',
        expected:
          'INOSEC_GRPC_TLS_CERT, INOSEC_GRPC_TLS_KEY and INOSEC_GRPC_TLS_CA (or INOSEC_GRPC_INSECURE=true for tests)',
        received: undefined,
      },
    ]);
  }
  const missing = (['INOSEC_GRPC_TLS_CERT', 'INOSEC_GRPC_TLS_KEY', 'INOSEC_GRPC_TLS_CA'] as const).filter(
    (key) => config[key] === undefined,
  );
  if (missing.length > 0) {
    throw new ConfigError(
      'collector',
      missing.map((variable) => ({
        variable,
        expected: 'a path to a PEM file (all three TLS variables together)',
        received: undefined,
      })),
    );
  }
  const read = (file: string) =>
    readFile(file).catch((error: unknown) => {
      throw new CollectorStartError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    });
  return {
    cert: await read(config.INOSEC_GRPC_TLS_CERT as string),
    key: await read(config.INOSEC_GRPC_TLS_KEY as string),
    ca: await read(config.INOSEC_GRPC_TLS_CA as string),
  };
}

function serveHttp(
  config: CollectorConfig,
  metrics: CollectorMetrics,
  pool: pg.Pool,
  logger: Logger,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}');
      } else if (req.url === '/readyz') {
        const ok = await pool.query('SELECT 1').then(
          () => true,
          () => false,
        );
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ready' : 'database unreachable' }));
      } else {
        res.writeHead(404).end();
      }
    })().catch((error: unknown) => {
      logger.error({ err: error }, 'HTTP handler failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.INOSEC_COLLECTOR_HTTP_PORT, config.INOSEC_COLLECTOR_HTTP_HOST, () => {
      const { port } = server.address() as import('node:net').AddressInfo;
      resolve({
        url: `http://${config.INOSEC_COLLECTOR_HTTP_HOST}:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * Starts a collector: the PostgreSQL pool (as the ingest role), partition maintenance, the gRPC ingest server
 * and, with NATS_URL, a member of the JetStream consumer group. The schema must be migrated (the appliance or
 * `inosec-collector migrate` does it with the owner's credentials).
 */
export async function startCollector(options: CollectorOptions): Promise<RunningCollector> {
  const { config, logger } = options;
  const tls = await loadTls(config);
  const metrics = createCollectorMetrics(options.registry, options.registry === undefined);
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: config.INOSEC_COLLECTOR_DB_POOL_MAX,
    application_name: 'inosec-collector',
    keepAlive: true,
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'Idle PostgreSQL connection failed'));
  const stops: Array<() => Promise<void>> = [() => pool.end()];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) {
      await fn().catch((error: unknown) => logger.warn({ err: error }, 'Collector component failed to stop'));
    }
  };
  try {
    const mode = await storageMode(pool);
    const maintain = async () => {
      const done = await maintainPartitions(pool, config.INOSEC_TELEMETRY_RETENTION_DAYS);
      if (done.created + done.dropped > 0) logger.info(done, 'Telemetry partitions maintained');
    };
    await maintain();
    const timer = setInterval(() => {
      maintain().catch((error: unknown) =>
        logger.warn({ err: error }, 'Partition maintenance failed; retrying later'),
      );
    }, options.maintenanceIntervalMs ?? 3_600_000);
    timer.unref();
    stops.push(async () => clearInterval(timer));

    const ruleDirs = ruleDirsOf(config);
    let nats: JetStreamIngest | undefined;
    const publishAlerts = (alerts: StoredAlert[]) => {
      options.onAlerts?.(alerts);
      if (nats)
        for (const alert of alerts) nats.publish(alertSubject(alert.tenantId), encodeAlertMessage(alert));
    };
    const iocFeeds = listOf(config.INOSEC_IOC_FEEDS);
    let detection: CollectorDetection | undefined;
    if (ruleDirs.length > 0 || iocFeeds.length > 0) {
      detection = await CollectorDetection.start({
        pool,
        logger: logger.child({ component: 'detection' }),
        metrics,
        ruleDirs,
        onAlerts: publishAlerts,
        collectorId: config.INOSEC_COLLECTOR_ID ?? os.hostname(),
        iocFeeds,
      });
      const running = detection;
      stops.push(() => running.stop());
    }
    const writer = new TelemetryWriter({
      pool,
      logger: logger.child({ component: 'writer' }),
      onCommit: (batches) => metrics.transactionBatches.observe(batches),
      ...(detection
        ? { alerts: detection, onAlerts: (stored: StoredAlert[]) => detection?.recordStored(stored) }
        : {}),
    });
    const encoder = createBatchEncoder({
      threads: config.INOSEC_COLLECTOR_ENCODE_THREADS,
      maxBatchBytes: config.INOSEC_INGEST_MAX_BATCH_BYTES,
      limits: options.limits ?? {
        maxEvents: 50_000,
        maxPastUs: config.INOSEC_TELEMETRY_RETENTION_DAYS * 86_400_000_000,
        maxFutureUs: 86_400_000_000,
      },
      logger,
      ...(detection
        ? {
            ruleDirs,
            iocFeeds,
            ...(detection.iocMatcher ? { iocMatcher: detection.iocMatcher } : {}),
            ruleSet: detection.ruleSet,
            tenantRuleSet: (tenantId: string) => detection?.tenantRuleSet(tenantId),
          }
        : {}),
    });
    detection?.attachEncoder(encoder);
    // Listen only once the workers have loaded their rules: batches accepted before would wait for them.
    await encoder.ready();
    stops.push(() => encoder.close());
    const ingest = new IngestService({
      encoder,
      writer,
      metrics,
      logger: logger.child({ component: 'ingest' }),
      maxInFlightBytes: config.INOSEC_INGEST_MAX_INFLIGHT_BYTES,
    });
    const lookup = (agentId: string) => findAgent(pool, agentId);
    const grpcServer: GrpcIngestServer = await startGrpcIngestServer({
      host: config.INOSEC_GRPC_HOST,
      port: config.INOSEC_GRPC_PORT,
      ...(tls ? { tls } : {}),
      ingest,
      findAgent: lookup,
      streamWindowBytes: config.INOSEC_GRPC_STREAM_WINDOW_BYTES,
      requireEnrolledCert: config.INOSEC_GRPC_REQUIRE_ENROLLED_CERT === 'true',
      metrics,
      logger: logger.child({ component: 'grpc-ingest' }),
      maxMessageBytes: Math.min(config.INOSEC_INGEST_MAX_BATCH_BYTES * 4, 64 * 1_048_576),
    });
    stops.push(() => grpcServer.stop());
    if (config.NATS_URL) {
      nats = await startJetStreamIngest({
        url: config.NATS_URL,
        ...(config.NATS_CREDS ? { credsFile: config.NATS_CREDS } : {}),
        ingest,
        findAgent: lookup,
        metrics,
        logger: logger.child({ component: 'jetstream-ingest' }),
      });
      stops.push(() => (nats as JetStreamIngest).stop());
    }
    let httpUrl: string | undefined;
    if (options.http) {
      const server = await serveHttp(config, metrics, pool, logger);
      httpUrl = server.url;
      stops.push(() => server.close());
    }
    logger.info(
      {
        storage: mode,
        grpcPort: grpcServer.port,
        nats: config.NATS_URL !== undefined,
        tls: tls !== undefined,
      },
      'Collector started',
    );
    return {
      grpcPort: grpcServer.port,
      ...(httpUrl ? { httpUrl } : {}),
      metrics,
      ingest,
      ...(detection ? { detection } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
