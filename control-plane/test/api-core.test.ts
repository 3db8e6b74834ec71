// The API's common ground against a real PostgreSQL and server: the OpenAPI document, problem+json errors,
// security headers, and Row Level Security on the identity tables for a query that forgets its WHERE.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPrincipal } from '../src/auth/principal.repository.js';
import { TenantDb } from '../src/database/tenant-db.js';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';

let h: ApiHarness;
let a: SeededTenant;
let b: SeededTenant;
let aliceA: SeededUser;

beforeAll(async () => {
  h = await startApiHarness();
  a = await h.seedTenant('core-a');
  b = await h.seedTenant('core-b');
  aliceA = await h.seedUser(a, { roles: ['admin'] });
  await h.seedUser(b, { roles: ['viewer'] });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('the API surface', () => {
  it('serves an OpenAPI 3.1 document', async () => {
    const res = await h.request<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      '/api/openapi.json',
    );
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(typeof res.body.paths).toBe('object');
  });

  it('answers an unknown route with problem+json and security headers', async () => {
    const res = await h.request<{ status: number; title: string; requestId: string }>('GET', '/api/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.status).toBe(404);
    expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('Row Level Security on the identity tables', () => {
  it('the app role reads only the tenant its transaction is set to, whatever the query forgets', async () => {
    const client = await h.app.connect();
    try {
      const tables = ['users', 'roles', 'user_roles', 'sessions', 'refresh_tokens', 'user_tokens', 'tenants'];
      await h.tokenFor(aliceA); // a session in tenant A
      for (const table of tables) {
        await client.query('BEGIN');
        // No tenant set: nothing.
        const none = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM inosec.${table}`);
        expect(none.rows[0]?.n, `${table} without a tenant`).toBe(0);
        await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [b.id]);
        const column = table === 'tenants' ? 'id' : 'tenant_id';
        const rows = await client.query(`SELECT ${column}::text AS t FROM inosec.${table}`);
        expect(
          rows.rows.every((r: { t: string }) => r.t === b.id),
          `${table} as tenant B`,
        ).toBe(true);
        await client.query('ROLLBACK');
      }
      // Tenant B cannot write a row into tenant A.
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [b.id]);
      await expect(
        client.query(`INSERT INTO inosec.roles (tenant_id, name) VALUES ($1, 'sneaky')`, [a.id]),
      ).rejects.toThrow(/row-level security/);
      await client.query('ROLLBACK');
      // Nor change A's rows it cannot see.
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [b.id]);
      const updated = await client.query(`UPDATE inosec.users SET display_name = 'x' WHERE tenant_id = $1`, [
        a.id,
      ]);
      expect(updated.rowCount).toBe(0);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('the app role cannot make itself a super admin, bypass RLS or own a table', async () => {
    const client = await h.app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [a.id]);
      await expect(
        client.query(`UPDATE inosec.users SET is_super_admin = true WHERE id = $1`, [aliceA.id]),
      ).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK');
      const role = await client.query(
        `SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user`,
      );
      expect(role.rows[0]).toEqual({ rolbypassrls: false, rolsuper: false });
      const owned = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
          WHERE pg_has_role(current_user, r.oid, 'MEMBER') AND c.relnamespace::regnamespace::text IN ('inosec', 'telemetry')`,
      );
      expect(owned.rows[0]?.n).toBe(0);
      const forced = await h.admin.query(
        `SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'inosec'::regnamespace AND c.relkind = 'r'
            AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity) AND c.relname <> 'login_throttle'`,
      );
      expect(forced.rows).toEqual([]);
    } finally {
      client.release();
    }
  });
});

describe("the guard's one-round-trip session check", () => {
  it('reads the principal under the token tenant and leaves no tenant on the pooled connection', async () => {
    const token = await h.tokenFor(aliceA);
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { sid: string };
    // One connection, so the next query runs on the very connection the check used.
    const one = new pg.Pool({
      connectionString: (h.app.options as { connectionString: string }).connectionString,
      max: 1,
    });
    try {
      const principal = await readPrincipal(one, a.id, claims.sid, aliceA.id);
      expect(principal).toMatchObject({ sessionLive: true, userStatus: 'active', tenantStatus: 'active' });
      expect(principal?.permissions).toContain('users:write');
      const after = await one.query<{ t: string | null }>(
        "SELECT current_setting('inosec.tenant_id', true) AS t",
      );
      expect(after.rows[0]?.t ?? '').toBe('');
      // The same session read as tenant B's: nothing (RLS), not A's row.
      expect(await readPrincipal(one, b.id, claims.sid, aliceA.id)).toBeUndefined();
      // Not a UUID: refused before any SQL is written.
      expect(
        await readPrincipal(one, `${a.id}'; DROP TABLE inosec.users; --`, claims.sid, aliceA.id),
      ).toBeUndefined();
    } finally {
      await one.end();
    }
  });
});

describe('scoped reads: the tenant and the statement in one round trip (TenantDb.read)', () => {
  /** One connection, so every statement runs on the very connection the read used. */
  function onePool(): pg.Pool {
    return new pg.Pool({
      connectionString: (h.app.options as { connectionString: string }).connectionString,
      max: 1,
    });
  }

  it("reads only the scope's tenant with bound values, and leaves nothing on the pooled connection", async () => {
    const one = onePool();
    const db = new TenantDb(one);
    try {
      const sql = 'SELECT tenant_id::text AS t, email FROM inosec.users WHERE email LIKE $1 ORDER BY email';
      const asA = await db.read({ tenantId: a.id, userId: aliceA.id }, (c) =>
        c.query<{ t: string; email: string }>(sql, ['%']),
      );
      expect(asA.rows.length).toBeGreaterThan(0);
      expect(asA.rows.every((r) => r.t === a.id)).toBe(true);
      expect(asA.rowCount).toBe(asA.rows.length);
      // The same query as tenant B: B's rows only, never A's.
      const asB = await db.read({ tenantId: b.id }, (c) => c.query<{ t: string }>(sql, ['%']), {
        plan: 'generic',
      });
      expect(asB.rows.length).toBeGreaterThan(0);
      expect(asB.rows.every((r) => r.t === b.id)).toBe(true);
      // The settings ended with the implicit transaction.
      const after = await one.query<{ t: string | null; u: string | null; ro: string; plan: string }>(
        `SELECT current_setting('inosec.tenant_id', true) AS t, current_setting('inosec.user_id', true) AS u,
                current_setting('transaction_read_only') AS ro, current_setting('plan_cache_mode') AS plan`,
      );
      expect(after.rows[0]).toEqual({ t: '', u: '', ro: 'off', plan: 'auto' });
      // Parsers as pg's own queries: a timestamptz arrives as a Date, an int as a number, arrays as arrays.
      const typed = await db.read({ tenantId: a.id }, (c) =>
        c.query<{ at: Date; n: number; xs: string[] }>(
          "SELECT now() AS at, 7::int AS n, ARRAY['x', 'y'] AS xs",
        ),
      );
      expect(typed.rows[0]?.at).toBeInstanceOf(Date);
      expect(typed.rows[0]).toMatchObject({ n: 7, xs: ['x', 'y'] });
    } finally {
      await one.end();
    }
  });

  it('refuses writes, reports SQL errors, and the connection goes on serving', async () => {
    const one = onePool();
    const db = new TenantDb(one);
    try {
      await expect(
        db.read({ tenantId: a.id }, (c) =>
          c.query(`UPDATE inosec.users SET display_name = 'x' WHERE id = $1`, [aliceA.id]),
        ),
      ).rejects.toThrow(/read-only transaction/);
      const name = await h.admin.query<{ display_name: string }>(
        'SELECT display_name FROM inosec.users WHERE id = $1',
        [aliceA.id],
      );
      expect(name.rows[0]?.display_name).not.toBe('x');
      // The same failing statement twice (it fails after its Parse: the second attempt must not trip over
      // the first's prepared statement), then statements prepared once and reused.
      for (let i = 0; i < 2; i++) {
        await expect(db.read({ tenantId: a.id }, (c) => c.query('SELECT 1/0'))).rejects.toMatchObject({
          code: '22012',
        });
      }
      const listPrepared = "SELECT name FROM pg_prepared_statements WHERE name LIKE 'inosec_%' ORDER BY name";
      for (let i = 0; i < 3; i++) {
        const prepared = await db.read({ tenantId: a.id }, (c) => c.query<{ name: string }>(listPrepared));
        // The scope, the refused UPDATE, the failed division and this one: each prepared once, whatever the
        // number of runs.
        expect(prepared.rows.map((r) => r.name)).toHaveLength(4);
        expect(prepared.rows.map((r) => r.name)).toContain('inosec_scope');
      }
      await expect(
        db.read({ tenantId: a.id }, (c) => c.query('SELECT $1::uuid', ['not-a-uuid'])),
      ).rejects.toMatchObject({ code: '22P02' });
      // Several statements in one read, each its own round trip, all scoped.
      const [x, y] = await db.read({ tenantId: a.id }, async (c) => [
        await c.query<{ t: string }>("SELECT current_setting('inosec.tenant_id') AS t"),
        await c.query<{ n: number }>('SELECT count(*)::int AS n FROM inosec.tenants'),
      ]);
      expect(x?.rows[0]?.t).toBe(a.id);
      expect(y?.rows[0]?.n).toBe(1);
      // A scope that is not a UUID never reaches SQL.
      await expect(db.read({ tenantId: "x'; --" }, (c) => c.query('SELECT 1'))).rejects.toThrow(
        /tenantId must be a UUID/,
      );
      // A value pg cannot serialise: a clear error, and the connection stays in step.
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      await expect(
        db.read({ tenantId: a.id }, (c) => c.query('SELECT $1::jsonb AS j', [circular])),
      ).rejects.toThrow(/circular/i);
      const still = await db.read({ tenantId: a.id }, (c) => c.query<{ n: number }>('SELECT 2 AS n'));
      expect(still.rows).toEqual([{ n: 2 }]);
    } finally {
      await one.end();
    }
  });
});
