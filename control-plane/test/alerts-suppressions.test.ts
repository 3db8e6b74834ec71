// Suppressions against a real PostgreSQL: a rule silenced for a host stops raise_alerts (the collector's path)
// for that host only, counts what it suppressed, can close the open alerts it covers, and is tenant-scoped.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, ingestPool, raiseAlerts } from './support/alerts-fixtures.js';
import { startApiHarness, type ApiHarness, type SeededTenant } from './support/api-harness.js';

interface Suppression {
  id: string;
  ruleId: string;
  hostName: string | null;
  active: boolean;
  suppressedCount: number;
  lastSuppressedAt: string | null;
  expiresAt: string | null;
}

let h: ApiHarness;
let ingest: pg.Pool;
let a: SeededTenant;
let b: SeededTenant;
let tokenA: string;
let viewerA: string;
let tokenB: string;

beforeAll(async () => {
  h = await startApiHarness();
  ingest = await ingestPool(h);
  a = await h.seedTenant('supp-a');
  b = await h.seedTenant('supp-b');
  tokenA = await h.tokenFor(await h.seedUser(a, { roles: ['analyst'] }));
  viewerA = await h.tokenFor(await h.seedUser(a, { roles: ['viewer'] }));
  tokenB = await h.tokenFor(await h.seedUser(b, { roles: ['admin'] }));
}, 120_000);

afterAll(async () => {
  await ingest?.end();
  await h?.close();
});

async function suppress(body: object, token = tokenA) {
  return h.request<{ suppression: Suppression; closedAlerts: number }>('POST', '/api/suppressions', {
    token,
    body,
  });
}

async function listA(query = ''): Promise<Suppression[]> {
  return (await h.request<{ items: Suppression[] }>('GET', `/api/suppressions${query}`, { token: tokenA }))
    .body.items;
}

