// Live updates over Server-Sent Events against a real PostgreSQL: an alert raised the collector's way
// (telemetry.raise_alerts → NOTIFY) and an analyst's acknowledgement reach the tenant's streams only;
// incident events need incidents:read; Last-Event-ID replays what a client missed; the LISTEN connection
// comes back after its backend is killed; the per-tenant stream limit answers 429.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStreamService, MAX_STREAMS_PER_TENANT } from '../src/alerts/alert-stream.service.js';
import { alertInput, ingestPool, raiseAlerts, SseClient, type SseEvent } from './support/alerts-fixtures.js';
import { startApiHarness, type ApiHarness, type SeededTenant } from './support/api-harness.js';

let h: ApiHarness;
let ingest: pg.Pool;
let a: SeededTenant;
let b: SeededTenant;
let tokenA: string;
let operatorA: string;
let nobodyA: string;
let tokenB: string;
const clients: SseClient[] = [];

function stream(token: string, headers: Record<string, string> = {}): SseClient {
  const client = new SseClient(`${h.url}/api/alerts/stream?access_token=${token}`, headers);
  clients.push(client);
  return client;
}

const about = (id: string) => (e: SseEvent) => e.data.includes(id);

beforeAll(async () => {
  h = await startApiHarness();
  ingest = await ingestPool(h);
  a = await h.seedTenant('stream-a');
  b = await h.seedTenant('stream-b');
  const { rows } = await h.admin.query<{ id: string }>(
    `INSERT INTO inosec.roles (tenant_id, name, permissions) VALUES ($1, 'nobody', '{tenant:read}') RETURNING id`,
    [a.id],
  );
  a.roles['nobody'] = rows[0]!.id;
  tokenA = await h.tokenFor(await h.seedUser(a, { roles: ['analyst'] }));
  operatorA = await h.tokenFor(await h.seedUser(a, { roles: ['fleet-operator'] }));
  nobodyA = await h.tokenFor(await h.seedUser(a, { roles: ['nobody'] }));
  tokenB = await h.tokenFor(await h.seedUser(b, { roles: ['admin'] }));
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await ingest?.end();
  await h?.close();
});

