// Fixtures for the alerts, incidents and rules API tests: alerts raised the collector's way (the ingest role
// calling telemetry.raise_alerts in a transaction set to the tenant), bulk alerts and stored events inserted
// through the superuser pool, and a small Server-Sent Events client.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ApiHarness } from './api-harness.js';

/** One alert as the collector hands it to raise_alerts. */
export interface RaisedAlert {
  agent_id: string | null;
  rule_id: string;
  rule_name: string;
  ruleset: string;
  severity: 'informational' | 'low' | 'medium' | 'high' | 'critical';
  title: string;
  description: string | null;
  tactics: string[];
  techniques: string[];
  tags: string[];
  host_name: string | null;
  host_id: string | null;
  dedupe_key: string;
  first_seen: string;
  last_seen: string;
  count: number;
  events: Array<{ agent_id: string; seq: number; time: string }>;
  group_by: Record<string, string> | null;
}

/** A raise_alerts row with sensible defaults; the dedupe key follows the rule and host. */
export function alertInput(overrides: Partial<RaisedAlert> = {}): RaisedAlert {
  const ruleId = overrides.rule_id ?? randomUUID();
  const host = overrides.host_name === undefined ? 'web-01' : overrides.host_name;
  const now = new Date().toISOString();
  return {
    agent_id: 'agent-1',
    rule_id: ruleId,
    rule_name: 'Suspicious Shell',
    ruleset: 'sigma',
    severity: 'high',
    title: `Suspicious Shell on ${host ?? 'many hosts'}`,
    description: 'a shell did something',
    tactics: ['execution'],
    techniques: ['T1059.004'],
    tags: ['attack.execution', 'attack.t1059.004'],
    host_name: host,
    host_id: host === null ? null : `${host}-id`,
    dedupe_key: `sigma:${ruleId}:${host ?? '-'}`,
    first_seen: now,
    last_seen: now,
    count: 1,
    events: [],
    group_by: null,
    ...overrides,
  };
}

/** The ingest role's pool (a login role member of inosec_ingest). */
export async function ingestPool(h: ApiHarness): Promise<pg.Pool> {
  const password = randomBytes(12).toString('hex');
  const name = `api_ingest_${randomBytes(3).toString('hex')}`;
  await h.admin.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}' IN ROLE inosec_ingest`);
  const url = new URL(h.pg.url);
  url.username = name;
  url.password = password;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  pool.on('error', () => undefined);
  return pool;
}

/** Raises alerts for `tenantId` the collector's way; returns what raise_alerts returned. */
export async function raiseAlerts(
  ingest: pg.Pool,
  tenantId: string,
  alerts: RaisedAlert[],
): Promise<Array<{ id: string; dedupe_key: string; inserted: boolean; count: string }>> {
  const client = await ingest.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenantId]);
    const { rows } = await client.query<{ id: string; dedupe_key: string; inserted: boolean; count: string }>(
      'SELECT id::text, dedupe_key, inserted, count::text FROM telemetry.raise_alerts($1::jsonb)',
      [JSON.stringify(alerts)],
    );
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Inserts `n` alerts for a tenant in one statement (fixtures), last_seen one second apart from `start`. */
export async function insertAlerts(
  h: ApiHarness,
  tenantId: string,
  n: number,
  options: { start?: Date; sameTime?: boolean; severity?: string; host?: string; status?: string } = {},
): Promise<string[]> {
  const start = options.start ?? new Date(Date.now() - n * 1000);
  const { rows } = await h.admin.query<{ id: string }>(
    `INSERT INTO telemetry.alerts (tenant_id, rule_id, rule_name, ruleset, severity, title, host_name,
       dedupe_key, first_seen, last_seen, techniques, status)
     SELECT $1::uuid, 'bulk-rule', 'Bulk Rule', 'sigma', $4, 'Bulk alert ' || g, $5,
            'bulk:' || $1::text || ':' || gen_random_uuid()::text,
            $2::timestamptz + CASE WHEN $3 THEN interval '0' ELSE g * interval '1 second' END,
            $2::timestamptz + CASE WHEN $3 THEN interval '0' ELSE g * interval '1 second' END,
            ARRAY['T1110.001'], $6
       FROM generate_series(1, $7::int) AS g
     RETURNING id::text`,
    [
      tenantId,
      start.toISOString(),
      options.sameTime ?? false,
      options.severity ?? 'low',
      options.host ?? 'bulk-host',
      options.status ?? 'new',
      n,
    ],
  );
  return rows.map((row) => row.id);
}

/** Stores a process event in telemetry.events (fixture). */
export async function insertEvent(
  h: ApiHarness,
  tenantId: string,
  event: { agentId: string; seq: number; time: string; host?: string; commandLine?: string },
): Promise<void> {
  await h.admin.query(
    `INSERT INTO telemetry.events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name, kind,
       action, process_name, process_command_line, data)
     VALUES ($1, $2, $3, $4, $4, 'process', $5, 'process', 'start', 'bash', $6, $7)`,
    [
      tenantId,
      event.agentId,
      event.seq,
      event.time,
      event.host ?? 'web-01',
      event.commandLine ?? 'bash -c id',
      JSON.stringify({ process: { commandLine: event.commandLine ?? 'bash -c id' } }),
    ],
  );
}

/** Stores a network event in telemetry.network_events (fixture). */
export async function insertNetworkEvent(
  h: ApiHarness,
  tenantId: string,
  event: { agentId: string; seq: number; time: string; destinationPort?: number },
): Promise<void> {
  await h.admin.query(
    `INSERT INTO telemetry.network_events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name,
       kind, transport, destination_ip, destination_port, data)
     VALUES ($1, $2, $3, $4, $4, 'network', 'web-01', 'connection', 'tcp', '10.0.0.9', $5, '{}')`,
    [tenantId, event.agentId, event.seq, event.time, event.destinationPort ?? 4444],
  );
}

/** One Server-Sent Event. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** A minimal EventSource over fetch: collects events, and resolves waits for matching ones. */
export class SseClient {
  readonly events: SseEvent[] = [];
  comments: string[] = [];
  status = 0;
  private readonly controller = new AbortController();
  private waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  private connectedResolve: (() => void) | undefined;
  readonly connected: Promise<void>;
  private ended = false;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.connected = new Promise((resolve) => {
      this.connectedResolve = resolve;
    });
    void this.run(url, headers);
  }

  private async run(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const response = await fetch(url, { headers, signal: this.controller.signal });
      this.status = response.status;
      if (!response.ok || !response.body) {
        this.connectedResolve?.();
        return;
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.block(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted
    } finally {
      this.ended = true;
      this.connectedResolve?.();
    }
  }

  private block(text: string): void {
    const event: SseEvent = { event: 'message', data: '' };
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        if (line.includes('connected')) this.connectedResolve?.();
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event.event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') event.id = value;
    }
    if (data.length === 0 && event.id === undefined && event.event === 'message') return;
    event.data = data.join('\n');
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  }

  /** True once the server ended the stream. */
  get closed(): boolean {
    return this.ended;
  }

  /** The first event (already received or next) matching `match`. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
    const found = this.events.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching event in time')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  close(): void {
    this.controller.abort();
  }
}
