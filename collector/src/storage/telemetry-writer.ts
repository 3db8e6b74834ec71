import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { filterHitGroup, type DetectionAlert, type SigmaHit, type SigmaHitGroup } from '@inosec/detectors';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from 'pino';
import type { EncodedBatch } from '../ingest/batch-encoder.js';
import type { AgentIdentity } from '../ingest/batch-validator.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './binary-copy.js';
import { TABLE_NAMES, TELEMETRY_TABLES, type EncodedRows } from './event-rows.js';
import {
  addRange,
  formatMultirange,
  inRanges,
  parseMultirange,
  subtractRanges,
  type SeqRange,
} from './seq-ranges.js';
import { AgentNotAllowedError, isConnectionError, type StoreResult } from './telemetry.repository.js';
import { raiseAlerts, type StoredAlert } from './alert.repository.js';

/** Turns a tenant's rule matches into alerts (the collector's AlertBuilder). */
export interface AlertSource {
  /**
   * The alerts a tenant's hits raise (`groups`: hits aggregated where they were matched). Called inside the
   * transaction, with the hits of the events it stores (those of re-sent events already stored are left out,
   * so a re-sent batch raises nothing twice).
   */
  build(tenantId: string, hits: readonly SigmaHit[], groups: readonly SigmaHitGroup[]): DetectionAlert[];
}

export interface TelemetryWriterOptions {
  pool: pg.Pool;
  logger: Logger;
  /** Events one transaction takes at most; batches queued meanwhile share the next commit. */
  maxEventsPerTransaction?: number;
  /** Transactions in flight at once (each on its own connection). */
  concurrency?: number;
  /** Called after each commit with the number of batches and events it stored. */
  onCommit?: (batches: number, events: number) => void;
  /** Where the batches' rule matches become alerts, written in the same transaction as their events. */
  alerts?: AlertSource;
  /** Called after each commit with the alerts it raised or merged. */
  onAlerts?: (alerts: StoredAlert[]) => void;
}

/** What the writer has done since it started. */
export interface WriterStats {
  /** Transactions committed. */
  transactions: number;
  /** Batches those transactions stored (duplicates included). */
  batches: number;
}

/**
 * A validated batch waiting for its transaction, with its rows encoded ahead. The decoded events are not
 * kept: they die young (cheap for the garbage collector) however long the batch waits.
 */
interface PendingBatch {
  identity: AgentIdentity;
  events: number;
  range: SeqRange;
  rows: EncodedRows;
  hits: SigmaHit[] | undefined;
  hitGroups: SigmaHitGroup[] | undefined;
  resolve(result: StoreResult): void;
  reject(error: unknown): void;
}

const COPY_SQL = Object.fromEntries(
  TABLE_NAMES.map((table) => [
    table,
    `COPY telemetry.${table} (${TELEMETRY_TABLES[table].join(', ')}) FROM STDIN (FORMAT binary)`,
  ]),
) as Record<keyof typeof TELEMETRY_TABLES, string>;

// Locks the agents' rows for the transaction, in agent id order (two transactions locking the same agents
// can never deadlock), and reads what each has stored. Batches of one agent commit one after the other,
// whichever collector holds them.
// Whether the agent's tenant may still ingest is read here too, so a tenant suspended while its agents' streams
// are open stores nothing more from its next batch on.
const LOCK_SQL = `SELECT agent_id, tenant_id::text AS tenant_id, revoked_at IS NOT NULL AS revoked, committed::text AS committed,
       telemetry.tenant_ingest_active(tenant_id) AS tenant_active
  FROM telemetry.agents WHERE agent_id = ANY($1::text[]) ORDER BY agent_id FOR UPDATE`;

const COMMIT_RANGES_SQL = `UPDATE telemetry.agents a
  SET committed = a.committed + v.ranges::int8multirange, last_batch_at = now()
  FROM unnest($1::text[], $2::text[]) AS v (agent_id, ranges) WHERE a.agent_id = v.agent_id`;

interface AgentRow {
  agent_id: string;
  tenant_id: string;
  revoked: boolean;
  committed: string;
  tenant_active: boolean;
}

