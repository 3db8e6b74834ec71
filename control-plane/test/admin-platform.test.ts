// Platform (super admin) operations against a real PostgreSQL, SMTP server and control plane: tenant creation
// with builtin roles and a mailed invitation, suspension that blocks the tenant's users at once and
// re-activation that lets them back, the audit in both chains, and tenant admins kept out.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../src/auth/permissions.js';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';
import { auditRows, expectProblem, inviteLink } from './support/admin.js';

interface Tenant {
  id: string;
  slug: string;
  name: string;
  status: string;
  statusReason: string | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

let h: ApiHarness;
let ops: SeededTenant;
let superAdmin: SeededUser;
let superToken: string;
let customer: SeededTenant;
let customerAdmin: SeededUser;
let customerToken: string;

beforeAll(async () => {
  h = await startApiHarness();
  ops = await h.seedTenant('platform-ops');
  superAdmin = await h.seedUser(ops, { roles: ['admin'], superAdmin: true });
  superToken = await h.tokenFor(superAdmin);
  customer = await h.seedTenant('customer-one');
  customerAdmin = await h.seedUser(customer, { roles: ['admin'] });
  customerToken = await h.tokenFor(customerAdmin);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('tenant admins are kept out of the platform', () => {
  it('a tenant admin without superAdmin gets 403 on every platform route, and creates nothing', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/platform/tenants'],
      ['POST', '/api/platform/tenants', { slug: 'sibling', name: 'Sibling', adminEmail: 'a@sibling.test' }],
      ['GET', `/api/platform/tenants/${customer.id}`],
      ['PATCH', `/api/platform/tenants/${ops.id}`, { status: 'suspended', reason: 'takeover' }],
      ['GET', '/api/platform/audit'],
    ];
    for (const [method, path, body] of routes) {
      expectProblem(await h.request(method, path, { token: customerToken, body }), 403);
      expectProblem(await h.request(method, path, { body }), 401);
    }
    expect((await h.admin.query(`SELECT 1 FROM inosec.tenants WHERE slug = 'sibling'`)).rowCount).toBe(0);
    const ops1 = await h.admin.query(`SELECT status FROM inosec.tenants WHERE id = $1`, [ops.id]);
    expect(ops1.rows).toEqual([{ status: 'active' }]);
  });

  it('the database refuses the platform functions to a non-super-admin even if a route forgot to', async () => {
    await expect(
      h.app.query('SELECT * FROM inosec.platform_list_tenants($1)', [customerAdmin.id]),
    ).rejects.toThrow(/not a super admin/);
  });
});

describe('POST /api/platform/tenants', () => {
  it('creates the tenant, its builtin roles and an invited admin, mails the link, audits both chains', async () => {
    const res = await h.request<{
      tenant: Tenant;
      admin: { id: string; email: string };
      invitationSent: boolean;
    }>('POST', '/api/platform/tenants', {
      token: superToken,
      body: { slug: 'acme', name: 'ACME Corp', adminEmail: 'Boss@Acme.test' },
    });
    expect(res.status).toBe(201);
    expect(res.body.tenant).toMatchObject({ slug: 'acme', name: 'ACME Corp', status: 'active' });
    expect(res.body.admin.email).toBe('boss@acme.test');
    expect(res.body.invitationSent).toBe(true);
    const tenantId = res.body.tenant.id;
    const roles = await h.admin.query<{ name: string; builtin: boolean }>(
      `SELECT name, builtin FROM inosec.roles WHERE tenant_id = $1 ORDER BY name`,
      [tenantId],
    );
    expect(roles.rows.map((r) => r.name)).toEqual(BUILTIN_ROLES.map((r) => r.name).sort());
    expect(roles.rows.every((r) => r.builtin)).toBe(true);
    const user = await h.admin.query(
      `SELECT u.status, u.password_hash, r.name AS role FROM inosec.users u
         JOIN inosec.user_roles ur ON ur.user_id = u.id JOIN inosec.roles r ON r.id = ur.role_id WHERE u.id = $1`,
      [res.body.admin.id],
    );
    expect(user.rows).toEqual([{ status: 'invited', password_hash: null, role: 'admin' }]);
    const mail = await h.nextMail('boss@acme.test');
    const { token } = inviteLink(mail.text);
    expect(token.startsWith(`${tenantId}.`)).toBe(true);
    expect(mail.text).toContain('acme');
    const platform = await auditRows(h, null, 'tenant.create');
    expect(platform.at(-1)).toMatchObject({
      actor_id: superAdmin.id,
      resource_id: tenantId,
      outcome: 'success',
    });
    const own = await auditRows(h, tenantId, 'tenant.create');
    expect(own).toHaveLength(1);
    expect((await auditRows(h, tenantId, 'user.invite'))[0]).toMatchObject({
      resource_id: res.body.admin.id,
    });
  });

  it('409 on a taken slug (nothing half-made), 400 on bad input', async () => {
    const before = await h.admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM inosec.roles`);
    expectProblem(
      await h.request('POST', '/api/platform/tenants', {
        token: superToken,
        body: { slug: 'acme', name: 'Again', adminEmail: 'x@acme.test' },
      }),
      409,
      'slug_taken',
    );
    const after = await h.admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM inosec.roles`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    for (const body of [
      { slug: 'Bad Slug', name: 'x', adminEmail: 'a@b.test' },
      { slug: 'ok-slug', name: '', adminEmail: 'a@b.test' },
      { slug: 'ok-slug', name: 'x', adminEmail: 'not-mail' },
      { slug: 'ok-slug', name: 'x', adminEmail: 'a@b.test', status: 'active' },
      { slug: 'ok-slug', name: 'x' },
    ]) {
      expectProblem(await h.request('POST', '/api/platform/tenants', { token: superToken, body }), 400);
    }
  });
});

describe('GET /api/platform/tenants', () => {
  it('lists every tenant with filters and a cursor; one by id; 404 for an unknown id', async () => {
    const all = await h.request<Page<Tenant>>('GET', '/api/platform/tenants', { token: superToken });
    expect(all.status).toBe(200);
    expect(all.body.items.map((t) => t.slug)).toEqual(
      expect.arrayContaining(['acme', 'customer-one', 'platform-ops']),
    );
    const p1 = await h.request<Page<Tenant>>('GET', '/api/platform/tenants?limit=1', { token: superToken });
    const p2 = await h.request<Page<Tenant>>(
      'GET',
      `/api/platform/tenants?limit=1&cursor=${p1.body.nextCursor}`,
      {
        token: superToken,
      },
    );
    expect(p2.body.items[0]!.slug > p1.body.items[0]!.slug).toBe(true);
    const q = await h.request<Page<Tenant>>('GET', '/api/platform/tenants?q=CUSTOMER', { token: superToken });
    expect(q.body.items.map((t) => t.slug)).toEqual(['customer-one']);
    expectProblem(await h.request('GET', '/api/platform/tenants?status=deleted', { token: superToken }), 400);
    const one = await h.request<Tenant>('GET', `/api/platform/tenants/${customer.id}`, { token: superToken });
    expect(one.body.slug).toBe('customer-one');
    expectProblem(
      await h.request('GET', `/api/platform/tenants/${randomUUID()}`, { token: superToken }),
      404,
    );
    expectProblem(await h.request('GET', '/api/platform/tenants/abc', { token: superToken }), 400);
  });
});

describe('PATCH /api/platform/tenants/:id', () => {
  it('suspension blocks the tenant users at once (401 tenant_inactive) and re-activation lets them back', async () => {
    expect((await h.request('GET', '/api/users', { token: customerToken })).status).toBe(200); // cached as active
    const res = await h.request<Tenant>('PATCH', `/api/platform/tenants/${customer.id}`, {
      token: superToken,
      body: { status: 'suspended', reason: 'unpaid invoice' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'suspended', statusReason: 'unpaid invoice' });
    expectProblem(await h.request('GET', '/api/users', { token: customerToken }), 401, 'tenant_inactive');
    // Its data is kept.
    expect(
      (await h.admin.query(`SELECT 1 FROM inosec.users WHERE tenant_id = $1`, [customer.id])).rowCount,
    ).toBe(1);
    // Agent ingest is refused through the function the collector asks.
    const ingest = await h.admin.query(`SELECT inosec.tenant_ingest_allowed($1) AS allowed`, [customer.id]);
    expect(ingest.rows).toEqual([{ allowed: false }]);
    const back = await h.request<Tenant>('PATCH', `/api/platform/tenants/${customer.id}`, {
      token: superToken,
      body: { status: 'active' },
    });
    expect(back.body.status).toBe('active');
    expect((await h.request('GET', '/api/users', { token: customerToken })).status).toBe(200);
    expect(
      (await h.admin.query(`SELECT inosec.tenant_ingest_allowed($1) AS allowed`, [customer.id])).rows,
    ).toEqual([{ allowed: true }]);
    const platform = await auditRows(h, null, 'tenant.status');
    expect(platform.slice(-2).map((r) => r.details['to'])).toEqual(['suspended', 'active']);
    const own = await auditRows(h, customer.id, 'tenant.status');
    expect(own.map((r) => [r.details['from'], r.details['to'], r.actor_id])).toEqual([
      ['active', 'suspended', superAdmin.id],
      ['suspended', 'active', superAdmin.id],
    ]);
  });

  it('archiving needs a reason; the own tenant cannot be suspended; 404 unknown; 400 bad status', async () => {
    expectProblem(
      await h.request('PATCH', `/api/platform/tenants/${customer.id}`, {
        token: superToken,
        body: { status: 'archived' },
      }),
      400,
    );
    expectProblem(
      await h.request('PATCH', `/api/platform/tenants/${customer.id}`, {
        token: superToken,
        body: { status: 'deleted', reason: 'x' },
      }),
      400,
    );
    expectProblem(
      await h.request('PATCH', `/api/platform/tenants/${ops.id}`, {
        token: superToken,
        body: { status: 'suspended', reason: 'oops' },
      }),
      409,
      'own_tenant',
    );
    expectProblem(
      await h.request('PATCH', `/api/platform/tenants/${randomUUID()}`, {
        token: superToken,
        body: { status: 'suspended', reason: 'x' },
      }),
      404,
    );
    expect(
      (await h.admin.query(`SELECT status FROM inosec.tenants WHERE id = $1`, [customer.id])).rows,
    ).toEqual([{ status: 'active' }]);
  });
});

describe('GET /api/platform/audit', () => {
  it('pages the platform chain newest first; tenants never see it', async () => {
    const page = await h.request<Page<{ id: number; action: string; tenantId: string | null }>>(
      'GET',
      '/api/platform/audit?limit=2',
      { token: superToken },
    );
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items.every((e) => e.tenantId === null)).toBe(true);
    expect(page.body.items[0]!.id).toBeGreaterThan(page.body.items[1]!.id);
    const next = await h.request<Page<{ id: number }>>(
      'GET',
      `/api/platform/audit?limit=2&cursor=${page.body.nextCursor}`,
      {
        token: superToken,
      },
    );
    expect(next.body.items[0]!.id).toBeLessThan(page.body.items[1]!.id);
    expectProblem(await h.request('GET', '/api/platform/audit?limit=5000', { token: superToken }), 400);
    const tenantView = await h.request<Page<{ tenantId: string }>>('GET', '/api/audit', {
      token: customerToken,
    });
    expect(tenantView.body.items.every((e) => e.tenantId === customer.id)).toBe(true);
  });
});
