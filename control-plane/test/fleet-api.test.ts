// The fleet HTTP API against real PostgreSQL: enrollment tokens, groups and policy versions, agents; every route
// answers 401 without a token, 403 without the permission, 400 on bad input and 404 for another tenant's ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, enrollAgent, startFleetHarness, type FleetHarness } from './support/fleet.js';
import type { SeededTenant } from './support/api-harness.js';

let h: FleetHarness;
let tenantA: SeededTenant;
let tenantB: SeededTenant;
let adminA: string;
let adminB: string;
let viewerA: string;
let noFleetA: string;
let agentA: string;
let groupA: string;
let tokenA: string;

const policy = {
  sensors: [
    { sensor: 'process', enabled: true, intervalSeconds: 1 },
    {
      sensor: 'file_integrity',
      enabled: true,
      intervalSeconds: 600,
      paths: ['/etc'],
      options: { hash: 'sha256' },
    },
  ],
  spoolMaxBytes: 536_870_912,
  batchMaxEvents: 1_000,
  batchMaxBytes: 524_288,
  batchMaxDelayMs: 250,
  heartbeatIntervalSeconds: 30,
};

beforeAll(async () => {
  h = await startFleetHarness();
  tenantA = await h.seedTenant();
  tenantB = await h.seedTenant();
  adminA = await h.tokenFor(await h.seedUser(tenantA));
  adminB = await h.tokenFor(await h.seedUser(tenantB));
  viewerA = await h.tokenFor(await h.seedUser(tenantA, { roles: ['viewer'] }));
  const { rows } = await h.admin.query<{ id: string }>(
    `INSERT INTO inosec.roles (tenant_id, name, permissions) VALUES ($1, 'alerts-only', '{alerts:read}') RETURNING id`,
    [tenantA.id],
  );
  tenantA.roles['alerts-only'] = rows[0]!.id;
  noFleetA = await h.tokenFor(await h.seedUser(tenantA, { roles: ['alerts-only'] }));
  const created = await h.request<{ id: string }>('POST', '/api/fleet/groups', {
    token: adminA,
    body: { name: 'plant-gateways', policy },
  });
  groupA = created.body.id;
  const token = await createToken(h, adminA, { groupId: groupA });
  tokenA = token.id;
  agentA = (await enrollAgent(h, token.token, 'gw-1')).agentId;
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const ROUTES: Array<{ method: string; path: () => string; body?: unknown; write: boolean }> = [
  { method: 'GET', path: () => '/api/fleet/enrollment-tokens', write: false },
  { method: 'POST', path: () => '/api/fleet/enrollment-tokens', body: {}, write: true },
  { method: 'DELETE', path: () => `/api/fleet/enrollment-tokens/${tokenA}`, write: true },
  { method: 'GET', path: () => '/api/fleet/groups', write: false },
  { method: 'POST', path: () => '/api/fleet/groups', body: { name: 'x' }, write: true },
  { method: 'GET', path: () => `/api/fleet/groups/${groupA}`, write: false },
  { method: 'PATCH', path: () => `/api/fleet/groups/${groupA}`, body: { description: 'd' }, write: true },
  { method: 'DELETE', path: () => `/api/fleet/groups/${groupA}`, write: true },
  { method: 'PUT', path: () => `/api/fleet/groups/${groupA}/policy`, body: policy, write: true },
  { method: 'GET', path: () => `/api/fleet/groups/${groupA}/policies`, write: false },
  { method: 'GET', path: () => '/api/fleet/agents', write: false },
  { method: 'GET', path: () => `/api/fleet/agents/${agentA}`, write: false },
  {
    method: 'PATCH',
    path: () => `/api/fleet/agents/${agentA}`,
    get body() {
      return { groupId: groupA };
    },
    write: true,
  },
  { method: 'POST', path: () => `/api/fleet/agents/${agentA}/revoke`, body: {}, write: true },
];

describe('access', () => {
  it('answers 401 without a token and 403 without the permission on every fleet route', async () => {
    for (const route of ROUTES) {
      const anonymous = await h.request(route.method, route.path(), { body: route.body });
      expect(anonymous.status, `${route.method} ${route.path()}`).toBe(401);
      const denied = await h.request(route.method, route.path(), { token: noFleetA, body: route.body });
      expect(denied.status, `${route.method} ${route.path()}`).toBe(403);
      expect(denied.headers.get('content-type')).toMatch(/problem\+json/);
      if (route.write) {
        const viewer = await h.request(route.method, route.path(), { token: viewerA, body: route.body });
        expect(viewer.status, `viewer ${route.method} ${route.path()}`).toBe(403);
      }
    }
  });

  it("answers 404 for tenant A's ids with tenant B's token, and changes nothing", async () => {
    for (const route of ROUTES.filter((r) => r.path().split('/').length > 4)) {
      const res = await h.request(route.method, route.path(), { token: adminB, body: route.body });
      expect(res.status, `${route.method} ${route.path()}`).toBe(404);
    }
    const agent = await h.request<{ status: string; groupId: string }>('GET', `/api/fleet/agents/${agentA}`, {
      token: adminA,
    });
    expect(agent.body).toMatchObject({ status: 'offline', groupId: groupA });
    const group = await h.request<{ description: string; policyRevision: number }>(
      'GET',
      `/api/fleet/groups/${groupA}`,
      {
        token: adminA,
      },
    );
    expect(group.body).toMatchObject({ description: '', policyRevision: 1 });
    const tokens = await h.request<{ items: Array<{ id: string; status: string }> }>(
      'GET',
      '/api/fleet/enrollment-tokens',
      {
        token: adminA,
      },
    );
    expect(tokens.body.items.find((t) => t.id === tokenA)?.status).toBe('used');
    // B's own lists show nothing of A.
    const bGroups = await h.request<{ items: Array<{ name: string }> }>('GET', '/api/fleet/groups', {
      token: adminB,
    });
    expect(bGroups.body.items.map((g) => g.name)).toEqual(['Default']);
  });

  it('answers 400 naming the field on bad input', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/fleet/enrollment-tokens', { ttlSeconds: 31 * 86_400 }, 'body.ttlSeconds'],
      ['POST', '/api/fleet/enrollment-tokens', { maxUses: 0 }, 'body.maxUses'],
      ['POST', '/api/fleet/enrollment-tokens', { groupId: 'nope' }, 'body.groupId'],
      ['POST', '/api/fleet/enrollment-tokens', { extra: 1 }, 'body'],
      ['DELETE', '/api/fleet/enrollment-tokens/not-a-uuid', undefined, 'params.id'],
      ['GET', '/api/fleet/enrollment-tokens?cursor=bm9wZQ', undefined, 'query.cursor'],
      ['POST', '/api/fleet/groups', { name: '' }, 'body.name'],
      [
        'POST',
        '/api/fleet/groups',
        { name: 'ok', policy: { ...policy, batchMaxEvents: 0 } },
        'body.policy.batchMaxEvents',
      ],
      ['PATCH', `/api/fleet/groups/${groupA}`, {}, 'body'],
      [
        'PUT',
        `/api/fleet/groups/${groupA}/policy`,
        { ...policy, sensors: [{ sensor: 'teleport', enabled: true }] },
        'body.sensors.0.sensor',
      ],
      [
        'PUT',
        `/api/fleet/groups/${groupA}/policy`,
        { ...policy, sensors: [policy.sensors[0], policy.sensors[0]] },
        'body.sensors',
      ],
      [
        'PUT',
        `/api/fleet/groups/${groupA}/policy`,
        { ...policy, heartbeatIntervalSeconds: 1 },
        'body.heartbeatIntervalSeconds',
      ],
      ['PUT', `/api/fleet/groups/${groupA}/policy`, { ...policy, spoolMaxBytes: 10 }, 'body.spoolMaxBytes'],
      ['GET', '/api/fleet/groups/not-a-uuid', undefined, 'params.id'],
      ['GET', '/api/fleet/agents?status=lost', undefined, 'query.status.0'],
      ['GET', '/api/fleet/agents?limit=0', undefined, 'query.limit'],
      ['GET', '/api/fleet/agents/bad%20id', undefined, 'params.id'],
      ['PATCH', `/api/fleet/agents/${agentA}`, { groupId: 'x' }, 'body.groupId'],
      ['POST', `/api/fleet/agents/${agentA}/revoke`, { reason: 'x'.repeat(501) }, 'body.reason'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.request<{ errors?: Array<{ path: string }> }>(method, path, {
        token: adminA,
        body,
      });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(
        res.body.errors?.some((e) => e.path === field || e.path.startsWith(`${field}.`)),
        `${method} ${path}: ${JSON.stringify(res.body.errors)}`,
      ).toBe(true);
    }
  });
});

describe('enrollment tokens', () => {
  it('creates a token shown once, lists it by status with keyset pages, and revokes it', async () => {
    const created = await h.request<{
      token: string;
      id: string;
      status: string;
      groupName: string;
      maxUses: number;
    }>('POST', '/api/fleet/enrollment-tokens', {
      token: adminA,
      body: { description: 'batch', maxUses: 5, ttlSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', groupName: 'Default', maxUses: 5 });
    expect(created.body.token.startsWith(`${tenantA.id}.`)).toBe(true);
    const stored = await h.admin.query(
      `SELECT 1 FROM inosec.enrollment_tokens WHERE token_hash::text LIKE '%' || $1 || '%'`,
      [created.body.token],
    );
    expect(stored.rowCount).toBe(0);
    for (let i = 0; i < 3; i++) await createToken(h, adminA);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null } } =
        await h.request('GET', `/api/fleet/enrollment-tokens?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
          token: adminA,
        });
      expect(page.status).toBe(200);
      expect(JSON.stringify(page.body)).not.toContain(created.body.token);
      seen.push(...page.body.items.map((t) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(created.body.id);
    expect(seen.length).toBeGreaterThanOrEqual(5);

    expect(
      (await h.request('DELETE', `/api/fleet/enrollment-tokens/${created.body.id}`, { token: adminA }))
        .status,
    ).toBe(204);
    const active = await h.request<{ items: Array<{ id: string }> }>(
      'GET',
      '/api/fleet/enrollment-tokens?active=true',
      {
        token: adminA,
      },
    );
    expect(active.body.items.map((t) => t.id)).not.toContain(created.body.id);
    const audit = await h.admin.query(
      `SELECT action FROM inosec.audit_log WHERE resource_id = $1 ORDER BY id`,
      [created.body.id],
    );
    expect(audit.rows.map((r: { action: string }) => r.action)).toEqual([
      'enrollment_token.create',
      'enrollment_token.revoke',
    ]);
    const wrongGroup = await h.request('POST', '/api/fleet/enrollment-tokens', {
      token: adminB,
      body: { groupId: groupA },
    });
    expect(wrongGroup.status).toBe(404);
  });
});

describe('groups and policies', () => {
  it('versions policies, keeps history, and refuses to delete the default group or a group with agents', async () => {
    const groups = await h.request<{ items: Array<{ id: string; name: string; isDefault: boolean }> }>(
      'GET',
      '/api/fleet/groups',
      {
        token: adminA,
      },
    );
    const defaultGroup = groups.body.items.find((g) => g.isDefault);
    expect(defaultGroup?.name).toBe('Default');
    const dup = await h.request('POST', '/api/fleet/groups', {
      token: adminA,
      body: { name: 'plant-gateways' },
    });
    expect(dup.status).toBe(409);

    const v2 = await h.request<{ revision: number; version: number }>(
      'PUT',
      `/api/fleet/groups/${groupA}/policy`,
      {
        token: adminA,
        body: { ...policy, batchMaxEvents: 42 },
      },
    );
    expect(v2.body.revision).toBe(2);
    const history = await h.request<{
      items: Array<{ revision: number; version: number; policy: { batchMaxEvents: number } }>;
      nextCursor: string | null;
    }>('GET', `/api/fleet/groups/${groupA}/policies?limit=1`, { token: adminA });
    expect(history.body.items.map((p) => [p.revision, p.policy.batchMaxEvents])).toEqual([[2, 42]]);
    const older = await h.request<{
      items: Array<{ revision: number; version: number; policy: { batchMaxEvents: number } }>;
    }>('GET', `/api/fleet/groups/${groupA}/policies?cursor=${history.body.nextCursor}`, { token: adminA });
    expect(older.body.items.map((p) => [p.revision, p.policy.batchMaxEvents])).toEqual([[1, 1_000]]);
    expect(older.body.items[0]!.version).toBeLessThan(v2.body.version);
    expect(older.body.items[0]!.policy).toMatchObject({
      sensors: [{ paths: [] }, { options: { hash: 'sha256' } }],
    });

    expect(
      (await h.request('DELETE', `/api/fleet/groups/${defaultGroup?.id}`, { token: adminA })).status,
    ).toBe(409);
    expect((await h.request('DELETE', `/api/fleet/groups/${groupA}`, { token: adminA })).status).toBe(409);
    const renamed = await h.request<{ name: string }>('PATCH', `/api/fleet/groups/${groupA}`, {
      token: adminA,
      body: { name: 'gateways' },
    });
    expect(renamed.body.name).toBe('gateways');
    const empty = await h.request<{ id: string }>('POST', '/api/fleet/groups', {
      token: adminA,
      body: { name: 'empty' },
    });
    expect((await h.request('DELETE', `/api/fleet/groups/${empty.body.id}`, { token: adminA })).status).toBe(
      204,
    );
    expect((await h.request('GET', `/api/fleet/groups/${empty.body.id}`, { token: adminA })).status).toBe(
      404,
    );
    const actions = await h.admin.query<{ action: string }>(
      `SELECT action FROM inosec.audit_log WHERE tenant_id = $1 AND action LIKE 'agent_group.%' ORDER BY id`,
      [tenantA.id],
    );
    expect(actions.rows.map((r) => r.action)).toEqual([
      'agent_group.create',
      'agent_group.policy_update',
      'agent_group.update',
      'agent_group.create',
      'agent_group.delete',
    ]);
  });
});

describe('agents', () => {
  it('filters and pages the fleet, moves and revokes an agent', async () => {
    const token = await createToken(h, adminA, { maxUses: 3 });
    for (const host of ['alpha', 'beta', 'gamma']) await enrollAgent(h, token.token, host);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ hostName: string }>; nextCursor: string | null } } =
        await h.request('GET', `/api/fleet/agents?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
          token: adminA,
        });
      all.push(...page.body.items.map((a) => a.hostName));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all).toEqual(['alpha', 'beta', 'gamma', 'gw-1']);
    const search = await h.request<{ items: Array<{ hostName: string }> }>(
      'GET',
      '/api/fleet/agents?search=AMM',
      { token: adminA },
    );
    expect(search.body.items.map((a) => a.hostName)).toEqual(['gamma']);
    const inGroup = await h.request<{ items: Array<{ id: string }> }>(
      'GET',
      `/api/fleet/agents?groupId=${groupA}`,
      { token: adminA },
    );
    expect(inGroup.body.items.map((a) => a.id)).toEqual([agentA]);
    const offline = await h.request<{ items: unknown[] }>('GET', '/api/fleet/agents?status=online', {
      token: adminA,
    });
    expect(offline.body.items).toEqual([]);

    const groups = await h.request<{ items: Array<{ id: string; isDefault: boolean }> }>(
      'GET',
      '/api/fleet/groups',
      { token: adminA },
    );
    const defaultId = groups.body.items.find((g) => g.isDefault)?.id as string;
    const moved = await h.request<{ groupId: string }>('PATCH', `/api/fleet/agents/${agentA}`, {
      token: adminA,
      body: { groupId: defaultId },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.groupId).toBe(defaultId);
    const bGroups = await h.request<{ items: Array<{ id: string }> }>('GET', '/api/fleet/groups', {
      token: adminB,
    });
    const intoB = await h.request('PATCH', `/api/fleet/agents/${agentA}`, {
      token: adminA,
      body: { groupId: bGroups.body.items[0]!.id },
    });
    expect(intoB.status).toBe(404);

    const revoked = await h.request<{ status: string; revokedReason: string }>(
      'POST',
      `/api/fleet/agents/${agentA}/revoke`,
      {
        token: adminA,
      },
    );
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedReason: 'revoked by an administrator' });
    const telemetry = await h.admin.query(
      'SELECT 1 FROM telemetry.agents WHERE agent_id = $1 AND revoked_at IS NOT NULL',
      [agentA],
    );
    expect(telemetry.rowCount).toBe(1);
    const listed = await h.request<{ items: Array<{ id: string }> }>(
      'GET',
      '/api/fleet/agents?status=revoked',
      { token: adminA },
    );
    expect(listed.body.items.map((a) => a.id)).toEqual([agentA]);
  });

  it('keeps the app role from registering or revoking another tenant’s agent in telemetry', async () => {
    const client = await h.app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenantB.id]);
      await expect(
        client.query('SELECT telemetry.register_agent($1, $2, $3)', ['sneaky', tenantA.id, Buffer.alloc(32)]),
      ).rejects.toThrow(/not the transaction's tenant/);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenantB.id]);
      const { rows } = await client.query<{ revoked: boolean }>(
        'SELECT telemetry.revoke_agent($1) AS revoked',
        [agentA],
      );
      expect(rows[0]?.revoked).toBe(false);
      const secrets = await client.query('SELECT * FROM inosec.tenant_cas');
      expect(secrets.rows.every((r: { tenant_id: string }) => r.tenant_id === tenantB.id)).toBe(true);
      await expect(client.query('SELECT * FROM telemetry.agents')).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