/**
 * Stores validated batches exactly once, with group commit: batches that arrive while transactions are in
 * flight wait and then share one transaction (one lock round trip, one COPY per table in binary format,
 * one commit), up to `maxEventsPerTransaction` events. Batches arrive with their rows encoded (on worker
 * threads: encoder-pool.ts), so the encoding of the next transaction overlaps the database work of this one.
 *
 * Exactly once: in its transaction a batch's agent row is locked, the seqs the agent has stored
 * (`committed`) are subtracted from the batch's range, only the missing events are written, and the
 * range is added to `committed` before the commit. Batches of one agent are never in two of this writer's
 * transactions at once, so they do not wait on each other's locks here.
 *
 * Failures stay with their batch: an agent that may not store (unknown, revoked, other tenant) fails its
 * batches only; when the database refuses a shared transaction's data, its batches are retried one per
 * transaction so that only the offending batch fails. A lost connection fails every batch of the
 * transaction (nothing of it was stored; agents resend).
 */
export class TelemetryWriter {
  private readonly queue: PendingBatch[] = [];
  private readonly busyAgents = new Set<string>();
  private readonly maxEvents: number;
  private readonly concurrency: number;
  private inFlight = 0;
  readonly stats: WriterStats = { transactions: 0, batches: 0 };

  constructor(private readonly options: TelemetryWriterOptions) {
    this.maxEvents = options.maxEventsPerTransaction ?? 16_000;
    this.concurrency = options.concurrency ?? 2;
  }

