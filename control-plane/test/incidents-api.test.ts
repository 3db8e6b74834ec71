// The incidents API against a real PostgreSQL: create with alerts, list with filters and pages, status
// transitions, assignment, alerts added and removed, notes, and the timeline merging activity with the
// alerts' stored events in time order; tenant isolation and permissions on every route.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, ingestPool, insertEvent, raiseAlerts } from './support/alerts-fixtures.js';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';

interface Incident {
  id: string;
  number: number;
  title: string;
  severity: string;
  status: string;
  assignee: { id: string } | null;
  alertCount: number;
  resolvedAt: string | null;
  closedAt: string | null;
}
interface Detail extends Incident {
  alerts: Array<{ id: string; incidentId: string }>;
  notes: Array<{ body: string; authorId: string }>;
  activity: Array<{ kind: string; details: Record<string, unknown> }>;
  timeline: Array<{
    type: string;
    at: string;
    alertId?: string;
    activity?: { kind: string };
    event?: { seq: number };
  }>;
}

let h: ApiHarness;
let ingest: pg.Pool;
let a: SeededTenant;
let b: SeededTenant;
let analyst: SeededUser;
let tokenA: string;
let viewerA: string;
let operatorA: string;
let tokenB: string;
let alertB: string;
const minute = 60_000;

async function raise(
  n: number,
  withEvents = false,
  severity: 'low' | 'high' | 'critical' = 'low',
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const agent = `agent-${randomUUID().slice(0, 6)}`;
    const times = [
      new Date(Date.now() - 50 * minute).toISOString(),
      new Date(Date.now() - 40 * minute).toISOString(),
    ];
    if (withEvents) {
      for (const [k, time] of times.entries())
        await insertEvent(h, a.id, { agentId: agent, seq: k + 1, time });
    }
    const [row] = await raiseAlerts(ingest, a.id, [
      alertInput({
        agent_id: agent,
        severity,
        host_name: agent,
        first_seen: times[0],
        last_seen: times[1],
        events: withEvents ? times.map((time, k) => ({ agent_id: agent, seq: k + 1, time })) : [],
      }),
    ]);
    ids.push(row!.id);
  }
  return ids;
}

beforeAll(async () => {
  h = await startApiHarness();
  ingest = await ingestPool(h);
  a = await h.seedTenant('inc-a');
  b = await h.seedTenant('inc-b');
  analyst = await h.seedUser(a, { roles: ['analyst'] });
  tokenA = await h.tokenFor(analyst);
  viewerA = await h.tokenFor(await h.seedUser(a, { roles: ['viewer'] }));
  operatorA = await h.tokenFor(await h.seedUser(a, { roles: ['fleet-operator'] }));
  tokenB = await h.tokenFor(await h.seedUser(b, { roles: ['admin'] }));
  const [row] = await raiseAlerts(ingest, b.id, [alertInput()]);
  alertB = row!.id;
}, 120_000);

afterAll(async () => {
  await ingest?.end();
  await h?.close();
});

