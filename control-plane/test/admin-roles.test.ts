// Roles, the permission catalogue and the tenant settings against a real PostgreSQL and control plane:
// catalogue validation, builtin roles fixed, no privilege escalation, changes reaching holders at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS } from '../src/auth/permissions.js';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';
import { auditRows, expectProblem } from './support/admin.js';

interface Role {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
  userCount: number;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Tenant {
  id: string;
  slug: string;
  name: string;
  status: string;
  selfRegistration: boolean;
  allowedEmailDomains: string[];
}

let h: ApiHarness;
let a: SeededTenant;
let b: SeededTenant;
let adminA: SeededUser;
let tokenA: string;
let viewerToken: string;
let roleManager: SeededUser;
let roleManagerToken: string;
let tokenB: string;

beforeAll(async () => {
  h = await startApiHarness();
  a = await h.seedTenant('roles-a');
  b = await h.seedTenant('roles-b');
  adminA = await h.seedUser(a, { roles: ['admin'] });
  tokenA = await h.tokenFor(adminA);
  viewerToken = await h.tokenFor(await h.seedUser(a, { roles: ['viewer'] }));
  const { rows } = await h.admin.query<{ id: string }>(
    `INSERT INTO inosec.roles (tenant_id, name, permissions) VALUES ($1, 'role-manager', '{roles:read,roles:write,alerts:read}') RETURNING id`,
    [a.id],
  );
  a.roles['role-manager'] = rows[0]!.id;
  roleManager = await h.seedUser(a, { roles: ['role-manager'] });
  roleManagerToken = await h.tokenFor(roleManager);
  tokenB = await h.tokenFor(await h.seedUser(b, { roles: ['admin'] }));
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('GET /api/permissions', () => {
  it('returns the whole catalogue with descriptions; 401 and 403 otherwise', async () => {
    const res = await h.request<{ items: Array<{ name: string; description: string }> }>(
      'GET',
      '/api/permissions',
      {
        token: roleManagerToken,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((p) => p.name)).toEqual(ALL_PERMISSIONS);
    expect(res.body.items.every((p) => p.description.length > 5)).toBe(true);
    expectProblem(await h.request('GET', '/api/permissions'), 401);
    expectProblem(await h.request('GET', '/api/permissions', { token: viewerToken }), 403);
  });
});

describe('roles', () => {
  it('lists the tenant roles (builtin and custom) with holder counts, paginated', async () => {
    const res = await h.request<Page<Role>>('GET', '/api/roles', { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.body.items.map((r) => r.name)).toEqual([
      'admin',
      'analyst',
      'fleet-operator',
      'role-manager',
      'viewer',
    ]);
    expect(res.body.items.find((r) => r.name === 'admin')).toMatchObject({ builtin: true, userCount: 1 });
    const p1 = await h.request<Page<Role>>('GET', '/api/roles?limit=3', { token: tokenA });
    const p2 = await h.request<Page<Role>>('GET', `/api/roles?limit=3&cursor=${p1.body.nextCursor}`, {
      token: tokenA,
    });
    expect([...p1.body.items, ...p2.body.items].map((r) => r.name)).toEqual(
      res.body.items.map((r) => r.name),
    );
    expect(p2.body.nextCursor).toBeNull();
    expectProblem(await h.request('GET', '/api/roles?limit=x', { token: tokenA }), 400);
    expectProblem(await h.request('GET', '/api/roles'), 401);
    expectProblem(await h.request('GET', '/api/roles', { token: viewerToken }), 403);
    const one = await h.request<Role>('GET', `/api/roles/${a.roles['viewer']}`, { token: tokenA });
    expect(one.body).toMatchObject({ name: 'viewer', builtin: true });
    expectProblem(await h.request('GET', `/api/roles/${b.roles['viewer']}`, { token: tokenA }), 404);
  });

  it('creates a role from the catalogue, audited; 400 names an unknown permission; 409 on a taken name', async () => {
    const res = await h.request<Role>('POST', '/api/roles', {
      token: tokenA,
      body: {
        name: 'triage',
        description: 'Alert triage',
        permissions: ['alerts:write', 'alerts:read', 'alerts:read'],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'triage',
      permissions: ['alerts:read', 'alerts:write'],
      builtin: false,
      userCount: 0,
    });
    expect((await auditRows(h, a.id, 'role.create')).at(-1)).toMatchObject({
      resource_id: res.body.id,
      actor_id: adminA.id,
    });
    const unknown = await h.request<{ errors: Array<{ path: string; message: string }> }>(
      'POST',
      '/api/roles',
      {
        token: tokenA,
        body: { name: 'bad', permissions: ['alerts:read', 'alerts:delete'] },
      },
    );
    expectProblem(unknown, 400);
    expect(unknown.body.errors).toEqual([
      { path: 'body.permissions.1', message: 'unknown permission "alerts:delete"' },
    ]);
    expectProblem(
      await h.request('POST', '/api/roles', { token: tokenA, body: { name: 'Bad Name', permissions: [] } }),
      400,
    );
    expectProblem(
      await h.request('POST', '/api/roles', {
        token: tokenA,
        body: { name: 'x', permissions: [], builtin: true },
      }),
      400,
    );
    expectProblem(
      await h.request('POST', '/api/roles', { token: tokenA, body: { name: 'triage', permissions: [] } }),
      409,
      'role_name_taken',
    );
    expectProblem(
      await h.request('POST', '/api/roles', { token: tokenA, body: { name: 'admin', permissions: [] } }),
      409,
    );
    expectProblem(await h.request('POST', '/api/roles', { body: { name: 'z', permissions: [] } }), 401);
    expectProblem(
      await h.request('POST', '/api/roles', { token: viewerToken, body: { name: 'z', permissions: [] } }),
      403,
      'missing_permission',
    );
    // The same name in another tenant is fine.
    expect(
      (await h.request('POST', '/api/roles', { token: tokenB, body: { name: 'triage', permissions: [] } }))
        .status,
    ).toBe(201);
  });

  it('refuses to create or extend a role with permissions the caller lacks, audited as denied', async () => {
    const res = await h.request<{ detail: string }>('POST', '/api/roles', {
      token: roleManagerToken,
      body: { name: 'mine', permissions: ['alerts:read', 'users:write'] },
    });
    expectProblem(res, 403, 'privilege_escalation');
    expect(res.body.detail).toContain('users:write');
    expect((await auditRows(h, a.id, 'role.create')).at(-1)).toMatchObject({
      outcome: 'denied',
      actor_id: roleManager.id,
    });
    // Near miss: within its own permissions.
    const own = await h.request<Role>('POST', '/api/roles', {
      token: roleManagerToken,
      body: { name: 'mine', permissions: ['alerts:read'] },
    });
    expect(own.status).toBe(201);
    // It may not add to its own role what it lacks.
    expectProblem(
      await h.request('PATCH', `/api/roles/${a.roles['role-manager']}`, {
        token: roleManagerToken,
        body: { permissions: ['roles:read', 'roles:write', 'alerts:read', 'audit:read'] },
      }),
      403,
      'privilege_escalation',
    );
    const unchanged = await h.admin.query<{ permissions: string[] }>(
      `SELECT permissions FROM inosec.roles WHERE id = $1`,
      [a.roles['role-manager']],
    );
    expect(unchanged.rows[0]!.permissions).toEqual(['roles:read', 'roles:write', 'alerts:read']);
  });

  it('a role change reaches its holders on their next request; deleting a role removes it from them', async () => {
    const role = await h.request<Role>('POST', '/api/roles', {
      token: tokenA,
      body: { name: 'auditor', permissions: ['tenant:read'] },
    });
    const holder = await h.seedUser(a, { roles: [] });
    await h.admin.query(`INSERT INTO inosec.user_roles (tenant_id, user_id, role_id) VALUES ($1, $2, $3)`, [
      a.id,
      holder.id,
      role.body.id,
    ]);
    const holderToken = await h.tokenFor(holder);
    expectProblem(await h.request('GET', '/api/audit', { token: holderToken }), 403); // caches the principal
    const updated = await h.request<Role>('PATCH', `/api/roles/${role.body.id}`, {
      token: tokenA,
      body: { permissions: ['tenant:read', 'audit:read'], description: 'Reads the audit log' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ permissions: ['audit:read', 'tenant:read'], userCount: 1 });
    expect((await h.request('GET', '/api/audit', { token: holderToken })).status).toBe(200);
    expect((await auditRows(h, a.id, 'role.update')).at(-1)!.details).toMatchObject({
      added: ['audit:read'],
      removed: [],
    });
    const renamed = await h.request<Role>('PATCH', `/api/roles/${role.body.id}`, {
      token: tokenA,
      body: { name: 'auditors' },
    });
    expect(renamed.body.name).toBe('auditors');
    expectProblem(
      await h.request('PATCH', `/api/roles/${role.body.id}`, { token: tokenA, body: { name: 'viewer' } }),
      409,
    );
    const del = await h.request('DELETE', `/api/roles/${role.body.id}`, { token: tokenA });
    expect(del.status).toBe(204);
    expectProblem(await h.request('GET', '/api/audit', { token: holderToken }), 403);
    expect((await auditRows(h, a.id, 'role.delete')).at(-1)!.details).toMatchObject({
      name: 'auditors',
      holders: 1,
    });
    expectProblem(await h.request('GET', `/api/roles/${role.body.id}`, { token: tokenA }), 404);
  });

  it('builtin roles cannot be changed or deleted (409)', async () => {
    expectProblem(
      await h.request('PATCH', `/api/roles/${a.roles['viewer']}`, {
        token: tokenA,
        body: { description: 'x' },
      }),
      409,
      'builtin_role',
    );
    expectProblem(
      await h.request('DELETE', `/api/roles/${a.roles['admin']}`, { token: tokenA }),
      409,
      'builtin_role',
    );
    const still = await h.admin.query<{ description: string }>(
      `SELECT description FROM inosec.roles WHERE id = $1`,
      [a.roles['viewer']],
    );
    expect(still.rows[0]!.description).not.toBe('x');
  });

  it('update and delete: 400, 401, 403, 404 for another tenant (unchanged)', async () => {
    const custom = await h.request<Role>('POST', '/api/roles', {
      token: tokenB,
      body: { name: 'b-only', permissions: ['alerts:read'] },
    });
    expectProblem(
      await h.request('PATCH', `/api/roles/${custom.body.id}`, {
        token: tokenA,
        body: { description: 'mine' },
      }),
      404,
    );
    expectProblem(await h.request('DELETE', `/api/roles/${custom.body.id}`, { token: tokenA }), 404);
    expect(
      (await h.admin.query(`SELECT description FROM inosec.roles WHERE id = $1`, [custom.body.id])).rows,
    ).toEqual([{ description: '' }]);
    expectProblem(await h.request('PATCH', `/api/roles/${custom.body.id}`, { token: tokenB, body: {} }), 400);
    expectProblem(
      await h.request('PATCH', `/api/roles/${custom.body.id}`, {
        token: tokenB,
        body: { permissions: ['root'] },
      }),
      400,
    );
    expectProblem(
      await h.request('PATCH', `/api/roles/${custom.body.id}`, { body: { description: 'x' } }),
      401,
    );
    expectProblem(
      await h.request('PATCH', `/api/roles/${custom.body.id}`, {
        token: viewerToken,
        body: { description: 'x' },
      }),
      403,
    );
    expectProblem(await h.request('DELETE', `/api/roles/${custom.body.id}`, { token: viewerToken }), 403);
    expectProblem(await h.request('DELETE', `/api/roles/${custom.body.id}`), 401);
    expectProblem(await h.request('DELETE', '/api/roles/nope', { token: tokenA }), 400);
  });

  it('a role manager cannot delete a role carrying permissions it lacks', async () => {
    const admin2 = await h.request<Role>('POST', '/api/roles', {
      token: tokenA,
      body: { name: 'user-admins', permissions: ['users:read', 'users:write'] },
    });
    expectProblem(
      await h.request('DELETE', `/api/roles/${admin2.body.id}`, { token: roleManagerToken }),
      403,
      'privilege_escalation',
    );
    expect((await h.admin.query(`SELECT 1 FROM inosec.roles WHERE id = $1`, [admin2.body.id])).rowCount).toBe(
      1,
    );
  });
});

describe('tenant settings', () => {
  it('reads and changes the own tenant, audited with what changed', async () => {
    const res = await h.request<Tenant>('GET', '/api/tenant', { token: viewerToken });
    expect(res.body).toMatchObject({
      id: a.id,
      slug: 'roles-a',
      status: 'active',
      selfRegistration: false,
      allowedEmailDomains: [],
    });
    const changed = await h.request<Tenant>('PATCH', '/api/tenant', {
      token: tokenA,
      body: {
        name: 'Roles A Inc',
        selfRegistration: true,
        allowedEmailDomains: ['Example.COM', 'corp.example.com', 'example.com'],
      },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'Roles A Inc',
      selfRegistration: true,
      allowedEmailDomains: ['corp.example.com', 'example.com'],
    });
    const audit = (await auditRows(h, a.id, 'tenant.update')).at(-1)!;
    expect(audit.details).toMatchObject({
      changes: {
        name: { from: 'Tenant roles-a', to: 'Roles A Inc' },
        selfRegistration: { from: false, to: true },
      },
    });
    const other = await h.request<Tenant>('GET', '/api/tenant', { token: tokenB });
    expect(other.body).toMatchObject({ id: b.id, selfRegistration: false });
  });

  it('400 on bad settings, 401, 403 without tenant:write / tenant:read', async () => {
    expectProblem(await h.request('PATCH', '/api/tenant', { token: tokenA, body: {} }), 400);
    expectProblem(
      await h.request('PATCH', '/api/tenant', {
        token: tokenA,
        body: { allowedEmailDomains: ['not a domain'] },
      }),
      400,
    );
    expectProblem(await h.request('PATCH', '/api/tenant', { token: tokenA, body: { name: '' } }), 400);
    expectProblem(
      await h.request('PATCH', '/api/tenant', { token: tokenA, body: { status: 'suspended' } }),
      400,
    );
    expectProblem(await h.request('PATCH', '/api/tenant', { token: tokenA, body: { slug: 'x' } }), 400);
    expectProblem(await h.request('PATCH', '/api/tenant', { body: { name: 'x' } }), 401);
    expectProblem(await h.request('GET', '/api/tenant'), 401);
    expectProblem(
      await h.request('PATCH', '/api/tenant', { token: viewerToken, body: { name: 'x' } }),
      403,
      'missing_permission',
    );
    expectProblem(await h.request('GET', '/api/tenant', { token: roleManagerToken }), 403);
  });
});