  /** Batches waiting for a transaction. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Stores a validated, encoded batch (contiguous seqs first..last). Resolves after the commit; rejects with
   * AgentNotAllowedError when the agent may not store, and with the database's error otherwise (nothing of
   * the batch is stored then).
   */
  store(identity: AgentIdentity, batch: EncodedBatch): Promise<StoreResult> {
    return new Promise<StoreResult>((resolve, reject) => {
      this.queue.push({
        identity,
        events: batch.events,
        range: [batch.firstSeq, batch.lastSeq + 1],
        rows: batch.rows,
        hits: batch.hits,
        hitGroups: batch.hitGroups,
        resolve,
        reject,
      });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.concurrency) {
      const group = this.take();
      if (group.length === 0) return;
      this.inFlight++;
      const agents = new Set(group.map((p) => p.identity.agentId));
      for (const agent of agents) this.busyAgents.add(agent);
      void this.commitGroup(group).finally(() => {
        this.inFlight--;
        for (const agent of agents) this.busyAgents.delete(agent);
        this.pump();
      });
    }
  }

  /** The next transaction's batches: queued batches of idle agents, oldest first, up to the event bound. */
  private take(): PendingBatch[] {
    const group: PendingBatch[] = [];
    let events = 0;
    for (let i = 0; i < this.queue.length;) {
      const pending = this.queue[i] as PendingBatch;
      if (this.busyAgents.has(pending.identity.agentId)) {
        i++;
        continue;
      }
      if (group.length > 0 && events + pending.events > this.maxEvents) break;
      this.queue.splice(i, 1);
      group.push(pending);
      events += pending.events;
    }
    return group;
  }

  private async commitGroup(group: PendingBatch[]): Promise<void> {
    try {
      const outcomes = await this.transaction(group);
      group.forEach((pending, i) => {
        const outcome = outcomes[i];
        if (outcome instanceof AgentNotAllowedError) pending.reject(outcome);
        else pending.resolve(outcome as StoreResult);
      });
    } catch (error) {
      if (group.length === 1 || isConnectionError(error)) {
        for (const pending of group) pending.reject(error);
        return;
      }
      // The database refused data of the shared transaction: find the batch, one transaction each.
      this.options.logger.warn(
        { err: error, batches: group.length },
        'A shared transaction was refused; its batches are retried one by one',
      );
      for (const pending of group) await this.commitGroup([pending]);
    }
  }

  /** One transaction for `group`: per batch its result, or why its agent may not store. */
  private async transaction(group: PendingBatch[]): Promise<Array<StoreResult | AgentNotAllowedError>> {
    const started = performance.now();
    const client = await this.options.pool.connect();
    let broken = false;
    // A server that goes away while the client is checked out emits 'error' on it (besides failing the
    // query in progress): without a listener that would crash the process.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      try {
        const { outcomes, alerts } = await this.write(client, group);
        await client.query('COMMIT');
        if (alerts.length > 0) this.options.onAlerts?.(alerts);
        const events = outcomes.reduce((n, o) => n + (o instanceof AgentNotAllowedError ? 0 : o.stored), 0);
        this.stats.transactions++;
        this.stats.batches += group.length;
        this.options.onCommit?.(group.length, events);
        if (this.options.logger.isLevelEnabled('debug')) {
          this.options.logger.debug(
            {
              batches: group.length,
              events,
              ms: Math.round(performance.now() - started),
              queued: this.queue.length,
            },
            'Transaction committed',
          );
        }
        return outcomes;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      }
    } catch (error) {
      // A connection that failed mid-transaction is not returned to the pool.
      broken ||= isConnectionError(error);
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  private async write(
    client: pg.PoolClient,
    group: PendingBatch[],
  ): Promise<{ outcomes: Array<StoreResult | AgentNotAllowedError>; alerts: StoredAlert[] }> {
    const agentIds = [...new Set(group.map((p) => p.identity.agentId))].sort();
    const { rows } = await client.query<AgentRow>(LOCK_SQL, [agentIds]);
    const agents = new Map(rows.map((row) => [row.agent_id, row]));
    const committed = new Map<string, SeqRange[]>();
    const added = new Map<string, SeqRange[]>();
    const bodies = new Map<keyof typeof TELEMETRY_TABLES, Buffer[]>(TABLE_NAMES.map((t) => [t, []]));
    const tenantHits = new Map<string, { hits: SigmaHit[]; groups: SigmaHitGroup[] }>();

    const outcomes = group.map((pending): StoreResult | AgentNotAllowedError => {
      const { agentId, tenantId } = pending.identity;
      const agent = agents.get(agentId);
      if (!agent) return new AgentNotAllowedError('unknown', `agent ${agentId} is not enrolled`);
      if (agent.revoked) return new AgentNotAllowedError('revoked', `agent ${agentId} was revoked`);
      if (agent.tenant_id !== tenantId) {
        return new AgentNotAllowedError(
          'tenant_mismatch',
          `agent ${agentId} is enrolled in another tenant than its credentials name`,
        );
      }
      if (!agent.tenant_active) {
        return new AgentNotAllowedError(
          'tenant_inactive',
          `the tenant of agent ${agentId} is suspended or archived`,
        );
      }
      const stored = committed.get(agentId) ?? parseMultirange(agent.committed);
      const missing = subtractRanges(pending.range, stored);
      committed.set(agentId, addRange(stored, pending.range));
      added.set(agentId, addRange(added.get(agentId) ?? [], pending.range));
      const whole =
        missing.length === 1 && missing[0]?.[0] === pending.range[0] && missing[0][1] === pending.range[1];
      if (pending.hits?.length || pending.hitGroups?.length) {
        // Only the hits of the events stored now (a re-sent batch raises nothing twice).
        const keep = (seq: number) => inRanges(seq, missing);
        const hits = whole ? (pending.hits ?? []) : (pending.hits ?? []).filter((hit) => keep(hit.ref.seq));
        const groups = whole
          ? (pending.hitGroups ?? [])
          : (pending.hitGroups ?? []).flatMap((group) => filterHitGroup(group, keep) ?? []);
        if (hits.length > 0 || groups.length > 0) {
          let lists = tenantHits.get(tenantId);
          if (!lists) tenantHits.set(tenantId, (lists = { hits: [], groups: [] }));
          for (const hit of hits) lists.hits.push(hit);
          for (const group of groups) lists.groups.push(group);
        }
      }
      let count = 0;
      const perTable = {} as StoreResult['rows'];
      for (const table of TABLE_NAMES) {
        // Part of the batch is stored already (a re-send): the rows of the missing seqs only.
        const rows = whole
          ? { bytes: pending.rows[table].bytes(), count: pending.rows[table].count }
          : pending.rows[table].select((seq) => inRanges(seq, missing));
        perTable[table] = rows.count;
        count += rows.count;
        if (rows.count > 0) bodies.get(table)?.push(rows.bytes);
      }
      return { stored: count, duplicates: pending.events - count, rows: perTable };
    });

    for (const table of TABLE_NAMES) {
      const chunks = bodies.get(table) ?? [];
      if (chunks.length === 0) continue;
      await pipeline(
        Readable.from([COPY_BINARY_HEADER, ...chunks, COPY_BINARY_TRAILER]),
        client.query(copyFrom(COPY_SQL[table])),
      );
    }
    if (added.size > 0) {
      const ids = [...added.keys()];
      await client.query(COMMIT_RANGES_SQL, [
        ids,
        ids.map((id) => formatMultirange(added.get(id) as SeqRange[])),
      ]);
    }
    let alerts: StoredAlert[] = [];
    const source = this.options.alerts;
    if (source && tenantHits.size > 0) {
      const raised: DetectionAlert[] = [];
      for (const [tenantId, { hits, groups }] of tenantHits) {
        for (const alert of source.build(tenantId, hits, groups)) raised.push(alert);
      }
      alerts = await raiseAlerts(client, raised);
    }
    return { outcomes, alerts };
  }
}