describe('incidents', () => {
  it('creates an incident with alerts, numbered per tenant, severity from its alerts', async () => {
    const ids = await raise(2, false, 'high');
    const res = await h.request<Incident>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'Ransomware on file servers', alertIds: ids, description: 'started Friday' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ number: 1, severity: 'high', status: 'open', alertCount: 2 });
    const second = await h.request<Incident>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'Second' },
    });
    expect(second.body).toMatchObject({ number: 2, severity: 'medium', alertCount: 0 });
    const inB = await h.request<Incident>('POST', '/api/incidents', {
      token: tokenB,
      body: { title: 'B first' },
    });
    expect(inB.body.number).toBe(1);
    const alerts = await h.request<{ items: Array<{ id: string }> }>(
      'GET',
      `/api/alerts?incidentId=${res.body.id}`,
      {
        token: tokenA,
      },
    );
    expect(alerts.body.items.map((i) => i.id).sort()).toEqual([...ids].sort());
  });

  it('refuses alerts of another tenant (422) or of another incident (409), and bad bodies (400)', async () => {
    const foreign = await h.request<{ code: string }>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'x', alertIds: [alertB] },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.code).toBe('unknown_alerts');
    const [taken] = await raise(1);
    const first = await h.request<Incident>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'one', alertIds: [taken] },
    });
    const again = await h.request<{ code: string }>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'two', alertIds: [taken] },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('alert_in_other_incident');
    // Adding it to the incident it is in already is a no-op.
    expect(
      (
        await h.request('POST', `/api/incidents/${first.body.id}/alerts`, {
          token: tokenA,
          body: { alertIds: [taken] },
        })
      ).status,
    ).toBe(200);
    for (const body of [
      {},
      { title: '' },
      { title: 'x', severity: 'urgent' },
      { title: 'x', alertIds: ['nope'] },
      { title: 'x', y: 1 },
    ]) {
      expect(
        (await h.request('POST', '/api/incidents', { token: tokenA, body })).status,
        JSON.stringify(body),
      ).toBe(400);
    }
    expect((await h.request('POST', '/api/incidents', { body: { title: 'x' } })).status).toBe(401);
    expect((await h.request('POST', '/api/incidents', { token: viewerA, body: { title: 'x' } })).status).toBe(
      403,
    );
  });

  it('moves through allowed statuses only and records each change', async () => {
    const { body: incident } = await h.request<Incident>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'Flow' },
    });
    const patch = (body: object, token = tokenA) =>
      h.request<Incident & { code?: string }>('PATCH', `/api/incidents/${incident.id}`, { token, body });
    expect((await patch({ status: 'investigating' })).body.status).toBe('investigating');
    expect(
      (await patch({ status: 'contained', severity: 'critical', assigneeId: analyst.id })).body,
    ).toMatchObject({
      status: 'contained',
      severity: 'critical',
      assignee: { id: analyst.id },
    });
    const bad = await patch({ status: 'open' });
    expect(bad.status).toBe(409);
    expect(bad.body.code).toBe('invalid_incident_transition');
    const resolved = await patch({ status: 'resolved', resolution: 'hosts reimaged' });
    expect(resolved.body.resolvedAt).not.toBeNull();
    const closed = await patch({ status: 'closed' });
    expect(closed.body.closedAt).not.toBeNull();
    expect((await patch({ status: 'contained' })).status).toBe(409);
    expect((await patch({ status: 'investigating' })).body).toMatchObject({
      status: 'investigating',
      closedAt: null,
      resolvedAt: null,
    });
    expect((await patch({})).status).toBe(400);
    expect((await patch({ status: 'done' })).status).toBe(400);
    expect((await patch({ assigneeId: randomUUID() })).status).toBe(422);
    expect((await patch({ title: 'x' }, viewerA)).status).toBe(403);
    expect((await patch({ title: 'x' }, tokenB)).status).toBe(404);

    const detail = await h.request<Detail>('GET', `/api/incidents/${incident.id}`, { token: viewerA });
    expect(detail.body.activity.map((x) => x.kind)).toEqual([
      'created',
      'status_changed',
      'status_changed',
      'assignee_changed',
      'severity_changed',
      'status_changed',
      'resolution_changed',
      'status_changed',
      'status_changed',
    ]);
    const audit = await h.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inosec.audit_log WHERE resource_id = $1 AND action = 'incident.update'`,
      [incident.id],
    );
    expect(audit.rows[0]!.n).toBe(5);
  });

  it('shows alerts, notes, activity, and a timeline of activity and events in time order', async () => {
    const ids = await raise(2, true);
    const { body: incident } = await h.request<Incident>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'Timeline', alertIds: [ids[0]] },
    });
    expect(
      (
        await h.request('POST', `/api/incidents/${incident.id}/alerts`, {
          token: tokenA,
          body: { alertIds: [ids[1]] },
        })
      ).status,
    ).toBe(200);
    const note = await h.request<{ body: string }>('POST', `/api/incidents/${incident.id}/notes`, {
      token: tokenA,
      body: { body: 'Isolated both hosts.' },
    });
    expect(note.status).toBe(201);
    expect(
      (
        await h.request('POST', `/api/incidents/${incident.id}/notes`, {
          token: tokenA,
          body: { body: 'x'.repeat(10_001) },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await h.request('POST', `/api/incidents/${incident.id}/notes`, {
          token: tokenA,
          body: { body: '  ' },
        })
      ).status,
    ).toBe(400);

    const res = await h.request<Detail>('GET', `/api/incidents/${incident.id}`, { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.body.alerts.map((x) => x.id).sort()).toEqual([...ids].sort());
    expect(res.body.notes.map((n) => [n.body, n.authorId])).toEqual([['Isolated both hosts.', analyst.id]]);
    expect(res.body.activity.map((x) => x.kind)).toEqual([
      'created',
      'alert_added',
      'alert_added',
      'note_added',
    ]);
    const timeline = res.body.timeline;
    expect(timeline.filter((t) => t.type === 'event')).toHaveLength(4);
    expect(timeline.filter((t) => t.type === 'activity')).toHaveLength(4);
    // Events (50 and 40 minutes ago) come before the incident's activity (now), everything in time order.
    expect(timeline.slice(0, 4).every((t) => t.type === 'event')).toBe(true);
    const times = timeline.map((t) => Date.parse(t.at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(new Set(timeline.filter((t) => t.type === 'event').map((t) => t.alertId))).toEqual(new Set(ids));

    // Removing an alert: 404 for one not in it, then gone from the incident.
    expect(
      (await h.request('DELETE', `/api/incidents/${incident.id}/alerts/${alertB}`, { token: tokenA })).status,
    ).toBe(404);
    const removed = await h.request<Incident>('DELETE', `/api/incidents/${incident.id}/alerts/${ids[0]}`, {
      token: tokenA,
    });
    expect(removed.status).toBe(200);
    expect(removed.body.alertCount).toBe(1);
    const after = await h.request<Detail>('GET', `/api/incidents/${incident.id}`, { token: tokenA });
    expect(after.body.activity.at(-1)).toMatchObject({ kind: 'alert_removed', details: { alertId: ids[0] } });
  });

  it('hides one tenant’s incidents from another (404 on every route) and checks permissions', async () => {
    const { body: incident } = await h.request<Incident>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'Private' },
    });
    const [alert] = await raise(1);
    for (const [method, path, body] of [
      ['GET', `/api/incidents/${incident.id}`, undefined],
      ['PATCH', `/api/incidents/${incident.id}`, { title: 'mine' }],
      ['POST', `/api/incidents/${incident.id}/alerts`, { alertIds: [alertB] }],
      ['DELETE', `/api/incidents/${incident.id}/alerts/${alert}`, undefined],
      ['POST', `/api/incidents/${incident.id}/notes`, { body: 'hi' }],
    ] as const) {
      expect((await h.request(method, path, { token: tokenB, body })).status, `${method} ${path}`).toBe(404);
    }
    const listB = await h.request<{ items: Incident[] }>('GET', '/api/incidents', { token: tokenB });
    expect(listB.body.items.some((i) => i.id === incident.id)).toBe(false);
    expect((await h.request('GET', `/api/incidents/${randomUUID()}`, { token: tokenA })).status).toBe(404);
    expect((await h.request('GET', '/api/incidents/nope', { token: tokenA })).status).toBe(400);
    expect((await h.request('GET', '/api/incidents')).status).toBe(401);
    expect((await h.request('GET', '/api/incidents', { token: operatorA })).status).toBe(403);
    expect(
      (
        await h.request('POST', `/api/incidents/${incident.id}/notes`, {
          token: viewerA,
          body: { body: 'hi' },
        })
      ).status,
    ).toBe(403);
    // B adding A's alert to B's incident: the alert does not exist for B.
    const { body: incidentB } = await h.request<Incident>('POST', '/api/incidents', {
      token: tokenB,
      body: { title: 'B' },
    });
    expect(
      (
        await h.request('POST', `/api/incidents/${incidentB.id}/alerts`, {
          token: tokenB,
          body: { alertIds: [alert] },
        })
      ).status,
    ).toBe(422);
  });

  it('lists with filters and pages without duplicates', async () => {
    const tenant = await h.seedTenant('inc-list');
    const user = await h.seedUser(tenant, { roles: ['analyst'] });
    const token = await h.tokenFor(user);
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const res = await h.request<Incident>('POST', '/api/incidents', {
        token,
        body: { title: `I${i}`, severity: i % 2 === 0 ? 'high' : 'low' },
      });
      created.push(res.body.id);
    }
    await h.request('PATCH', `/api/incidents/${created[0]}`, {
      token,
      body: { status: 'investigating', assigneeId: user.id },
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Incident[]; nextCursor: string | null } } = await h.request(
        'GET',
        `/api/incidents?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...created].reverse());
    const high = await h.request<{ items: Incident[] }>('GET', '/api/incidents?severity=high', { token });
    expect(high.body.items).toHaveLength(4);
    const investigating = await h.request<{ items: Incident[] }>(
      'GET',
      '/api/incidents?status=investigating',
      { token },
    );
    expect(investigating.body.items.map((i) => i.id)).toEqual([created[0]]);
    const assigned = await h.request<{ items: Incident[] }>('GET', `/api/incidents?assigneeId=${user.id}`, {
      token,
    });
    expect(assigned.body.items.map((i) => i.id)).toEqual([created[0]]);
    expect((await h.request('GET', '/api/incidents?status=new', { token })).status).toBe(400);
  });
});
