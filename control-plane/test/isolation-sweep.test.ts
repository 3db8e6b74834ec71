// Tenant isolation sweep, driven by the OpenAPI document: every route with an id in its path or query is
// called with a tenant-B administrator's token against tenant A's ids. A path id must answer 403 or 404; a
// query id must answer 403/404 or a page holding nothing of tenant A. Afterwards every tenant-A row of every
// table with a tenant_id column is byte-for-byte what it was. A route added later without an entry here
// fails the test, so the sweep grows with the API.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';

interface Operation {
  method: string;
  path: string;
  access: string;
  queryIds: string[];
  pathParams: string[];
}

const RULE_FILE = [
  'title: Sweep Test Rule',
  `id: ${randomUUID()}`,
  'status: experimental',
  'logsource:',
  '  product: linux',
  '  category: process_creation',
  'detection:',
  '  selection:',
  "    Image|endswith: '/sweep-test'",
  '  condition: selection',
  'level: low',
].join('\n');

let h: ApiHarness;
let a: SeededTenant;
let b: SeededTenant;
let adminA: SeededUser;
let tokenA: string;
let tokenB: string;
/** Tenant A's ids by kind. */
const ids: Record<string, string> = {};
const operations: Operation[] = [];

async function ok<T>(res: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A digest of every tenant-A row of every table (and view-less base table) carrying a tenant_id. */
async function tenantSnapshot(tenantId: string): Promise<Record<string, string>> {
  const { rows: tables } = await h.admin.query<{ name: string }>(
    `SELECT format('%I.%I', c.table_schema, c.table_name) AS name
       FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
        AND c.table_schema IN ('inosec', 'telemetry')
        AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = format('%I.%I', c.table_schema, c.table_name)::regclass)
      ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await h.admin.query<{ digest: string | null }>(
      `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM ${name} t WHERE tenant_id = $1`,
      [tenantId],
    );
    out[name] = rows[0]?.digest ?? '';
  }
  return out;
}

/** Tenant A's id for a path parameter of a route. */
function pathValue(path: string, param: string): string | undefined {
  if (param === 'alertId') return ids['alert'];
  if (param === 'slug') return ids['ruleFile'];
  const table: Array<[RegExp, string]> = [
    [/^\/api\/alerts\//, 'alert'],
    [/^\/api\/auth\/sessions\//, 'session'],
    [/^\/api\/fleet\/agents\//, 'agent'],
    [/^\/api\/fleet\/enrollment-tokens\//, 'enrollmentToken'],
    [/^\/api\/fleet\/groups\//, 'group'],
    [/^\/api\/incidents\//, 'incident'],
    [/^\/api\/platform\/tenants\//, 'tenant'],
    [/^\/api\/roles\//, 'role'],
    [/^\/api\/suppressions\//, 'suppression'],
    [/^\/api\/users\//, 'user'],
  ];
  const kind = table.find(([re]) => re.test(path))?.[1];
  return kind === undefined ? undefined : ids[kind];
}

/** Tenant A's id for an id-valued query parameter. */
const QUERY_IDS: Record<string, () => string | undefined> = {
  assigneeId: () => ids['user'],
  incidentId: () => ids['incident'],
  groupId: () => ids['group'],
  roleId: () => ids['role'],
  actorId: () => adminA.id,
  resourceId: () => ids['alert'],
  ruleId: () => ids['ruleId'],
};

/** A body valid in shape for each route with a path id, so a 400 never hides the isolation check. */
function bodyFor(method: string, path: string): unknown {
  const key = `${method} ${path}`;
  const bodies: Record<string, unknown> = {
    'PATCH /api/alerts/{id}': { assigneeId: null },
    'POST /api/alerts/{id}/close': { reason: 'benign', comment: 'sweep' },
    'PATCH /api/fleet/agents/{id}': { groupId: ids['group'] },
    'POST /api/fleet/agents/{id}/revoke': { reason: 'sweep' },
    'PATCH /api/fleet/groups/{id}': { name: 'renamed-by-b' },
    'PUT /api/fleet/groups/{id}/policy': {
      sensors: [{ sensor: 'process', enabled: true }],
      spoolMaxBytes: 268_435_456,
      batchMaxEvents: 2_000,
      batchMaxBytes: 1_048_576,
      batchMaxDelayMs: 1_000,
      heartbeatIntervalSeconds: 60,
    },
    'PATCH /api/incidents/{id}': { title: 'renamed by B' },
    'POST /api/incidents/{id}/alerts': { alertIds: [ids['alert']] },
    'POST /api/incidents/{id}/notes': { body: 'note by B' },
    'PATCH /api/platform/tenants/{id}': { status: 'suspended', reason: 'sweep' },
    'PATCH /api/roles/{id}': { description: 'changed by B' },
    'PATCH /api/users/{id}': { displayName: 'changed by B' },
    'PUT /api/users/{id}/roles': { roleIds: [ids['role']] },
  };
  return bodies[key];
}

beforeAll(async () => {
  h = await startApiHarness();
  a = await h.seedTenant('sweep-a');
  b = await h.seedTenant('sweep-b');
  adminA = await h.seedUser(a, { roles: ['admin'] });
  const adminB = await h.seedUser(b, { roles: ['admin'] });
  tokenA = await h.tokenFor(adminA);
  tokenB = await h.tokenFor(adminB);

  // Tenant A's resources, created through its own API where one exists.
  const alert = await h.admin.query<{ id: string }>(
    `INSERT INTO telemetry.alerts (tenant_id, agent_id, rule_id, rule_name, ruleset, severity, title, dedupe_key,
                                   first_seen, last_seen, host_name, techniques)
     VALUES ($1, 'sweep-agent', 'sweep-rule', 'Sweep rule', 'sigma', 'high', 'Sweep alert', 'sweep', now(), now(),
             'host-a', '{T1059}') RETURNING id`,
    [a.id],
  );
  ids['alert'] = alert.rows[0]!.id;
  ids['ruleId'] = 'sweep-rule';
  ids['tenant'] = a.id;
  ids['incident'] = (
    await ok(
      h.request<{ id: string }>('POST', '/api/incidents', {
        token: tokenA,
        body: { title: 'A incident', alertIds: [ids['alert']] },
      }),
      'create incident',
    )
  ).id;
  ids['role'] = (
    await ok(
      h.request<{ id: string }>('POST', '/api/roles', {
        token: tokenA,
        body: { name: 'sweep-role', description: 'A role', permissions: ['alerts:read'] },
      }),
      'create role',
    )
  ).id;
  ids['user'] = (
    await ok(
      h.request<{ user: { id: string } }>('POST', '/api/users', {
        token: tokenA,
        body: { email: 'invitee@sweep-a.test', roleIds: [ids['role']] },
      }),
      'invite user',
    )
  ).user.id;
  ids['group'] = (
    await ok(
      h.request<{ id: string }>('POST', '/api/fleet/groups', { token: tokenA, body: { name: 'a-group' } }),
      'group',
    )
  ).id;
  ids['enrollmentToken'] = (
    await ok(
      h.request<{ id: string }>('POST', '/api/fleet/enrollment-tokens', {
        token: tokenA,
        body: { groupId: ids['group'] },
      }),
      'enrollment token',
    )
  ).id;
  ids['suppression'] = (
    await ok(
      h.request<{ suppression: { id: string } }>('POST', '/api/suppressions', {
        token: tokenA,
        body: { ruleId: 'sweep-rule', hostName: 'host-a', reason: 'noisy' },
      }),
      'suppression',
    )
  ).suppression.id;
  await ok(
    h.request('POST', '/api/rules/files', { token: tokenA, body: { slug: 'sweep-file', text: RULE_FILE } }),
    'rule file',
  );
  ids['ruleFile'] = 'sweep-file';
  const sessions = await ok(
    h.request<{ items: Array<{ id: string }> }>('GET', '/api/auth/sessions', { token: tokenA }),
    'sessions',
  );
  ids['session'] = sessions.items[0]!.id;
  // An enrolled agent of tenant A (fixture: enrollment itself is proven in fleet-enrollment.test.ts).
  ids['agent'] = 'sweep-agent-a';
  await h.admin.query(
    `INSERT INTO inosec.agents (id, tenant_id, group_id, host_name, cert_serial, cert_sha256, cert_not_after)
     VALUES ($1, $2, $3, 'host-a', '01', decode(repeat('ab', 32), 'hex'), now() + interval '1 year')`,
    [ids['agent'], a.id, ids['group']],
  );

  const doc = await ok(
    h.request<{
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ name: string; in: string }>; 'x-inosec-access': string }>
      >;
    }>('GET', '/api/openapi.json'),
    'openapi',
  );
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        access: op['x-inosec-access'],
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryIds: params.filter((p) => p.in === 'query' && p.name in QUERY_IDS).map((p) => p.name),
      });
    }
  }
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe('tenant isolation sweep over the OpenAPI document', () => {
  it('finds the routes to sweep', () => {
    const withPathIds = operations.filter((o) => o.pathParams.length > 0);
    const withQueryIds = operations.filter((o) => o.queryIds.length > 0);
    expect(withPathIds.length).toBeGreaterThan(30);
    expect(withQueryIds.length).toBeGreaterThan(5);
  });

  it("tenant B's administrator reaches none of tenant A's records, and changes nothing", async () => {
    const before = await tenantSnapshot(a.id);
    expect(Object.entries(ids).filter(([, v]) => typeof v !== 'string')).toEqual([]);
    const aIds = Object.values(ids).filter((v) => v.length >= 8);
    const failures: string[] = [];
    let swept = 0;
    for (const op of operations.filter((o) => o.pathParams.length > 0 && o.access !== 'public')) {
      let url = op.path;
      for (const param of op.pathParams) {
        const value = pathValue(op.path, param);
        if (value === undefined) {
          failures.push(`${op.method} ${op.path}: no tenant-A id for {${param}} (add one to the sweep)`);
          continue;
        }
        url = url.replace(`{${param}}`, encodeURIComponent(value));
      }
      const body = bodyFor(op.method, op.path);
      const res = await h.request(op.method, url, { token: tokenB, ...(body !== undefined ? { body } : {}) });
      swept += 1;
      if (res.status === 400) {
        failures.push(
          `${op.method} ${op.path}: 400 hides the check (give it a valid body): ${JSON.stringify(res.body)}`,
        );
      } else if (res.status !== 403 && res.status !== 404) {
        failures.push(`${op.method} ${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    }
    for (const op of operations.filter((o) => o.queryIds.length > 0 && o.method === 'GET')) {
      if (op.path.endsWith('/stream') || op.path.endsWith('/export')) continue; // streamed: swept below
      const query = op.queryIds
        .map((name) => `${name}=${encodeURIComponent(QUERY_IDS[name]!() ?? '')}`)
        .join('&');
      const res = await h.request(op.method, `${op.path}?${query}`, { token: tokenB });
      swept += 1;
      const text = JSON.stringify(res.body);
      if (res.status !== 200 && res.status !== 403 && res.status !== 404) {
        failures.push(`${op.method} ${op.path}?${query}: ${res.status} ${text.slice(0, 300)}`);
      } else if (res.status === 200 && aIds.some((id) => text.includes(id))) {
        failures.push(`${op.method} ${op.path}?${query}: answered tenant A's data ${text.slice(0, 300)}`);
      }
    }
    // The CSV export with A's ids as filters holds only its header and B's own export entry.
    const csv = await h.request<string>('GET', `/api/audit/export?actorId=${adminA.id}`, { token: tokenB });
    expect(csv.status).toBe(200);
    expect(aIds.some((id) => csv.body.includes(id))).toBe(false);

    expect(failures).toEqual([]);
    expect(swept).toBeGreaterThan(35);
    expect(await tenantSnapshot(a.id)).toEqual(before);
    // Tenant A still sees all of it.
    const own = await h.request<{ id: string }>('GET', `/api/incidents/${ids['incident']}`, {
      token: tokenA,
    });
    expect(own.status).toBe(200);
  });
});
