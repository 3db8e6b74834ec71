import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { InosecError } from '../errors.js';

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

/**
 * One ordered series of migration files owned by one workspace: the control plane's business schema, the
 * collector's telemetry schema. Streams are versioned independently in one bookkeeping table.
 */
export interface MigrationStream {
  /** Name recorded with each applied version: `control-plane`, `telemetry`. */
  name: string;
  /** Folder of `NNNN_lower_snake_name.sql` files. */
  dir: string;
}

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
 * Applies a stream's pending migrations in order, each in its own transaction together with its bookkeeping
 * row. Landed migrations are immutable: one whose file changed after it was applied stops the run.
 */
export async function migrate(pool: pg.Pool, stream: MigrationStream): Promise<MigrationResult> {
  const migrations = await loadMigrations(stream.dir);
  const client = await pool.connect();
  try {
    // Migrations and the wait for another replica's lock may take long: no statement timeout here.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await ensureBookkeeping(client);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM public.schema_migrations WHERE stream = $1 ORDER BY version',
        [stream.name],
      );
      const known = new Map(migrations.map((m) => [m.version, m]));
      for (const row of rows) {
        const file = known.get(row.version);
        if (!file) {
          throw new MigrationError(
            `The database has ${stream.name} migration ${row.version} (${row.name}), which this build does not know: it is older than the database`,
          );
        }
        if (file.checksum !== row.checksum) {
          throw new MigrationError(
            `${stream.name} migration ${row.version} (${row.name}) was changed after it was applied; landed migrations are immutable: add a new one instead`,
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
            'INSERT INTO public.schema_migrations (stream, version, name, checksum) VALUES ($1, $2, $3, $4)',
            [stream.name, migration.version, migration.name, migration.checksum],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new MigrationError(
            `${stream.name} migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`,
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

/**
 * The bookkeeping table, keyed by (stream, version). Databases from before streams existed have only the
 * control plane's rows: the column is added with that default and the key widened, once.
 */
async function ensureBookkeeping(client: pg.PoolClient): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
    stream text NOT NULL DEFAULT 'control-plane',
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, version))`);
  const { rows } = await client.query<{ present: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = 'schema_migrations' AND column_name = 'stream') AS present`,
  );
  if (rows[0]?.present) return;
  await client.query('BEGIN');
  try {
    await client.query(`ALTER TABLE public.schema_migrations
      ADD COLUMN stream text NOT NULL DEFAULT 'control-plane',
      DROP CONSTRAINT schema_migrations_pkey,
      ADD PRIMARY KEY (stream, version)`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** The highest version of a stream applied to the database, or 0 when none is. */
export async function appliedVersion(db: pg.Pool | pg.PoolClient, stream: string): Promise<number> {
  const { rows } = await db.query<{ version: number | null }>(
    `SELECT CASE WHEN to_regclass('public.schema_migrations') IS NULL THEN 0
       ELSE (SELECT coalesce(max(version), 0) FROM public.schema_migrations WHERE stream = $1) END AS version`,
    [stream],
  );
  return rows[0]?.version ?? 0;
}
