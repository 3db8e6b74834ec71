// The alerts API against a real PostgreSQL and server: the queue's filters and keyset pages, counts, one alert
// with its stored events, triage transitions (one by one and in bulk), audit entries, and tenant isolation.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertInput,
  ingestPool,
  insertAlerts,
  insertEvent,
  insertNetworkEvent,
  raiseAlerts,
} from './support/alerts-fixtures.js';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';

interface Item {
  id: string;
  title: string;
  severity: string;
  status: string;
  rule: { id: string };
  host: { name: string | null };
  techniques: string[];
  count: number;
  lastSeen: string;
  assignee: { id: string; email: string } | null;
  incidentId: string | null;
  closeReason: string | null;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}
interface Problem {
  status: number;
  code?: string;
  errors?: Array<{ path: string; message: string }>;
}

let h: ApiHarness;
let ingest: pg.Pool;
let a: SeededTenant;
let b: SeededTenant;
let analystA: SeededUser;
let viewerA: SeededUser;
let otherA: SeededUser;
let tokenA: string;
let viewerToken: string;
let nobodyToken: string;
let tokenB: string;
let ruleShell: string;
let shellWeb: string; // alert of ruleShell on web-01, with stored events
let shellDb: string;
let alertB: string;

const hour = 3_600_000;
const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

beforeAll(async () => {
  h = await startApiHarness();
  ingest = await ingestPool(h);
  a = await h.seedTenant('alerts-a');
  b = await h.seedTenant('alerts-b');
  const { rows } = await h.admin.query<{ id: string }>(
    `INSERT INTO inosec.roles (tenant_id, name, permissions) VALUES ($1, 'nobody', '{tenant:read}') RETURNING id`,
    [a.id],
  );
  a.roles['nobody'] = rows[0]!.id;
  analystA = await h.seedUser(a, { roles: ['analyst'] });
  viewerA = await h.seedUser(a, { roles: ['viewer'] });
  otherA = await h.seedUser(a, { roles: ['analyst'] });
  const nobody = await h.seedUser(a, { roles: ['nobody'] });
  const userB = await h.seedUser(b, { roles: ['admin'] });
  tokenA = await h.tokenFor(analystA);
  viewerToken = await h.tokenFor(viewerA);
  nobodyToken = await h.tokenFor(nobody);
  tokenB = await h.tokenFor(userB);

  ruleShell = randomUUID();
  const eventTimes = [at(2 * hour + 2000), at(2 * hour + 1000), at(2 * hour)];
  for (const [i, time] of eventTimes.entries()) {
    await insertEvent(h, a.id, { agentId: 'agent-1', seq: i + 1, time, commandLine: `bash -c step${i + 1}` });
  }
  const networkTime = at(2 * hour - 1000);
  await insertNetworkEvent(h, a.id, { agentId: 'agent-1', seq: 4, time: networkTime });
  // Another tenant's event at the same (agent, seq, time) must never show up in A's alert.
  await insertEvent(h, b.id, {
    agentId: 'agent-1',
    seq: 1,
    time: eventTimes[0]!,
    commandLine: 'tenant b secret',
  });
  const raised = await raiseAlerts(ingest, a.id, [
    alertInput({
      rule_id: ruleShell,
      host_name: 'web-01',
      severity: 'high',
      first_seen: eventTimes[0],
      last_seen: networkTime,
      count: 4,
      events: [
        ...eventTimes.map((time, i) => ({ agent_id: 'agent-1', seq: i + 1, time })),
        { agent_id: 'agent-1', seq: 4, time: networkTime },
        { agent_id: 'agent-1', seq: 99, time: at(2 * hour - 500) }, // never stored
      ],
    }),
    alertInput({
      rule_id: ruleShell,
      host_name: 'DB-01',
      severity: 'critical',
      techniques: ['T1059'],
      first_seen: at(3 * hour),
      last_seen: at(3 * hour),
    }),
  ]);
  shellWeb = raised.find((r) => r.dedupe_key.endsWith('web-01'))!.id;
  shellDb = raised.find((r) => r.dedupe_key.endsWith('DB-01'))!.id;
  const [rb] = await raiseAlerts(ingest, b.id, [alertInput({ rule_id: ruleShell, host_name: 'web-01' })]);
  alertB = rb!.id;
}, 120_000);

