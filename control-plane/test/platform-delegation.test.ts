// The tenant switcher against a real PostgreSQL and control plane: a platform operator (super admin) enters a
// customer tenant and works there as its delegate user under the tenant's Row Level Security; the session ends
// with the operator's own, with its super-admin flag, or when the tenant's administrators disable it; the
// delegate cannot sign in, reset or change credentials on its own; every entry is audited in both chains.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';
import { auditRows, expectProblem } from './support/admin.js';
import { insertAlerts } from './support/alerts-fixtures.js';

interface Entered {
  accessToken: string;
  refreshToken: string;
  user: { id: string; tenantId: string; email: string };
  tenant: { id: string; slug: string; name: string };
}
interface Me {
  user: { id: string; email: string };
  tenant: { id: string; slug: string };
  permissions: string[];
  superAdmin: boolean;
  platformOperator: boolean;
}
interface UserItem {
  id: string;
  email: string;
  status: string;
  platformOperator: boolean;
  roles: Array<{ name: string }>;
}

let h: ApiHarness;
let ops: SeededTenant;
let operator: SeededUser;
let customer: SeededTenant;
let customerAdmin: SeededUser;
let customerToken: string;
let opsAlerts: string[];
let customerAlerts: string[];

async function enter(token: string, tenantId = customer.id): Promise<Entered> {
  const res = await h.request<Entered>('POST', `/api/platform/tenants/${tenantId}/enter`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function alertIds(token: string): Promise<string[]> {
  const res = await h.request<{ items: Array<{ id: string }> }>('GET', '/api/alerts?limit=200', { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items.map((a) => a.id).sort();
}

/** The access token is refused within a few seconds (the principal cache drops on NOTIFY). */
async function expectEnded(token: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await h.request('GET', '/api/auth/me', { token });
    if (res.status === 401) return expectProblem(res, 401, 'session_ended');
    if (Date.now() > deadline) throw new Error(`still ${res.status} after 5 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  h = await startApiHarness();
  ops = await h.seedTenant('msp-ops');
  operator = await h.seedUser(ops, { roles: ['admin'], superAdmin: true, email: 'oper@msp.test' });
  customer = await h.seedTenant('plant-co');
  customerAdmin = await h.seedUser(customer, { roles: ['admin'], email: 'boss@plant.test' });
  customerToken = await h.tokenFor(customerAdmin);
  opsAlerts = (await insertAlerts(h, ops.id, 3, { host: 'ops-host' })).sort();
  customerAlerts = (await insertAlerts(h, customer.id, 4, { host: 'plant-host' })).sort();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('entering a tenant', () => {
  it("works inside the customer's tenant as a delegate admin: its data only, no platform powers", async () => {
    const home = await h.tokenFor(operator);
    expect(await alertIds(home)).toEqual(opsAlerts);

    const entered = await enter(home);
    expect(entered.tenant).toEqual({ id: customer.id, slug: 'plant-co', name: expect.any(String) });
    expect(entered.user.tenantId).toBe(customer.id);
    expect(entered.user.id).not.toBe(operator.id);
    expect(entered.user.email).toBe('oper@msp.test');

    expect(await alertIds(entered.accessToken)).toEqual(customerAlerts);
    for (const id of opsAlerts) {
      expectProblem(await h.request('GET', `/api/alerts/${id}`, { token: entered.accessToken }), 404);
    }
    const me = await h.request<Me>('GET', '/api/auth/me', { token: entered.accessToken });
    expect(me.body.tenant).toEqual({ id: customer.id, slug: 'plant-co', name: expect.any(String) });
    expect(me.body.superAdmin).toBe(false);
    expect(me.body.platformOperator).toBe(true);
    expect(me.body.permissions).toContain('users:write');
    // No platform powers inside the tenant, and none of the operator's own credentials to change.
    expectProblem(await h.request('GET', '/api/platform/tenants', { token: entered.accessToken }), 403);
    expectProblem(
      await h.request('POST', `/api/platform/tenants/${ops.id}/enter`, { token: entered.accessToken }),
      403,
    );
    expectProblem(
      await h.request('POST', '/api/auth/totp/enroll', { token: entered.accessToken }),
      403,
      'platform_operator',
    );
    expectProblem(
      await h.request('POST', '/api/auth/password/change', {
        token: entered.accessToken,
        body: { currentPassword: operator.password, newPassword: 'another long passphrase 42' },
      }),
      403,
      'platform_operator',
    );
    // The operator's home session is untouched.
    expect(await alertIds(home)).toEqual(opsAlerts);

    // The tenant's administrators see who works in their tenant.
    const users = await h.request<{ items: UserItem[] }>('GET', '/api/users?limit=100', {
      token: customerToken,
    });
    const delegate = users.body.items.find((u) => u.id === entered.user.id);
    expect(delegate).toMatchObject({ email: 'oper@msp.test', status: 'active', platformOperator: true });
    expect(delegate?.roles.map((r) => r.name)).toEqual(['admin']);
    expect(users.body.items.find((u) => u.id === customerAdmin.id)?.platformOperator).toBe(false);

    // Acting inside lands in the tenant's audit chain under the delegate.
    const acked = await h.request('POST', `/api/alerts/${customerAlerts[0]}/acknowledge`, {
      token: entered.accessToken,
    });
    expect(acked.status, JSON.stringify(acked.body)).toBe(200);
    const ackRows = await auditRows(h, customer.id, 'alert.acknowledge');
    expect(ackRows.map((r) => r.actor_id)).toEqual([entered.user.id]);
  });

  it('is audited in the platform chain and in the tenant chain, and re-entering reuses one delegate', async () => {
    const before = await auditRows(h, customer.id, 'platform.tenant_enter');
    const first = await enter(await h.tokenFor(operator));
    const second = await enter(await h.tokenFor(operator));
    expect(second.user.id).toBe(first.user.id);
    const { rows } = await h.admin.query(
      'SELECT count(*)::int AS n FROM inosec.users WHERE tenant_id = $1 AND delegate_of = $2',
      [customer.id, operator.id],
    );
    expect(rows).toEqual([{ n: 1 }]);

    const tenantChain = (await auditRows(h, customer.id, 'platform.tenant_enter')).slice(before.length);
    expect(tenantChain).toHaveLength(2);
    expect(tenantChain[0]).toMatchObject({
      actor_id: first.user.id,
      resource_id: customer.id,
      outcome: 'success',
      details: { operatorId: operator.id, operatorEmail: 'oper@msp.test', operatorTenantId: ops.id },
    });
    const platformChain = await auditRows(h, null, 'platform.tenant_enter');
    expect(platformChain.filter((r) => r.resource_id === customer.id).length).toBeGreaterThanOrEqual(2);
    expect(platformChain.at(-1)).toMatchObject({ actor_id: operator.id, resource_id: customer.id });
    const verify = await h.request<{ ok: boolean }>('GET', '/api/audit/verify', { token: customerToken });
    expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);
  });

  it('refuses non-operators, unknown, own and inactive tenants with precise problems', async () => {
    const home = await h.tokenFor(operator);
    expectProblem(
      await h.request('POST', `/api/platform/tenants/${ops.id}/enter`, { token: customerToken }),
      403,
    );
    expectProblem(await h.request('POST', `/api/platform/tenants/${customer.id}/enter`), 401);
    expectProblem(
      await h.request('POST', '/api/platform/tenants/00000000-0000-4000-8000-000000000000/enter', {
        token: home,
      }),
      404,
    );
    expectProblem(
      await h.request('POST', `/api/platform/tenants/${ops.id}/enter`, { token: home }),
      409,
      'own_tenant',
    );
    const closed = await h.seedTenant('closed-co');
    await h.admin.query(`UPDATE inosec.tenants SET status = 'suspended' WHERE id = $1`, [closed.id]);
    expectProblem(
      await h.request('POST', `/api/platform/tenants/${closed.id}/enter`, { token: home }),
      409,
      'tenant_inactive',
    );
    // The database checks it again: a non-operator, or someone else's session, cannot enter.
    await expect(
      h.app.query('SELECT inosec.platform_enter_tenant($1, $2, $3)', [
        customerAdmin.id,
        '00000000-0000-4000-8000-000000000000',
        ops.id,
      ]),
    ).rejects.toThrow(/not a super admin/);
    const { rows } = await h.admin.query<{ id: string }>(
      'SELECT id::text FROM inosec.sessions WHERE user_id = $1 LIMIT 1',
      [customerAdmin.id],
    );
    await expect(
      h.app.query('SELECT inosec.platform_enter_tenant($1, $2, $3)', [operator.id, rows[0]!.id, customer.id]),
    ).rejects.toThrow(/not a super admin/);
  });
});

describe('the delegated session ends with its operator', () => {
  it("ends when the operator's own session ends: access and refresh refused", async () => {
    const home = await h.tokenFor(operator);
    const entered = await enter(home);
    expect((await h.request('GET', '/api/auth/me', { token: entered.accessToken })).status).toBe(200);
    expect((await h.request('POST', '/api/auth/logout', { token: home })).status).toBe(200);
    await expectEnded(entered.accessToken);
    expectProblem(
      await h.request('POST', '/api/auth/refresh', { body: { refreshToken: entered.refreshToken } }),
      401,
    );
  });

  it('ends when the operator loses the super-admin flag', async () => {
    const second = await h.seedUser(ops, { roles: ['admin'], superAdmin: true, email: 'second@msp.test' });
    const entered = await enter(await h.tokenFor(second));
    expect((await h.request('GET', '/api/auth/me', { token: entered.accessToken })).status).toBe(200);
    await h.admin.query('UPDATE inosec.users SET is_super_admin = false WHERE id = $1', [second.id]);
    await expectEnded(entered.accessToken);
  });

  it("the tenant's administrators can disable the delegate: its sessions end and it cannot enter again", async () => {
    const third = await h.seedUser(ops, { roles: ['admin'], superAdmin: true, email: 'third@msp.test' });
    const home = await h.tokenFor(third);
    const entered = await enter(home);
    const disabled = await h.request('PATCH', `/api/users/${entered.user.id}`, {
      token: customerToken,
      body: { status: 'disabled' },
    });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    await expectEnded(entered.accessToken);
    expectProblem(
      await h.request('POST', `/api/platform/tenants/${customer.id}/enter`, { token: home }),
      403,
      'operator_disabled',
    );
  });

  it('a delegate never counts as the tenant administrator the last-admin rule keeps', async () => {
    const lone = await h.seedTenant('lone-co');
    const loneAdmin = await h.seedUser(lone, { roles: ['admin'], email: 'only@lone.test' });
    const entered = await enter(await h.tokenFor(operator), lone.id);
    expectProblem(
      await h.request('PATCH', `/api/users/${loneAdmin.id}`, {
        token: entered.accessToken,
        body: { status: 'disabled' },
      }),
      409,
      'last_admin',
    );
    // …while changes that remove no administrator still work for the operator.
    const viewer = await h.seedUser(lone, { roles: ['viewer'], email: 'viewer@lone.test' });
    const changed = await h.request('PATCH', `/api/users/${viewer.id}`, {
      token: entered.accessToken,
      body: { status: 'disabled' },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  });
});

describe('a delegate has no credentials of its own', () => {
  it("cannot sign in to the tenant, and a reset request for the operator's address mails nothing", async () => {
    await enter(await h.tokenFor(operator));
    expectProblem(
      await h.request('POST', '/api/auth/login', {
        body: { tenant: 'plant-co', email: 'oper@msp.test', password: operator.password },
      }),
      401,
    );
    const mailsBefore = h.mails.length;
    const forgot = await h.request('POST', '/api/auth/password/forgot', {
      body: { tenant: 'plant-co', email: 'oper@msp.test' },
    });
    expect(forgot.status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.mails.slice(mailsBefore).filter((m) => m.to.includes('oper@msp.test'))).toEqual([]);
    await expect(
      h.admin.query(
        `UPDATE inosec.users SET password_hash = '$argon2id$x' WHERE tenant_id = $1 AND delegate_of = $2`,
        [customer.id, operator.id],
      ),
    ).rejects.toThrow(/users_delegate_has_no_credentials/);
  });

  it("the tenant may still invite a real user with the operator's address: the delegate holds none", async () => {
    const res = await h.request<{ id: string }>('POST', '/api/users', {
      token: customerToken,
      body: { email: 'oper@msp.test', roleIds: [customer.roles['viewer']] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { rows } = await h.admin.query(
      'SELECT count(*)::int AS n FROM inosec.users WHERE tenant_id = $1 AND email = $2',
      [customer.id, 'oper@msp.test'],
    );
    expect(rows).toEqual([{ n: 2 }]);
  });
});
