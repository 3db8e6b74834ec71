#!/usr/bin/env node
// inosec-collector: a standalone collector (scale-out). `run` serves gRPC ingest and, with NATS_URL, joins
// the JetStream consumer group; `migrate` applies the telemetry schema (with the schema owner's credentials).
import { ConfigError, migrate } from '@inosec/protos';
import pg from 'pg';
import { pino } from 'pino';
import { startCollector } from './collector.js';
import { loadCollectorConfig } from './config/collector.config.js';
import { TELEMETRY_MIGRATIONS } from './storage/telemetry-migrations.js';

const logger = pino({ base: { component: 'collector' } });
const [command] = process.argv.slice(2);

async function main(): Promise<number> {
  if (command === 'migrate') {
    const url = process.env['DATABASE_URL'];
    if (!url) {
      process.stderr.write('DATABASE_URL: expected the schema owner’s PostgreSQL URL\n');
      return 78;
    }
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const result = await migrate(pool, TELEMETRY_MIGRATIONS);
      logger.info(
        { applied: result.applied.map((m) => m.name), version: result.version },
        'Telemetry schema is current',
      );
      return 0;
    } finally {
      await pool.end();
    }
  }
  if (command !== 'run') {
    process.stderr.write(
      'Usage: inosec-collector run | migrate   (configuration from the environment; see .env.example)\n',
    );
    return command === undefined ? 0 : 64;
  }
  const config = loadCollectorConfig();
  logger.level = config.LOG_LEVEL;
  const collector = await startCollector({ config, logger, http: true });
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) return resolve(130);
      logger.info({ signal }, 'Stopping the collector');
      collector.stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'The collector did not stop cleanly');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    logger.fatal({ err: error }, `The collector failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