afterAll(async () => {
  await ingest?.end();
  await h?.close();
});

describe('GET /api/alerts', () => {
  it('lists the tenant’s alerts only, newest first, with what a queue row shows', async () => {
    const res = await h.request<Page>('GET', '/api/alerts', { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i) => i.id)).toEqual([shellWeb, shellDb]);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items[0]).toMatchObject({
      severity: 'high',
      status: 'new',
      rule: { id: ruleShell, name: 'Suspicious Shell', ruleset: 'sigma' },
      host: { name: 'web-01', id: 'web-01-id', agentId: 'agent-1' },
      techniques: ['T1059.004'],
      tactics: ['execution'],
      count: 4,
      assignee: null,
      incidentId: null,
    });
    const resB = await h.request<Page>('GET', '/api/alerts', { token: tokenB });
    expect(resB.body.items.map((i) => i.id)).toEqual([alertB]);
  });

  it('filters on severity, status, host, rule, MITRE technique and time', async () => {
    const ids = async (query: string) =>
      (await h.request<Page>('GET', `/api/alerts?${query}`, { token: tokenA })).body.items.map((i) => i.id);
    expect(await ids('severity=critical')).toEqual([shellDb]);
    expect(await ids('severity=critical&severity=high')).toEqual([shellWeb, shellDb]);
    expect(await ids('severity=low,medium')).toEqual([]);
    expect(await ids('status=closed')).toEqual([]);
    expect(await ids('host=db-01')).toEqual([shellDb]); // case-insensitive
    expect(await ids('host=db-0')).toEqual([]); // exact, not a prefix
    expect(await ids(`ruleId=${ruleShell}`)).toEqual([shellWeb, shellDb]);
    expect(await ids('ruleId=other')).toEqual([]);
    // T1059 matches itself and its sub-techniques; the sub-technique only itself.
    expect(await ids('technique=T1059')).toEqual([shellWeb, shellDb]);
    expect(await ids('technique=t1059.004')).toEqual([shellWeb]);
    expect(await ids('technique=T1059.001')).toEqual([]);
    expect(await ids(`from=${encodeURIComponent(at(2.5 * hour))}`)).toEqual([shellWeb]);
    expect(await ids(`to=${encodeURIComponent(at(2.5 * hour))}`)).toEqual([shellDb]);
  });

  it('refuses bad filters with 400 naming each field', async () => {
    const res = await h.request<Problem>(
      'GET',
      '/api/alerts?severity=urgent&limit=500&technique=T105&assigneeId=x&color=red',
      { token: tokenA },
    );
    expect(res.status).toBe(400);
    const paths = res.body.errors!.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['query.severity.0', 'query.limit', 'query.technique', 'query.assigneeId']),
    );
    expect(paths.some((p) => p.startsWith('query'))).toBe(true);
    expect((await h.request<Problem>('GET', '/api/alerts?cursor=bm9wZQ', { token: tokenA })).status).toBe(
      400,
    );
  });

  it('answers 401 without a token and 403 without alerts:read', async () => {
    expect((await h.request('GET', '/api/alerts')).status).toBe(401);
    const res = await h.request<Problem>('GET', '/api/alerts', { token: nobodyToken });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('missing_permission');
  });

  it('pages with the keyset cursor: no duplicates, no gaps, even among equal times', async () => {
    const tenant = await h.seedTenant('alerts-pages');
    const user = await h.seedUser(tenant, { roles: ['viewer'] });
    const token = await h.tokenFor(user);
    const spread = await insertAlerts(h, tenant.id, 130, { start: new Date(Date.now() - 10 * hour) });
    const tied = await insertAlerts(h, tenant.id, 70, {
      start: new Date(Date.now() - 20 * hour),
      sameTime: true,
    });
    const seen: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=37&cursor=${cursor}` : 'limit=37';
      const res = await h.request<Page>('GET', `/api/alerts?${query}`, { token });
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 20);
    expect(pages).toBe(Math.ceil(200 / 37));
    expect(seen).toHaveLength(200);
    expect(new Set(seen.map((i) => i.id)).size).toBe(200);
    expect(new Set(seen.map((i) => i.id))).toEqual(new Set([...spread, ...tied]));
    const keys = seen.map((i) => [Date.parse(i.lastSeen), i.id] as const);
    for (let i = 1; i < keys.length; i += 1) {
      const [t0, id0] = keys[i - 1]!;
      const [t1, id1] = keys[i]!;
      expect(t0 > t1 || (t0 === t1 && id0 > id1)).toBe(true);
    }
    // A filtered walk pages the same way.
    const first = await h.request<Page>('GET', '/api/alerts?limit=60&severity=low', { token });
    const second = await h.request<Page>(
      'GET',
      `/api/alerts?limit=60&severity=low&cursor=${first.body.nextCursor}`,
      {
        token,
      },
    );
    expect(second.body.items[0]!.id).toBe(seen[60]!.id);
  });
});

describe('GET /api/alerts/counts', () => {
  it('counts by severity and status under the filters', async () => {
    const res = await h.request<{
      total: number;
      bySeverity: Record<string, number>;
      byStatus: Record<string, number>;
      cells: unknown[];
    }>('GET', '/api/alerts/counts', { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.bySeverity).toMatchObject({ critical: 1, high: 1, low: 0 });
    expect(res.body.byStatus).toMatchObject({ new: 2, closed: 0 });
    expect(res.body.cells).toEqual([
      { severity: 'critical', status: 'new', count: 1 },
      { severity: 'high', status: 'new', count: 1 },
    ]);
    const filtered = await h.request<{ total: number }>('GET', '/api/alerts/counts?host=web-01', {
      token: tokenA,
    });
    expect(filtered.body.total).toBe(1);
    expect((await h.request('GET', '/api/alerts/counts?status=open', { token: tokenA })).status).toBe(400);
    expect((await h.request('GET', '/api/alerts/counts')).status).toBe(401);
    expect((await h.request('GET', '/api/alerts/counts', { token: nobodyToken })).status).toBe(403);
  });
});

describe('GET /api/alerts/:id', () => {
  it('returns the alert with its stored events, typed columns and payload, oldest first', async () => {
    const res = await h.request<{
      id: string;
      dedupeKey: string;
      eventRefs: number;
      events: Array<{
        table: string;
        seq: number;
        fields: Record<string, unknown>;
        data: unknown;
        time: string;
      }>;
    }>('GET', `/api/alerts/${shellWeb}`, { token: viewerToken });
    expect(res.status).toBe(200);
    expect(res.body.dedupeKey).toBe(`sigma:${ruleShell}:web-01`);
    expect(res.body.eventRefs).toBe(5);
    expect(res.body.events.map((e) => [e.table, e.seq])).toEqual([
      ['events', 1],
      ['events', 2],
      ['events', 3],
      ['network_events', 4],
    ]);
    expect(res.body.events[0]!.fields).toMatchObject({
      kind: 'process',
      processName: 'bash',
      processCommandLine: 'bash -c step1',
    });
    expect(res.body.events[0]!.data).toEqual({ process: { commandLine: 'bash -c step1' } });
    expect(res.body.events[3]!.fields).toMatchObject({ destinationIp: '10.0.0.9', destinationPort: 4444 });
    expect(JSON.stringify(res.body)).not.toContain('tenant b secret');
  });

  it('answers 404 for another tenant’s alert or an unknown id, 400 for a malformed one, 401, 403', async () => {
    expect((await h.request('GET', `/api/alerts/${alertB}`, { token: tokenA })).status).toBe(404);
    expect((await h.request('GET', `/api/alerts/${shellWeb}`, { token: tokenB })).status).toBe(404);
    expect((await h.request('GET', `/api/alerts/${randomUUID()}`, { token: tokenA })).status).toBe(404);
    expect((await h.request('GET', '/api/alerts/not-a-uuid', { token: tokenA })).status).toBe(400);
    expect((await h.request('GET', `/api/alerts/${shellWeb}`)).status).toBe(401);
    expect((await h.request('GET', `/api/alerts/${shellWeb}`, { token: nobodyToken })).status).toBe(403);
  });
});

describe('triage transitions', () => {
  async function fresh(): Promise<string> {
    const [row] = await raiseAlerts(ingest, a.id, [
      alertInput({ host_name: `h-${randomUUID().slice(0, 6)}` }),
    ]);
    return row!.id;
  }

  it('acknowledges, closes with a reason, reopens; refuses transitions the status does not allow', async () => {
    const id = await fresh();
    const ack = await h.request<Item & { acknowledgedAt: string }>('POST', `/api/alerts/${id}/acknowledge`, {
      token: tokenA,
    });
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe('acknowledged');
    expect(ack.body.acknowledgedAt).toBeTruthy();
    const again = await h.request<Problem>('POST', `/api/alerts/${id}/acknowledge`, { token: tokenA });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_alert_transition');
    expect((await h.request('POST', `/api/alerts/${id}/reopen`, { token: tokenA })).status).toBe(409);

    const close = await h.request<Item>('POST', `/api/alerts/${id}/close`, {
      token: tokenA,
      body: { reason: 'false_positive', comment: 'admin script' },
    });
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ status: 'closed', closeReason: 'false_positive' });
    expect(
      (await h.request('POST', `/api/alerts/${id}/close`, { token: tokenA, body: { reason: 'benign' } }))
        .status,
    ).toBe(409);
    expect((await h.request('POST', `/api/alerts/${id}/acknowledge`, { token: tokenA })).status).toBe(409);

    const reopen = await h.request<Item>('POST', `/api/alerts/${id}/reopen`, { token: tokenA });
    expect(reopen.status).toBe(200);
    expect(reopen.body).toMatchObject({ status: 'acknowledged', closeReason: null });

    const { rows } = await h.admin.query<{ action: string; actor_id: string; details: { to: string } }>(
      `SELECT action, actor_id, details FROM inosec.audit_log WHERE resource_id = $1 ORDER BY id`,
      [id],
    );
    expect(rows.map((r) => [r.action, r.details.to])).toEqual([
      ['alert.acknowledge', 'acknowledged'],
      ['alert.close', 'closed'],
      ['alert.reopen', 'acknowledged'],
    ]);
    expect(rows.every((r) => r.actor_id === analystA.id)).toBe(true);
  });

  it('validates bodies (400), needs alerts:write (403), and hides other tenants’ alerts (404, unchanged)', async () => {
    const id = await fresh();
    expect((await h.request('POST', `/api/alerts/${id}/close`, { token: tokenA, body: {} })).status).toBe(
      400,
    );
    expect(
      (await h.request('POST', `/api/alerts/${id}/close`, { token: tokenA, body: { reason: 'meh' } })).status,
    ).toBe(400);
    expect(
      (await h.request('POST', `/api/alerts/${id}/acknowledge`, { token: tokenA, body: { x: 1 } })).status,
    ).toBe(400);
    expect((await h.request('POST', `/api/alerts/${id}/acknowledge`)).status).toBe(401);
    expect((await h.request('POST', `/api/alerts/${id}/acknowledge`, { token: viewerToken })).status).toBe(
      403,
    );
    for (const [method, path, body] of [
      ['POST', `/api/alerts/${id}/acknowledge`, undefined],
      ['POST', `/api/alerts/${id}/close`, { reason: 'benign' }],
      ['POST', `/api/alerts/${id}/reopen`, undefined],
      ['PATCH', `/api/alerts/${id}`, { assigneeId: null }],
    ] as const) {
      expect((await h.request(method, path, { token: tokenB, body })).status, path).toBe(404);
    }
    const { rows } = await h.admin.query('SELECT status, assignee_id FROM telemetry.alerts WHERE id = $1', [
      id,
    ]);
    expect(rows[0]).toEqual({ status: 'new', assignee_id: null });
  });

  it('assigns to a user of the tenant only, and unassigns', async () => {
    const id = await fresh();
    const res = await h.request<Item>('PATCH', `/api/alerts/${id}`, {
      token: tokenA,
      body: { assigneeId: otherA.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.assignee).toMatchObject({ id: otherA.id, email: otherA.email });
    const mine = await h.request<Page>('GET', `/api/alerts?assigneeId=${otherA.id}`, { token: tokenA });
    expect(mine.body.items.map((i) => i.id)).toEqual([id]);
    const userB = (
      await h.admin.query<{ id: string }>('SELECT id FROM inosec.users WHERE tenant_id = $1', [b.id])
    ).rows[0]!.id;
    const foreign = await h.request<Problem>('PATCH', `/api/alerts/${id}`, {
      token: tokenA,
      body: { assigneeId: userB },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.code).toBe('unknown_assignee');
    expect(
      (await h.request('PATCH', `/api/alerts/${id}`, { token: tokenA, body: { assigneeId: 'x' } })).status,
    ).toBe(400);
    const unassigned = await h.request<Item>('PATCH', `/api/alerts/${id}`, {
      token: tokenA,
      body: { assigneeId: null },
    });
    expect(unassigned.body.assignee).toBeNull();
  });

  it('refuses to reopen an alert whose rule and host opened a newer alert (409)', async () => {
    const input = alertInput({ host_name: 'reopen-host' });
    const [first] = await raiseAlerts(ingest, a.id, [input]);
    await h.request('POST', `/api/alerts/${first!.id}/close`, { token: tokenA, body: { reason: 'benign' } });
    const [second] = await raiseAlerts(ingest, a.id, [input]);
    expect(second!.id).not.toBe(first!.id);
    const res = await h.request<Problem>('POST', `/api/alerts/${first!.id}/reopen`, { token: tokenA });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('alert_reopen_conflict');
  });
});

describe('POST /api/alerts/bulk', () => {
  it('applies one action to many alerts and reports each id’s outcome', async () => {
    const ids = await insertAlerts(h, a.id, 5, { host: 'bulk-a' });
    const [closed] = await insertAlerts(h, a.id, 1, { host: 'bulk-closed', status: 'closed' });
    const unknown = randomUUID();
    const res = await h.request<{
      results: Array<{ id: string; outcome: string; status?: string }>;
      updated: number;
    }>('POST', '/api/alerts/bulk', {
      token: tokenA,
      body: { ids: [...ids, closed, alertB, unknown], action: 'close', reason: 'duplicate' },
    });
    expect(res.status).toBe(200);
    expect(res.body.updated).toBe(5);
    expect(res.body.results).toEqual([
      ...ids.map((id) => ({ id, outcome: 'updated', status: 'closed' })),
      { id: closed, outcome: 'conflict', status: 'closed' },
      { id: alertB, outcome: 'not_found' },
      { id: unknown, outcome: 'not_found' },
    ]);
    const { rows } = await h.admin.query<{ status: string }>(
      'SELECT status FROM telemetry.alerts WHERE id = $1',
      [alertB],
    );
    expect(rows[0]!.status).toBe('new');
    const audit = await h.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inosec.audit_log WHERE action = 'alert.close' AND resource_id = ANY($1)`,
      [ids],
    );
    expect(audit.rows[0]!.n).toBe(5);

    const assign = await h.request<{ updated: number }>('POST', '/api/alerts/bulk', {
      token: tokenA,
      body: { ids, action: 'assign', assigneeId: analystA.id },
    });
    expect(assign.body.updated).toBe(5);
  });

  it('refuses malformed bulk requests', async () => {
    const body = (extra: object) => ({ token: tokenA, body: { ids: [randomUUID()], ...extra } });
    expect((await h.request('POST', '/api/alerts/bulk', body({ action: 'close' }))).status).toBe(400);
    expect((await h.request('POST', '/api/alerts/bulk', body({ action: 'assign' }))).status).toBe(400);
    expect((await h.request('POST', '/api/alerts/bulk', body({ action: 'delete' }))).status).toBe(400);
    expect(
      (await h.request('POST', '/api/alerts/bulk', body({ action: 'acknowledge', reason: 'benign' }))).status,
    ).toBe(400);
    const many = Array.from({ length: 501 }, () => randomUUID());
    expect(
      (
        await h.request('POST', '/api/alerts/bulk', {
          token: tokenA,
          body: { ids: many, action: 'acknowledge' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await h.request('POST', '/api/alerts/bulk', {
          token: viewerToken,
          body: { ids: [shellWeb], action: 'acknowledge' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await h.request('POST', '/api/alerts/bulk', { body: { ids: [shellWeb], action: 'acknowledge' } }))
        .status,
    ).toBe(401);
  });
});
