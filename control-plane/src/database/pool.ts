import pg from 'pg';
import type { Logger } from 'pino';

/**
 * A pg pool with the settings every InoSec process uses: bounded size, connect and statement timeouts,
 * and errors of idle connections logged instead of crashing the process (a restarted server drops them).
 */
export function createPool(
  url: string,
  options: { max: number; logger: Logger; applicationName: string },
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 30_000,
    application_name: options.applicationName,
    // Detects a peer that vanished (network cut, host gone) instead of waiting on it forever.
    keepAlive: true,
  });
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  return pool;
}
