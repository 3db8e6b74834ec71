// The users API against a real PostgreSQL, SMTP server and control plane: listing and filters, invitation
// with a real mail, status changes that end sessions, role grants with the RBAC guard rails (no privilege
// escalation, the last admin stays, nobody disables or deletes themselves), sessions, tenant isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';
import { auditRows, expectProblem, inviteLink } from './support/admin.js';

interface User {
  id: string;
  email: string;
  displayName: string;
  status: string;
  totpEnabled: boolean;
  lastLoginAt: string | null;
  roles: Array<{ id: string; name: string }>;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

let h: ApiHarness;
let a: SeededTenant;
let b: SeededTenant;
let adminA: SeededUser;
let tokenA: string;
let viewerToken: string;
let userManager: SeededUser;
let userManagerToken: string;
let otherB: SeededUser;
let tokenB: string;

beforeAll(async () => {
  h = await startApiHarness();
  a = await h.seedTenant('users-a');
  b = await h.seedTenant('users-b');
  adminA = await h.seedUser(a, { roles: ['admin'], email: 'admin@users-a.test' });
  tokenA = await h.tokenFor(adminA);
  viewerToken = await h.tokenFor(await h.seedUser(a, { roles: ['viewer'], email: 'viewer@users-a.test' }));
  // A custom role that may manage users but holds nothing else.
  const { rows } = await h.admin.query<{ id: string }>(
    `INSERT INTO inosec.roles (tenant_id, name, permissions) VALUES ($1, 'user-manager', '{users:read,users:write}') RETURNING id`,
    [a.id],
  );
  a.roles['user-manager'] = rows[0]!.id;
  userManager = await h.seedUser(a, { roles: ['user-manager'], email: 'manager@users-a.test' });
  userManagerToken = await h.tokenFor(userManager);
  otherB = await h.seedUser(b, { roles: ['admin'], email: 'admin@users-b.test' });
  tokenB = await h.tokenFor(otherB);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('GET /api/users', () => {
  it('lists the tenant users with roles, ordered by email, paginated by cursor', async () => {
    const first = await h.request<Page<User>>('GET', '/api/users?limit=2', { token: tokenA });
    expect(first.status).toBe(200);
    expect(first.body.items.map((u) => u.email)).toEqual(['admin@users-a.test', 'manager@users-a.test']);
    expect(first.body.items[0]!.roles.map((r) => r.name)).toEqual(['admin']);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await h.request<Page<User>>('GET', `/api/users?limit=2&cursor=${first.body.nextCursor}`, {
      token: tokenA,
    });
    expect(second.body.items.map((u) => u.email)).toEqual(['viewer@users-a.test']);
    expect(second.body.nextCursor).toBeNull();
    // Never another tenant's user.
    const all = await h.request<Page<User>>('GET', '/api/users?limit=200', { token: tokenA });
    expect(all.body.items.some((u) => u.email.endsWith('users-b.test'))).toBe(false);
  });

  it('filters by status, role and a search term (wildcards match literally)', async () => {
    const byRole = await h.request<Page<User>>('GET', `/api/users?roleId=${a.roles['viewer']}`, {
      token: tokenA,
    });
    expect(byRole.body.items.map((u) => u.email)).toEqual(['viewer@users-a.test']);
    const byQ = await h.request<Page<User>>('GET', '/api/users?q=MANAGER', { token: tokenA });
    expect(byQ.body.items.map((u) => u.email)).toEqual(['manager@users-a.test']);
    const wildcard = await h.request<Page<User>>('GET', '/api/users?q=%25', { token: tokenA });
    expect(wildcard.body.items).toEqual([]);
    const disabled = await h.request<Page<User>>('GET', '/api/users?status=disabled', { token: tokenA });
    expect(disabled.body.items).toEqual([]);
  });

  it('refuses bad input (400), no token (401), a missing permission (403), a forged cursor (400)', async () => {
    expectProblem(
      await h.request('GET', '/api/users?status=zombie', { token: tokenA }),
      400,
      'invalid_request',
    );
    expectProblem(await h.request('GET', '/api/users?limit=0', { token: tokenA }), 400);
    expectProblem(await h.request('GET', '/api/users?sort=email', { token: tokenA }), 400);
    expectProblem(await h.request('GET', '/api/users?cursor=bm9wZQ', { token: tokenA }), 400);
    expectProblem(await h.request('GET', '/api/users'), 401);
    expectProblem(await h.request('GET', '/api/users', { token: viewerToken }), 403, 'missing_permission');
  });
});

describe('GET /api/users/:id', () => {
  it('shows a user with roles, second factor and last login; 404 for another tenant, 400 for a bad id', async () => {
    await h.admin.query(`UPDATE inosec.users SET last_login_at = now() WHERE id = $1`, [adminA.id]);
    const res = await h.request<User>('GET', `/api/users/${adminA.id}`, { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: adminA.id,
      email: adminA.email,
      status: 'active',
      totpEnabled: false,
    });
    expect(res.body.lastLoginAt).not.toBeNull();
    expect(res.body).not.toHaveProperty('passwordHash');
    expectProblem(await h.request('GET', `/api/users/${otherB.id}`, { token: tokenA }), 404, 'not_found');
    expectProblem(await h.request('GET', '/api/users/not-a-uuid', { token: tokenA }), 400);
    expectProblem(await h.request('GET', `/api/users/${adminA.id}`), 401);
    expectProblem(await h.request('GET', `/api/users/${adminA.id}`, { token: viewerToken }), 403);
  });
});

describe('POST /api/users (invite)', () => {
  it('creates an invited user with the roles and mails a single-use link; audited', async () => {
    const res = await h.request<{ user: User; invitationSent: boolean }>('POST', '/api/users', {
      token: tokenA,
      body: { email: ' New.Analyst@Users-A.test ', displayName: 'Ana', roleIds: [a.roles['analyst']] },
    });
    expect(res.status).toBe(201);
    expect(res.body.invitationSent).toBe(true);
    expect(res.body.user).toMatchObject({
      email: 'new.analyst@users-a.test',
      status: 'invited',
      displayName: 'Ana',
    });
    expect(res.body.user.roles.map((r) => r.name)).toEqual(['analyst']);
    const mail = await h.nextMail('new.analyst@users-a.test');
    expect(mail.subject).toContain('invited');
    const { token } = inviteLink(mail.text);
    expect(token.startsWith(`${a.id}.`)).toBe(true);
    const stored = await h.admin.query(
      `SELECT purpose FROM inosec.user_tokens WHERE user_id = $1 AND used_at IS NULL AND expires_at > now() + interval '6 days'`,
      [res.body.user.id],
    );
    expect(stored.rows).toEqual([{ purpose: 'invite' }]);
    const audit = await auditRows(h, a.id, 'user.invite');
    expect(audit.at(-1)).toMatchObject({
      actor_id: adminA.id,
      resource_id: res.body.user.id,
      outcome: 'success',
    });
    expect(JSON.stringify(audit.at(-1)!.details)).not.toContain(token.split('.')[1]);

    // Resending replaces the link.
    const resend = await h.request<{ invitationSent: boolean }>(
      'POST',
      `/api/users/${res.body.user.id}/invite`,
      {
        token: tokenA,
      },
    );
    expect(resend.body).toEqual({ invitationSent: true });
    expect(inviteLink((await h.nextMail('new.analyst@users-a.test')).text).token).not.toBe(token);
    expectProblem(
      await h.request('POST', `/api/users/${adminA.id}/invite`, { token: tokenA }),
      409,
      'not_invited',
    );
    expectProblem(await h.request('POST', `/api/users/${otherB.id}/invite`, { token: tokenA }), 404);
  });

  it('409 on an email that exists in the tenant; the same email in another tenant is fine', async () => {
    expectProblem(
      await h.request('POST', '/api/users', {
        token: tokenA,
        body: { email: 'VIEWER@users-a.test', roleIds: [a.roles['viewer']] },
      }),
      409,
      'email_taken',
    );
    const res = await h.request('POST', '/api/users', {
      token: tokenB,
      body: { email: 'viewer@users-a.test', roleIds: [b.roles['viewer']] },
    });
    expect(res.status).toBe(201);
  });

  it('400 on a bad email, an unknown field, no role, or a role of another tenant (named)', async () => {
    expectProblem(
      await h.request('POST', '/api/users', {
        token: tokenA,
        body: { email: 'nope', roleIds: [a.roles['viewer']] },
      }),
      400,
    );
    expectProblem(
      await h.request('POST', '/api/users', {
        token: tokenA,
        body: { email: 'x@users-a.test', roleIds: [a.roles['viewer']], superAdmin: true },
      }),
      400,
    );
    expectProblem(
      await h.request('POST', '/api/users', {
        token: tokenA,
        body: { email: 'x@users-a.test', roleIds: [] },
      }),
      400,
    );
    const foreign = await h.request<{ errors: Array<{ path: string; message: string }> }>(
      'POST',
      '/api/users',
      {
        token: tokenA,
        body: { email: 'x@users-a.test', roleIds: [a.roles['viewer'], b.roles['admin']] },
      },
    );
    expectProblem(foreign, 400);
    expect(foreign.body.errors).toEqual([
      { path: 'body.roleIds.1', message: `no role ${b.roles['admin']} in this tenant` },
    ]);
    const none = await h.admin.query(`SELECT 1 FROM inosec.users WHERE email = 'x@users-a.test'`);
    expect(none.rowCount).toBe(0);
  });

  it('401 without a token and 403 without users:write', async () => {
    const body = { email: 'y@users-a.test', roleIds: [a.roles['viewer']] };
    expectProblem(await h.request('POST', '/api/users', { body }), 401);
    expectProblem(
      await h.request('POST', '/api/users', { token: viewerToken, body }),
      403,
      'missing_permission',
    );
  });

  it('refuses to invite with a role carrying permissions the inviter lacks (privilege_escalation), audited as denied', async () => {
    const res = await h.request<{ detail: string }>('POST', '/api/users', {
      token: userManagerToken,
      body: { email: 'sneaky@users-a.test', roleIds: [a.roles['admin']] },
    });
    expectProblem(res, 403, 'privilege_escalation');
    expect(res.body.detail).toContain('roles:write');
    expect(
      (await h.admin.query(`SELECT 1 FROM inosec.users WHERE email = 'sneaky@users-a.test'`)).rowCount,
    ).toBe(0);
    const denied = (await auditRows(h, a.id, 'user.invite')).filter((r) => r.outcome === 'denied');
    expect(denied.at(-1)).toMatchObject({ actor_id: userManager.id });
    // Near miss: a role within the manager's own permissions is fine.
    const ok = await h.request('POST', '/api/users', {
      token: userManagerToken,
      body: { email: 'peer@users-a.test', roleIds: [a.roles['user-manager']] },
    });
    expect(ok.status).toBe(201);
  });
});

describe('PUT /api/users/:id/roles', () => {
  it('sets exactly the given roles, takes effect on the next request, and is audited', async () => {
    const target = await h.seedUser(a, { roles: ['viewer'] });
    const targetToken = await h.tokenFor(target);
    expectProblem(await h.request('GET', '/api/users', { token: targetToken }), 403);
    const res = await h.request<User>('PUT', `/api/users/${target.id}/roles`, {
      token: tokenA,
      body: { roleIds: [a.roles['user-manager'], a.roles['viewer']] },
    });
    expect(res.status).toBe(200);
    expect(res.body.roles.map((r) => r.name).sort()).toEqual(['user-manager', 'viewer']);
    expect((await h.request('GET', '/api/users', { token: targetToken })).status).toBe(200);
    const audit = await auditRows(h, a.id, 'user.roles_set');
    expect(audit.at(-1)!.details).toMatchObject({ added: ['user-manager'], removed: [] });
    const back = await h.request<User>('PUT', `/api/users/${target.id}/roles`, {
      token: tokenA,
      body: { roleIds: [] },
    });
    expect(back.body.roles).toEqual([]);
    expectProblem(await h.request('GET', '/api/users', { token: targetToken }), 403);
  });

  it('refuses escalation, granting or revoking roles beyond the caller, and leaves the roles as they were', async () => {
    const target = await h.seedUser(a, { roles: ['viewer'] });
    expectProblem(
      await h.request('PUT', `/api/users/${target.id}/roles`, {
        token: userManagerToken,
        body: { roleIds: [a.roles['viewer'], a.roles['admin']] },
      }),
      403,
      'privilege_escalation',
    );
    // The manager cannot make themselves an admin either.
    expectProblem(
      await h.request('PUT', `/api/users/${userManager.id}/roles`, {
        token: userManagerToken,
        body: { roleIds: [a.roles['user-manager'], a.roles['admin']] },
      }),
      403,
      'privilege_escalation',
    );
    // Nor strip the viewer role (it carries alerts:read, which they do not hold).
    expectProblem(
      await h.request('PUT', `/api/users/${target.id}/roles`, {
        token: userManagerToken,
        body: { roleIds: [] },
      }),
      403,
      'privilege_escalation',
    );
    const roles = await h.admin.query(`SELECT role_id::text FROM inosec.user_roles WHERE user_id = $1`, [
      target.id,
    ]);
    expect(roles.rows).toEqual([{ role_id: a.roles['viewer'] }]);
  });

  it('keeps the last active admin: removing its admin role is 409; with a second admin it works', async () => {
    const res = await h.request('PUT', `/api/users/${adminA.id}/roles`, {
      token: tokenA,
      body: { roleIds: [a.roles['viewer']] },
    });
    expectProblem(res, 409, 'last_admin');
    const second = await h.seedUser(a, { roles: ['admin'] });
    const ok = await h.request<User>('PUT', `/api/users/${second.id}/roles`, {
      token: tokenA,
      body: { roleIds: [a.roles['analyst']] },
    });
    expect(ok.body.roles.map((r) => r.name)).toEqual(['analyst']);
  });

  it('400 on bad input, 401, 403 without users:write, 404 for another tenant', async () => {
    expectProblem(
      await h.request('PUT', `/api/users/${adminA.id}/roles`, { token: tokenA, body: { roleIds: ['x'] } }),
      400,
    );
    expectProblem(await h.request('PUT', `/api/users/${adminA.id}/roles`, { token: tokenA, body: {} }), 400);
    expectProblem(await h.request('PUT', `/api/users/${adminA.id}/roles`, { body: { roleIds: [] } }), 401);
    expectProblem(
      await h.request('PUT', `/api/users/${adminA.id}/roles`, { token: viewerToken, body: { roleIds: [] } }),
      403,
    );
    expectProblem(
      await h.request('PUT', `/api/users/${otherB.id}/roles`, { token: tokenA, body: { roleIds: [] } }),
      404,
    );
    const still = await h.admin.query(`SELECT count(*)::int AS n FROM inosec.user_roles WHERE user_id = $1`, [
      otherB.id,
    ]);
    expect(still.rows[0]).toEqual({ n: 1 });
  });
});

describe('PATCH /api/users/:id', () => {
  it('disabling ends the user sessions at once and burns their mailed links; re-enabling lets them sign in again', async () => {
    const target = await h.seedUser(a, { roles: ['analyst'] });
    const targetToken = await h.tokenFor(target);
    expect((await h.request('GET', '/api/tenant', { token: targetToken })).status).toBe(200);
    const res = await h.request<User>('PATCH', `/api/users/${target.id}`, {
      token: tokenA,
      body: { status: 'disabled', displayName: 'Gone' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'disabled', displayName: 'Gone' });
    expectProblem(await h.request('GET', '/api/tenant', { token: targetToken }), 401, 'session_ended');
    const sessions = await h.admin.query(`SELECT revoked_reason FROM inosec.sessions WHERE user_id = $1`, [
      target.id,
    ]);
    expect(sessions.rows).toEqual([{ revoked_reason: 'user_disabled' }]);
    const audit = await auditRows(h, a.id, 'user.update');
    expect(audit.at(-1)!.details).toMatchObject({
      changes: { status: { from: 'active', to: 'disabled' } },
      sessionsRevoked: 1,
    });
    const again = await h.request<User>('PATCH', `/api/users/${target.id}`, {
      token: tokenA,
      body: { status: 'active' },
    });
    expect(again.body.status).toBe('active');
    expect((await h.request('GET', '/api/tenant', { token: await h.tokenFor(target) })).status).toBe(200);
  });

  it('an invited user cannot be set active (409); disabled then re-enabled goes back to invited', async () => {
    const invited = await h.request<{ user: User }>('POST', '/api/users', {
      token: tokenA,
      body: { email: 'pending@users-a.test', roleIds: [a.roles['viewer']] },
    });
    const id = invited.body.user.id;
    expectProblem(
      await h.request('PATCH', `/api/users/${id}`, { token: tokenA, body: { status: 'active' } }),
      409,
      'invitation_pending',
    );
    await h.request('PATCH', `/api/users/${id}`, { token: tokenA, body: { status: 'disabled' } });
    const unused = await h.admin.query(
      `SELECT 1 FROM inosec.user_tokens WHERE user_id = $1 AND used_at IS NULL`,
      [id],
    );
    expect(unused.rowCount).toBe(0);
    const back = await h.request<User>('PATCH', `/api/users/${id}`, {
      token: tokenA,
      body: { status: 'active' },
    });
    expect(back.body.status).toBe('invited');
  });

  it('nobody disables themselves; the last active admin cannot be disabled by anyone; nor can a user outranking the caller', async () => {
    expectProblem(
      await h.request('PATCH', `/api/users/${adminA.id}`, { token: tokenA, body: { status: 'disabled' } }),
      409,
      'self_change',
    );
    // Tenant B has one admin; a B user-manager-like admin... use a fresh tenant for a clean count.
    const c = await h.seedTenant('users-c');
    const onlyAdmin = await h.seedUser(c, { roles: ['admin'] });
    const { rows } = await h.admin.query<{ id: string }>(
      `INSERT INTO inosec.roles (tenant_id, name, permissions) VALUES ($1, 'all-but-nothing', $2) RETURNING id`,
      [
        c.id,
        [
          'alerts:read',
          'alerts:write',
          'incidents:read',
          'incidents:write',
          'rules:read',
          'rules:write',
          'telemetry:read',
          'fleet:read',
          'fleet:write',
          'users:read',
          'users:write',
          'roles:read',
          'roles:write',
          'audit:read',
          'tenant:read',
          'tenant:write',
        ],
      ],
    );
    c.roles['all'] = rows[0]!.id;
    const deputy = await h.seedUser(c, { roles: ['all'] });
    const deputyToken = await h.tokenFor(deputy);
    expectProblem(
      await h.request('PATCH', `/api/users/${onlyAdmin.id}`, {
        token: deputyToken,
        body: { status: 'disabled' },
      }),
      409,
      'last_admin',
    );
    expectProblem(
      await h.request('DELETE', `/api/users/${onlyAdmin.id}`, { token: deputyToken }),
      409,
      'last_admin',
    );
    const still = await h.admin.query(`SELECT status FROM inosec.users WHERE id = $1`, [onlyAdmin.id]);
    expect(still.rows).toEqual([{ status: 'active' }]);
    // The user manager cannot disable an admin (who holds more than they do).
    expectProblem(
      await h.request('PATCH', `/api/users/${adminA.id}`, {
        token: userManagerToken,
        body: { status: 'disabled' },
      }),
      403,
      'privilege_escalation',
    );
    // Renaming is not a status change: the manager may.
    const renamed = await h.request<User>('PATCH', `/api/users/${adminA.id}`, {
      token: userManagerToken,
      body: { displayName: 'Boss' },
    });
    expect(renamed.body.displayName).toBe('Boss');
  });

  it('400, 401, 403 and 404', async () => {
    expectProblem(await h.request('PATCH', `/api/users/${adminA.id}`, { token: tokenA, body: {} }), 400);
    expectProblem(
      await h.request('PATCH', `/api/users/${adminA.id}`, { token: tokenA, body: { status: 'invited' } }),
      400,
    );
    expectProblem(await h.request('PATCH', `/api/users/${adminA.id}`, { body: { displayName: 'x' } }), 401);
    expectProblem(
      await h.request('PATCH', `/api/users/${adminA.id}`, { token: viewerToken, body: { displayName: 'x' } }),
      403,
    );
    expectProblem(
      await h.request('PATCH', `/api/users/${otherB.id}`, { token: tokenA, body: { status: 'disabled' } }),
      404,
    );
    const b1 = await h.admin.query(`SELECT status FROM inosec.users WHERE id = $1`, [otherB.id]);
    expect(b1.rows).toEqual([{ status: 'active' }]);
  });
});

describe('DELETE /api/users/:id', () => {
  it('deletes a user with grants and sessions, keeps the audit; refuses yourself and other tenants', async () => {
    const target = await h.seedUser(a, { roles: ['viewer'] });
    const targetToken = await h.tokenFor(target);
    const res = await h.request('DELETE', `/api/users/${target.id}`, { token: tokenA });
    expect(res.status).toBe(204);
    expectProblem(await h.request('GET', '/api/tenant', { token: targetToken }), 401);
    expectProblem(await h.request('GET', `/api/users/${target.id}`, { token: tokenA }), 404);
    expect((await auditRows(h, a.id, 'user.delete')).at(-1)).toMatchObject({ resource_id: target.id });
    expectProblem(
      await h.request('DELETE', `/api/users/${adminA.id}`, { token: tokenA }),
      409,
      'self_change',
    );
    expectProblem(await h.request('DELETE', `/api/users/${otherB.id}`, { token: tokenA }), 404);
    expectProblem(await h.request('DELETE', `/api/users/${otherB.id}`), 401);
    expectProblem(await h.request('DELETE', `/api/users/${otherB.id}`, { token: viewerToken }), 403);
    expectProblem(await h.request('DELETE', '/api/users/123', { token: tokenA }), 400);
    expect((await h.admin.query(`SELECT 1 FROM inosec.users WHERE id = $1`, [otherB.id])).rowCount).toBe(1);
  });
});

describe('sessions', () => {
  it('lists a user sessions and revokes them all (reason admin)', async () => {
    const target = await h.seedUser(a, { roles: ['analyst'] });
    const t1 = await h.tokenFor(target);
    await h.tokenFor(target);
    const list = await h.request<Page<{ id: string; revokedAt: string | null }>>(
      'GET',
      `/api/users/${target.id}/sessions?limit=1`,
      {
        token: tokenA,
      },
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const next = await h.request<Page<{ id: string }>>(
      'GET',
      `/api/users/${target.id}/sessions?limit=1&cursor=${list.body.nextCursor}`,
      { token: tokenA },
    );
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0]!.id).not.toBe(list.body.items[0]!.id);
    const revoke = await h.request<{ revoked: number }>('POST', `/api/users/${target.id}/sessions/revoke`, {
      token: tokenA,
    });
    expect(revoke.body).toEqual({ revoked: 2 });
    expectProblem(await h.request('GET', '/api/tenant', { token: t1 }), 401, 'session_ended');
    const live = await h.request<Page<unknown>>('GET', `/api/users/${target.id}/sessions`, { token: tokenA });
    expect(live.body.items).toEqual([]);
    const all = await h.request<Page<{ revokedReason: string }>>(
      'GET',
      `/api/users/${target.id}/sessions?state=all`,
      {
        token: tokenA,
      },
    );
    expect(all.body.items.map((s) => s.revokedReason)).toEqual(['admin', 'admin']);
    expect((await auditRows(h, a.id, 'user.sessions_revoke')).at(-1)!.details).toEqual({ revoked: 2 });
  });

  it('400, 401, 403, 404', async () => {
    expectProblem(
      await h.request('GET', `/api/users/${adminA.id}/sessions?state=dead`, { token: tokenA }),
      400,
    );
    expectProblem(await h.request('GET', `/api/users/${adminA.id}/sessions`), 401);
    expectProblem(await h.request('GET', `/api/users/${adminA.id}/sessions`, { token: viewerToken }), 403);
    expectProblem(await h.request('GET', `/api/users/${otherB.id}/sessions`, { token: tokenA }), 404);
    expectProblem(await h.request('POST', `/api/users/${otherB.id}/sessions/revoke`, { token: tokenA }), 404);
    expectProblem(
      await h.request('POST', `/api/users/${adminA.id}/sessions/revoke`, { token: viewerToken }),
      403,
    );
    expectProblem(await h.request('POST', `/api/users/${adminA.id}/sessions/revoke`), 401);
    expectProblem(await h.request('POST', `/api/users/x/sessions/revoke`, { token: tokenA }), 400);
    expect((await h.request('GET', '/api/tenant', { token: tokenB })).status).toBe(200);
  });
});
