import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InosecError } from '@inosec/protos';
import type pg from 'pg';

export class MigrationError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('migration_failed', message, options);
  }
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: Migration[];
  version: number;
}

/** The control plane's migrations: `control-plane/migrations/NNNN_name.sql`, the same path from src/ and dist/. */
export const CONTROL_PLANE_MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// One advisory lock key for all migrators: replicas starting together apply each migration once.
const LOCK_KEY = 0x1_05ec_0001;

/** Reads and orders the migration files of a directory; a misnamed or duplicated version is an error. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationError(`Migration file ${file} must be named NNNN_lower_snake_name.sql`);
    const sql = await readFile(path.join(dir, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new MigrationError(`Two migration files have version ${version}`);
    }
    const checksum = createHash('sha256').update(sql).digest('hex');
    migrations.push({ version, name: match[2] ?? '', sql, checksum });
  }
  return migrations;
}

/**
 * Applies pending migrations in order, each in its own transaction together with its bookkeeping row.
 * Landed migrations are immutable: one whose file changed after it was applied stops the run.
 */
export async function migrate(
  pool: pg.Pool,
  dir: string = CONTROL_PLANE_MIGRATIONS,
): Promise<MigrationResult> {
  const migrations = await loadMigrations(dir);
  const client = await pool.connect();
  try {
    // Migrations and the wait for another replica's lock may take long: no statement timeout here.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM public.schema_migrations ORDER BY version',
      );
      const known = new Map(migrations.map((m) => [m.version, m]));
      for (const row of rows) {
        const file = known.get(row.version);
        if (!file) {
          throw new MigrationError(
            `The database has migration ${row.version} (${row.name}), which this build does not know: it is older than the database`,
          );
        }
        if (file.checksum !== row.checksum) {
          throw new MigrationError(
            `Migration ${row.version} (${row.name}) was changed after it was applied; landed migrations are immutable: add a new one instead`,
          );
        }
      }
      const done = new Set(rows.map((r) => r.version));
      const applied: Migration[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        try {
          await client.query('BEGIN');
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO public.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
            [migration.version, migration.name, migration.checksum],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new MigrationError(
            `Migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
            { cause: error },
          );
        }
        applied.push(migration);
      }
      return { applied, version: migrations.at(-1)?.version ?? 0 };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
      await client.query('RESET statement_timeout');
    }
  } finally {
    client.release();
  }
}

/** The highest migration version applied to the database, or 0 for an empty database. */
export async function appliedVersion(db: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await db.query<{ version: number | null }>(
    `SELECT CASE WHEN to_regclass('public.schema_migrations') IS NULL THEN 0
       ELSE (SELECT coalesce(max(version), 0) FROM public.schema_migrations) END AS version`,
  );
  return rows[0]?.version ?? 0;
}