describe('suppressions', () => {
  it('stops the next raise_alerts of the rule for that host, not for another host, and counts', async () => {
    const rule = randomUUID();
    const created = await suppress({ ruleId: rule, hostName: 'WEB-01', reason: 'vulnerability scanner' });
    expect(created.status).toBe(201);
    expect(created.body.suppression).toMatchObject({
      ruleId: rule,
      hostName: 'WEB-01',
      active: true,
      suppressedCount: 0,
    });

    const raised = await raiseAlerts(ingest, a.id, [
      alertInput({ rule_id: rule, host_name: 'web-01', count: 3 }),
      alertInput({ rule_id: rule, host_name: 'web-02' }),
      alertInput({ host_name: 'web-01' }), // another rule, same host
    ]);
    expect(raised.map((r) => r.dedupe_key.split(':').at(-1)).sort()).toEqual(['web-01', 'web-02']);
    expect(raised.some((r) => r.dedupe_key === `sigma:${rule}:web-01`)).toBe(false);
    const { rows } = await h.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM telemetry.alerts WHERE tenant_id = $1 AND rule_id = $2 AND host_name = 'web-01'`,
      [a.id, rule],
    );
    expect(rows[0]!.n).toBe(0);
    const [listed] = await listA(`?ruleId=${rule}`);
    expect(listed).toMatchObject({ suppressedCount: 3 });
    expect(listed!.lastSuppressedAt).not.toBeNull();

    // Another tenant's same rule and host is not suppressed.
    const inB = await raiseAlerts(ingest, b.id, [alertInput({ rule_id: rule, host_name: 'web-01' })]);
    expect(inB).toHaveLength(1);

    // Deleted: the rule raises for that host again.
    expect((await h.request('DELETE', `/api/suppressions/${listed!.id}`, { token: tokenA })).status).toBe(
      204,
    );
    expect(
      await raiseAlerts(ingest, a.id, [alertInput({ rule_id: rule, host_name: 'web-01' })]),
    ).toHaveLength(1);
    const audit = await h.admin.query<{ action: string }>(
      `SELECT action FROM inosec.audit_log WHERE resource_id = $1 ORDER BY id`,
      [listed!.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['suppression.create', 'suppression.delete']);
  });

  it('suppresses a rule tenant-wide; an expired suppression suppresses nothing', async () => {
    const rule = randomUUID();
    await suppress({ ruleId: rule, reason: 'noisy everywhere' });
    expect(
      await raiseAlerts(ingest, a.id, [
        alertInput({ rule_id: rule, host_name: 'x-1' }),
        alertInput({ rule_id: rule, host_name: null }),
      ]),
    ).toEqual([]);
    const [tenantWide] = await listA(`?ruleId=${rule}`);
    expect(tenantWide).toMatchObject({ hostName: null, suppressedCount: 2 });

    const expiring = randomUUID();
    const res = await suppress({
      ruleId: expiring,
      reason: 'maintenance window',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await h.admin.query(
      `UPDATE telemetry.alert_suppressions SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [res.body.suppression.id],
    );
    expect(await raiseAlerts(ingest, a.id, [alertInput({ rule_id: expiring })])).toHaveLength(1);
    expect((await listA(`?ruleId=${expiring}`)).length).toBe(0);
    const all = await listA(`?ruleId=${expiring}&includeExpired=true`);
    expect(all.map((s) => [s.active, s.suppressedCount])).toEqual([[false, 0]]);
  });

  it('may close the open alerts it covers', async () => {
    const rule = randomUUID();
    const raised = await raiseAlerts(ingest, a.id, [
      alertInput({ rule_id: rule, host_name: 'db-1' }),
      alertInput({ rule_id: rule, host_name: 'db-2' }),
    ]);
    const res = await suppress({
      ruleId: rule,
      hostName: 'db-1',
      reason: 'backup job',
      closeOpen: true,
      closeReason: 'benign',
    });
    expect(res.status).toBe(201);
    expect(res.body.closedAlerts).toBe(1);
    const { rows } = await h.admin.query<{ host_name: string; status: string; close_reason: string | null }>(
      'SELECT host_name, status, close_reason FROM telemetry.alerts WHERE id = ANY($1) ORDER BY host_name',
      [raised.map((r) => r.id)],
    );
    expect(rows).toEqual([
      { host_name: 'db-1', status: 'closed', close_reason: 'benign' },
      { host_name: 'db-2', status: 'new', close_reason: null },
    ]);
  });

  it('refuses a duplicate live suppression (409) and bad input (400)', async () => {
    const rule = randomUUID();
    expect((await suppress({ ruleId: rule, hostName: 'h1', reason: 'r' })).status).toBe(201);
    const dup = await suppress({ ruleId: rule, hostName: 'H1', reason: 'again' });
    expect(dup.status).toBe(409);
    expect((await suppress({ ruleId: rule, hostName: 'h2', reason: 'other host' })).status).toBe(201);
    expect((await suppress({ ruleId: rule, hostName: 'h3' })).status).toBe(400);
    expect((await suppress({ ruleId: '', reason: 'x' })).status).toBe(400);
    expect((await suppress({ ruleId: rule, reason: 'x', expiresAt: '2001-01-01T00:00:00Z' })).status).toBe(
      400,
    );
    expect((await suppress({ ruleId: rule, reason: 'x', expiresAt: 'tomorrow' })).status).toBe(400);
    expect((await suppress({ ruleId: rule, reason: 'x', hostName: 'h9', extra: true })).status).toBe(400);
    expect((await h.request('GET', '/api/suppressions?includeExpired=yes', { token: tokenA })).status).toBe(
      400,
    );
  });

  it('is tenant-scoped: 401, 403, and 404 for another tenant’s suppression', async () => {
    const rule = randomUUID();
    const { body } = await suppress({ ruleId: rule, reason: 'a only' });
    const listB = await h.request<{ items: Suppression[] }>('GET', '/api/suppressions', { token: tokenB });
    expect(listB.status).toBe(200);
    expect(listB.body.items.some((s) => s.id === body.suppression.id)).toBe(false);
    expect(
      (await h.request('DELETE', `/api/suppressions/${body.suppression.id}`, { token: tokenB })).status,
    ).toBe(404);
    expect((await h.request('DELETE', `/api/suppressions/${randomUUID()}`, { token: tokenA })).status).toBe(
      404,
    );
    expect((await h.request('DELETE', '/api/suppressions/nope', { token: tokenA })).status).toBe(400);
    expect((await h.request('GET', '/api/suppressions')).status).toBe(401);
    expect((await h.request('GET', '/api/suppressions', { token: viewerA })).status).toBe(200);
    expect((await suppress({ ruleId: rule, hostName: 'v', reason: 'viewer' }, viewerA)).status).toBe(403);
    expect(
      (await h.request('DELETE', `/api/suppressions/${body.suppression.id}`, { token: viewerA })).status,
    ).toBe(403);
    expect((await listA(`?ruleId=${rule}`)).length).toBe(1);
  });

  it('pages with the cursor', async () => {
    const rule = randomUUID();
    for (let i = 0; i < 5; i += 1) await suppress({ ruleId: rule, hostName: `p-${i}`, reason: 'page' });
    const first = await h.request<{ items: Suppression[]; nextCursor: string }>(
      'GET',
      `/api/suppressions?ruleId=${rule}&limit=3`,
      { token: tokenA },
    );
    const second = await h.request<{ items: Suppression[]; nextCursor: string | null }>(
      'GET',
      `/api/suppressions?ruleId=${rule}&limit=3&cursor=${first.body.nextCursor}`,
      { token: tokenA },
    );
    const hosts = [...first.body.items, ...second.body.items].map((s) => s.hostName);
    expect(hosts).toEqual(['p-4', 'p-3', 'p-2', 'p-1', 'p-0']);
    expect(second.body.nextCursor).toBeNull();
  });
});
