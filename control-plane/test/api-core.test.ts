// The API's common ground against a real PostgreSQL and server: the OpenAPI document, problem+json errors,
// security headers, and Row Level Security on the identity tables for a query that forgets its WHERE.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPrincipal } from '../src/auth/principal.repository.js';
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
