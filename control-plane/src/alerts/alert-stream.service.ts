// Live alert updates over Server-Sent Events. One LISTEN connection per process hears the collector's
// notifications (inosec_alerts: alerts raised or merged) and the API's (inosec_alert_updates: triage and
// incident changes, from any replica). Each notification names a tenant and ids only: the rows are read
// under that tenant's Row Level Security and sent to that tenant's streams only. Events carry ids
// (`<process epoch>-<seq>`) so a client reconnecting with Last-Event-ID gets what it missed from a short
// per-tenant buffer, or `event: resync` when that is not possible (reload the list).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type pg from 'pg';
import type { Logger } from 'pino';
import { PrincipalCache } from '../auth/principal-cache.js';
import { readPrincipal } from '../auth/principal.repository.js';
import { TenantDb } from '../database/tenant-db.js';
import { TooManyRequestsProblem } from '../http/problems.js';
import { LOGGER, PG_POOL } from '../tokens.js';
import { ALERT_UPDATES_CHANNEL, RAISED_ALERTS_CHANNEL } from './alert-updates.repository.js';
import { alertItems } from './alerts.repository.js';
import { getIncident } from './incidents.repository.js';
import { NotificationListener } from '../database/notification-listener.js';

/** Most open streams per tenant (per process), and in all. */
export const MAX_STREAMS_PER_TENANT = 50;
export const MAX_STREAMS = 10_000;
/** A comment line keeps proxies and the client's timeout from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** Events kept per tenant for Last-Event-ID, and how long after its last stream a tenant is still buffered. */
const BUFFERED_EVENTS = 500;
const BUFFER_GRACE_MS = 120_000;
/** A client this far behind (bytes queued) is disconnected rather than buffered without bound. */
const MAX_QUEUED_BYTES = 1_048_576;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Who a stream belongs to (from the request's AuthContext). */
export interface StreamOwner {
  tenantId: string;
  userId: string;
  sessionId: string;
  /** May see incident events (incidents:read). */
  incidents: boolean;
}

interface Stream extends StreamOwner {
  response: ServerResponse;
  heartbeat: NodeJS.Timeout;
}

interface BufferedEvent {
  seq: number;
  text: string;
  incident: boolean;
}

interface TenantState {
  streams: Set<Stream>;
  buffer: BufferedEvent[];
  idleSince: number;
  /** Notifications of this tenant are handled one after the other, in order. */
  chain: Promise<void>;
}

/** What a notification asks for: rows of one tenant to send as one event type. */
interface Work {
  tenantId: string;
  alerts: Array<{ id: string; event: 'alert.created' | 'alert.updated'; changed: readonly string[] }>;
  incidents: Array<{ id: string; changed: readonly string[] }>;
}

@Injectable()
export class AlertStreamService implements OnModuleDestroy {
  private readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  private total = 0;
  private readonly tenants = new Map<string, TenantState>();
  private readonly listener: NotificationListener;
  private readonly logger: Logger;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'alert-stream' });
    this.listener = new NotificationListener(
      pool.options,
      [RAISED_ALERTS_CHANNEL, ALERT_UPDATES_CHANNEL],
      {
        notice: (channel, payload) => this.onNotice(channel, payload),
        reconnected: () => this.broadcastResync(),
      },
      this.logger,
    );
  }

  /** Refuses a new stream past the limits (429), before the response is taken over. */
  admit(tenantId: string): void {
    const open = this.tenants.get(tenantId)?.streams.size ?? 0;
    if (open >= MAX_STREAMS_PER_TENANT || this.total >= MAX_STREAMS) {
      throw new TooManyRequestsProblem(
        `too many live streams open for this tenant (at most ${MAX_STREAMS_PER_TENANT}); close one`,
        5,
        'too_many_streams',
      );
    }
  }

  /**
   * Starts streaming to `response` (headers already written): listens first (so nothing raised after the
   * client saw `: connected` is missed), replays what followed `lastEventId` when it can, then keeps the
   * stream until the client leaves, the session ends, or the process stops.
   */
  async open(owner: StreamOwner, response: ServerResponse, lastEventId: string | undefined): Promise<void> {
    await this.listener.start();
    const state = this.tenant(owner.tenantId);
    const stream: Stream = {
      ...owner,
      response,
      heartbeat: setInterval(() => void this.beat(stream), HEARTBEAT_MS),
    };
    stream.heartbeat.unref();
    state.streams.add(stream);
    this.total += 1;
    response.on('close', () => this.remove(stream));
    response.write(': connected\nretry: 3000\n\n');
    if (lastEventId !== undefined) this.replay(stream, state, lastEventId);
  }

  /** Open streams of a tenant (tests, metrics). */
  streamCount(tenantId?: string): number {
    return tenantId === undefined ? this.total : (this.tenants.get(tenantId)?.streams.size ?? 0);
  }

  async onModuleDestroy(): Promise<void> {
    for (const state of this.tenants.values()) {
      for (const stream of state.streams) {
        clearInterval(stream.heartbeat);
        stream.response.end();
      }
      state.streams.clear();
    }
    this.total = 0;
    await this.listener.stop();
  }

  private tenant(tenantId: string): TenantState {
    let state = this.tenants.get(tenantId);
    if (state === undefined) {
      state = { streams: new Set(), buffer: [], idleSince: 0, chain: Promise.resolve() };
      this.tenants.set(tenantId, state);
    }
    return state;
  }

  private remove(stream: Stream): void {
    const state = this.tenants.get(stream.tenantId);
    clearInterval(stream.heartbeat);
    if (state?.streams.delete(stream)) {
      this.total -= 1;
      if (state.streams.size === 0) state.idleSince = Date.now();
    }
  }

  /** Heartbeat, and the session check: a stream of an ended session or a lost permission is closed. */
  private async beat(stream: Stream): Promise<void> {
    if (!this.write(stream, ': heartbeat\n\n')) return;
    try {
      const principal = await this.cache.resolve(stream.sessionId, stream.tenantId, stream.userId, () =>
        readPrincipal(this.db.pool, stream.tenantId, stream.sessionId, stream.userId),
      );
      const live =
        principal !== undefined &&
        principal.sessionLive &&
        principal.userStatus === 'active' &&
        principal.tenantStatus === 'active' &&
        principal.permissions.includes('alerts:read');
      if (!live) {
        this.write(stream, 'event: session_ended\ndata: {}\n\n');
        stream.response.end();
        return;
      }
      stream.incidents = principal.permissions.includes('incidents:read');
    } catch (error) {
      this.logger.warn({ err: error }, 'alert stream: session check failed');
    }
  }

  /** Writes to a stream; a stream too far behind is closed (false). */
  private write(stream: Stream, text: string): boolean {
    if (stream.response.writableEnded || stream.response.destroyed) return false;
    if (stream.response.writableLength > MAX_QUEUED_BYTES) {
      this.logger.info({ tenantId: stream.tenantId }, 'alert stream: client too slow, disconnected');
      stream.response.destroy();
      return false;
    }
    stream.response.write(text);
    return true;
  }

  private replay(stream: Stream, state: TenantState, lastEventId: string): void {
    const [epoch, seqText] = lastEventId.split('-');
    const last = Number(seqText);
    const oldest = state.buffer[0]?.seq;
    const complete =
      epoch === this.epoch &&
      Number.isSafeInteger(last) &&
      last <= this.seq &&
      (oldest === undefined ? true : oldest <= last + 1);
    if (!complete) {
      this.write(stream, 'event: resync\ndata: {"reason":"missed events"}\n\n');
      return;
    }
    for (const event of state.buffer) {
      if (event.seq > last && (!event.incident || stream.incidents)) this.write(stream, event.text);
    }
  }

  private broadcastResync(): void {
    this.logger.info('alert stream: listening again; streams told to resync');
    for (const state of this.tenants.values()) {
      state.buffer = [];
      for (const stream of state.streams)
        this.write(stream, 'event: resync\ndata: {"reason":"reconnected"}\n\n');
    }
  }

  private onNotice(channel: string, payload: string): void {
    const work = parseNotice(channel, payload);
    if (work === undefined) {
      this.logger.warn({ channel }, 'alert stream: ignored a malformed notification');
      return;
    }
    const state = this.tenants.get(work.tenantId);
    if (state === undefined) return;
    if (state.streams.size === 0 && Date.now() - state.idleSince > BUFFER_GRACE_MS) {
      this.tenants.delete(work.tenantId);
      return;
    }
    state.chain = state.chain
      .then(() => this.deliver(state, work))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'alert stream: delivering failed'));
  }

  /** Reads the rows under the tenant's RLS, then sends one event per row to the tenant's streams. */
  private async deliver(state: TenantState, work: Work): Promise<void> {
    const { alerts, incidents } = await this.db.tx({ tenantId: work.tenantId }, async (client) => {
      const items = await alertItems(
        client,
        work.alerts.map((a) => a.id),
      );
      const found = [];
      for (const { id } of work.incidents) {
        const incident = await getIncident(client, id);
        if (incident) found.push(incident);
      }
      return { alerts: items, incidents: found };
    });
    const byId = new Map(alerts.map((alert) => [alert.id, alert]));
    for (const { id, event, changed } of work.alerts) {
      const alert = byId.get(id);
      if (alert) this.emit(state, event, { id, changed, alert }, false);
    }
    const incidentsById = new Map(incidents.map((incident) => [incident.id, incident]));
    for (const { id, changed } of work.incidents) {
      const incident = incidentsById.get(id);
      if (incident) this.emit(state, 'incident.updated', { id, changed, incident }, true);
    }
  }

  private emit(state: TenantState, event: string, data: unknown, incident: boolean): void {
    this.seq += 1;
    const text = `id: ${this.epoch}-${this.seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    state.buffer.push({ seq: this.seq, text, incident });
    if (state.buffer.length > BUFFERED_EVENTS) state.buffer.splice(0, state.buffer.length - BUFFERED_EVENTS);
    for (const stream of state.streams) if (!incident || stream.incidents) this.write(stream, text);
  }
}

function uuids(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 1000) return undefined;
  return value.every((v): v is string => typeof v === 'string' && UUID.test(v)) ? value : undefined;
}

function names(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && /^[A-Za-z]{1,40}$/.test(v)).slice(0, 20)
    : [];
}

/** Parses a notification; undefined when it is not one of ours (ids and tenant are checked as UUIDs). */
export function parseNotice(channel: string, payload: string): Work | undefined {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const tenantId = record['tenant_id'];
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) return undefined;
  if (channel === RAISED_ALERTS_CHANNEL) {
    const created = uuids(record['created']);
    const updated = uuids(record['updated']);
    if (created === undefined || updated === undefined) return undefined;
    return {
      tenantId,
      alerts: [
        ...created.map((id) => ({ id, event: 'alert.created' as const, changed: [] })),
        ...updated.map((id) => ({ id, event: 'alert.updated' as const, changed: ['count', 'lastSeen'] })),
      ],
      incidents: [],
    };
  }
  if (channel === ALERT_UPDATES_CHANNEL) {
    const ids = uuids(record['ids']);
    const changed = names(record['changed']);
    if (ids === undefined) return undefined;
    if (record['kind'] === 'alert') {
      return {
        tenantId,
        alerts: ids.map((id) => ({ id, event: 'alert.updated' as const, changed })),
        incidents: [],
      };
    }
    if (record['kind'] === 'incident') {
      return { tenantId, alerts: [], incidents: ids.map((id) => ({ id, changed })) };
    }
  }
  return undefined;
}