describe('GET /api/alerts/stream', () => {
  it('refuses without a token (401) or without alerts:read (403)', async () => {
    expect((await h.request('GET', '/api/alerts/stream')).status).toBe(401);
    expect((await h.request('GET', '/api/alerts/stream?access_token=not.a.token')).status).toBe(401);
    expect((await h.request('GET', `/api/alerts/stream?access_token=${nobodyA}`)).status).toBe(403);
    expect((await h.request('GET', `/api/alerts/stream?access_token=${tokenA}&x=1`)).status).toBe(400);
    // Only the stream takes the token from the query.
    expect((await h.request('GET', `/api/alerts?access_token=${tokenA}`)).status).toBe(401);
  });

  it('sends a tenant its new alerts (raised by the collector’s path) and their changes, and nothing of others', async () => {
    const clientA = stream(tokenA);
    const clientB = stream(tokenB);
    await Promise.all([clientA.connected, clientB.connected]);
    expect(clientA.status).toBe(200);

    const [raised] = await raiseAlerts(ingest, a.id, [alertInput({ severity: 'critical' })]);
    const created = await clientA.waitFor((e) => e.event === 'alert.created' && e.data.includes(raised!.id));
    expect(created.id).toMatch(/^[0-9a-f]{8}-\d+$/);
    const data = JSON.parse(created.data) as {
      id: string;
      alert: { id: string; severity: string; status: string };
    };
    expect(data).toMatchObject({
      id: raised!.id,
      alert: { id: raised!.id, severity: 'critical', status: 'new' },
    });

    expect((await h.request('POST', `/api/alerts/${raised!.id}/acknowledge`, { token: tokenA })).status).toBe(
      200,
    );
    const updated = await clientA.waitFor((e) => e.event === 'alert.updated' && e.data.includes(raised!.id));
    expect(JSON.parse(updated.data)).toMatchObject({
      changed: ['status', 'acknowledgedAt'],
      alert: { status: 'acknowledged' },
    });

    // A merge into the open alert is an update too.
    await raiseAlerts(ingest, a.id, [{ ...alertInput(), dedupe_key: await dedupeOf(raised!.id) }]);
    await clientA.waitFor((e) => e.event === 'alert.updated' && e.data.includes('"count":2'));

    // B's own alert reaches B (the sync point), and B got nothing of A's.
    const [ofB] = await raiseAlerts(ingest, b.id, [alertInput()]);
    await clientB.waitFor(about(ofB!.id));
    expect(clientB.events.some(about(raised!.id))).toBe(false);
    expect(clientA.events.some(about(ofB!.id))).toBe(false);
  });

  it('sends incident events only to streams that may read incidents', async () => {
    const analyst = stream(tokenA);
    const operator = stream(operatorA);
    await Promise.all([analyst.connected, operator.connected]);
    const res = await h.request<{ id: string }>('POST', '/api/incidents', {
      token: tokenA,
      body: { title: 'Live' },
    });
    expect(res.status).toBe(201);
    const event = await analyst.waitFor(
      (e) => e.event === 'incident.updated' && e.data.includes(res.body.id),
    );
    expect(JSON.parse(event.data)).toMatchObject({ incident: { title: 'Live', number: 1 } });
    // The operator still sees alerts: its next alert event proves the incident one was not just late.
    const [raised] = await raiseAlerts(ingest, a.id, [alertInput()]);
    await operator.waitFor(about(raised!.id));
    expect(operator.events.some((e) => e.event.startsWith('incident.'))).toBe(false);
  });

  it('replays what a reconnecting client missed after its Last-Event-ID, or asks it to resync', async () => {
    const first = stream(tokenA);
    await first.connected;
    const [one] = await raiseAlerts(ingest, a.id, [alertInput()]);
    const seen = await first.waitFor(about(one!.id));
    first.close();
    const [missed] = await raiseAlerts(ingest, a.id, [alertInput()]);
    const again = stream(tokenA, { 'Last-Event-ID': seen.id! });
    const replayed = await again.waitFor(about(missed!.id));
    expect(replayed.event).toBe('alert.created');
    expect(again.events.some(about(one!.id))).toBe(false);

    const stale = stream(tokenA, { 'Last-Event-ID': '00000000-5' });
    await stale.waitFor((e) => e.event === 'resync');
  });

  it('listens again after the LISTEN connection is killed, and tells streams to resync', async () => {
    const client = stream(tokenA);
    await client.connected;
    const { rows } = await h.admin.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'inosec-alert-stream'`,
    );
    expect(rows[0]!.n).toBe(1);
    await client.waitFor((e) => e.event === 'resync', 15_000);
    const [raised] = await raiseAlerts(ingest, a.id, [alertInput()]);
    await client.waitFor(about(raised!.id));
  });

  it('limits streams per tenant (429) and forgets closed ones', async () => {
    const service = h.server.app.get(AlertStreamService);
    for (const client of clients.splice(0)) client.close();
    await waitUntil(() => service.streamCount(a.id) === 0);
    const many = Array.from({ length: MAX_STREAMS_PER_TENANT }, () => stream(tokenA));
    await Promise.all(many.map((c) => c.connected));
    expect(service.streamCount(a.id)).toBe(MAX_STREAMS_PER_TENANT);
    const refused = await h.request<{ code: string }>('GET', `/api/alerts/stream?access_token=${tokenA}`);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('too_many_streams');
    // Another tenant is not limited by A's streams.
    const other = stream(tokenB);
    await other.connected;
    expect(other.status).toBe(200);
    many[0]!.close();
    await waitUntil(() => service.streamCount(a.id) === MAX_STREAMS_PER_TENANT - 1);
    const next = stream(tokenA);
    await next.connected;
    expect(next.status).toBe(200);
  });
});

async function dedupeOf(id: string): Promise<string> {
  const { rows } = await h.admin.query<{ dedupe_key: string }>(
    'SELECT dedupe_key FROM telemetry.alerts WHERE id = $1',
    [id],
  );
  return rows[0]!.dedupe_key;
}

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
