// The process tree of an alert: the processes of its matched process events, their ancestors (walked up by
// parent entity id) and their descendants started in the alert's window, on the alert's agent. Processes
// are identified by the agent's entity ids (procfs sensor); matched events without one (the auditd sensor
// sends none) cannot be placed and are only counted.
import { Inject, Injectable } from '@nestjs/common';
import { TenantDb } from '../database/tenant-db.js';
import { NotFoundProblem } from '../http/problems.js';
import type { ProcessAction, ProcessNode, ProcessTree } from './alert-schemas.js';
import {
  alertScope,
  matchedProcessRows,
  startsOf,
  windowRows,
  type ParentSnapshot,
  type ProcessRow,
  type StartRef,
} from './process-tree.repository.js';
import type { Actor } from './request-actor.js';

/** Generations walked up from each matched process. */
export const MAX_ANCESTOR_DEPTH = 16;
/** Generations followed down from each matched process. */
export const MAX_DESCENDANT_DEPTH = 32;
/** Processes in one answer; beyond, the farthest descendants are left out and `truncated` is set. */
export const MAX_PROCESS_NODES = 500;
/** How long after the alert's last event descendants are still looked for. */
export const DESCENDANT_MARGIN_MS = 15 * 60_000;
/** The longest stretch of an alert (from its first matched process's start) searched for descendants. */
export const MAX_WINDOW_MS = 24 * 3_600_000;

const MICROS = /^[0-9]{1,17}$/;

/** A µs count as an ISO-8601 time (ms precision), or null when it is not one. */
function microsToIso(us: string | number | null | undefined): string | null {
  if (us === null || us === undefined || !MICROS.test(String(us))) return null;
  const date = new Date(Math.floor(Number(us) / 1000));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const bySeq = (a: ProcessRow, b: ProcessRow): number => {
  const d = a.time.getTime() - b.time.getTime();
  if (d !== 0) return d;
  const x = BigInt(a.seq);
  const y = BigInt(b.seq);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** A process known only from its child's event (its own events are not stored): `data.parent`. */
interface Placeholder {
  snapshot: ParentSnapshot;
  /** Its parent's entity id, from the child's ancestor list. */
  parentEntityId: string | null;
}

/** Collects the rows of each process and builds its node. */
class Processes {
  private readonly rows = new Map<string, Map<string, ProcessRow>>();
  private readonly placeholders = new Map<string, Placeholder>();

  add(row: ProcessRow): void {
    if (row.entity_id === null) return;
    let rows = this.rows.get(row.entity_id);
    if (rows === undefined) {
      rows = new Map<string, ProcessRow>();
      this.rows.set(row.entity_id, rows);
    }
    rows.set(row.seq, row);
  }

  /** Remembers what `child` says of its parent, for a parent whose own events are not stored. */
  placeholder(child: ProcessRow): void {
    const id = child.parent_entity_id;
    if (id === null || this.placeholders.has(id) || child.parent === null) return;
    this.placeholders.set(id, { snapshot: child.parent, parentEntityId: child.ancestors?.[0] ?? null });
  }

  node(entityId: string, matched: boolean): ProcessNode | undefined {
    const rows = [...(this.rows.get(entityId)?.values() ?? [])].sort(bySeq);
    const last = rows[rows.length - 1];
    if (last === undefined) {
      const placeholder = this.placeholders.get(entityId);
      if (placeholder === undefined) return undefined;
      const p = placeholder.snapshot;
      return {
        entityId,
        parentEntityId: placeholder.parentEntityId,
        pid: typeof p.pid === 'number' && p.pid > 0 ? p.pid : null,
        name: p.name || null,
        executable: p.executable || null,
        commandLine: p.commandLine || null,
        user: p.user?.name || null,
        firstSeen: microsToIso(p.startTimeUnixUs),
        actions: [],
        matched,
      };
    }
    const actions: ProcessAction[] = [];
    for (const row of rows) {
      if (row.action === 'start') actions.push(actions.includes('start') ? 'exec' : 'start');
      else if (row.action === 'exit') actions.push('exit');
    }
    return {
      entityId,
      parentEntityId: last.parent_entity_id,
      pid: last.pid,
      name: last.name,
      executable: last.executable,
      commandLine: last.command_line,
      user: last.user_name,
      firstSeen: rows[0]!.time.toISOString(),
      actions,
      matched,
    };
  }
}

@Injectable()
export class ProcessTreeService {
  constructor(@Inject(TenantDb) private readonly db: TenantDb) {}

  /** The process tree of the tenant's alert `id`; 404 when the tenant has no such alert. */
  tree(actor: Actor, id: string): Promise<ProcessTree> {
    return this.db.read(actor, async (client) => {
      const alert = await alertScope(client, id);
      if (alert === undefined) throw new NotFoundProblem('alert');
      const stored = await matchedProcessRows(client, alert.refs);
      const agentId = alert.agentId ?? stored[0]?.agent_id ?? null;
      const onAgent = stored.filter((row) => row.agent_id === agentId);
      const matched = onAgent.filter((row) => row.entity_id !== null);
      const empty: ProcessTree = {
        alertId: id,
        agentId,
        hostName: alert.hostName ?? onAgent[0]?.host_name ?? null,
        window: null,
        nodes: [],
        truncated: false,
        unlinkedMatches: onAgent.length - matched.length,
      };
      if (agentId === null || matched.length === 0) return empty;

      const processes = new Processes();
      const matchedIds = new Set<string>();
      for (const row of matched) {
        processes.add(row);
        matchedIds.add(row.entity_id!);
      }

      // Ancestors, a generation per step: each process's parent is looked up by its START, stored at the
      // parent's start time (which the child's event carries). A parent whose START is not stored stands in
      // from its child's `data.parent` and ends its branch.
      const ancestorIds = new Set<string>();
      let truncated = false;
      let generation: ProcessRow[] = matched;
      for (let depth = 1; generation.length > 0; depth += 1) {
        const wanted = new Map<string, StartRef>();
        for (const row of generation) {
          const parent = row.parent_entity_id;
          if (parent === null || matchedIds.has(parent) || ancestorIds.has(parent)) continue;
          if (depth > MAX_ANCESTOR_DEPTH) {
            truncated = true;
            continue;
          }
          ancestorIds.add(parent);
          processes.placeholder(row);
          if (row.parent_start_us !== null && MICROS.test(row.parent_start_us))
            wanted.set(parent, { entityId: parent, startUs: row.parent_start_us });
        }
        generation = await startsOf(client, agentId, [...wanted.values()]);
        for (const row of generation) processes.add(row);
      }

      // Descendants: started from the first matched process's start to the alert's last event + a margin.
      let from = Infinity;
      let last = alert.lastSeen.getTime();
      for (const row of matched) {
        const started = microsToIso(row.start_us);
        from = Math.min(from, started === null ? row.time.getTime() : Date.parse(started));
        last = Math.max(last, row.time.getTime());
      }
      const to = Math.min(last, from + MAX_WINDOW_MS) + DESCENDANT_MARGIN_MS;
      const room = Math.max(0, MAX_PROCESS_NODES - matchedIds.size - ancestorIds.size);
      const rows = await windowRows(
        client,
        agentId,
        { from: new Date(from), to: new Date(to) },
        [...matchedIds],
        [...matchedIds, ...ancestorIds],
        MAX_DESCENDANT_DEPTH,
        room + 1,
      );
      const descendants = new Map<string, { depth: number; first: number }>();
      for (const row of rows) {
        processes.add(row);
        if (row.depth !== null && row.entity_id !== null)
          descendants.set(row.entity_id, { depth: row.depth, first: row.first?.getTime() ?? 0 });
      }
      const kept = [...descendants.entries()]
        .filter(([entityId]) => !ancestorIds.has(entityId))
        .sort(([x, a], [y, b]) => a.depth - b.depth || a.first - b.first || (x < y ? -1 : x > y ? 1 : 0));
      if (kept.length > room) {
        truncated = true;
        kept.length = room;
      }

      const nodes: ProcessNode[] = [];
      for (const entityId of [...ancestorIds, ...matchedIds, ...kept.map(([entityId]) => entityId)]) {
        const node = processes.node(entityId, matchedIds.has(entityId));
        if (node !== undefined) nodes.push(node);
      }
      nodes.sort(
        (a, b) =>
          (a.firstSeen ?? '').localeCompare(b.firstSeen ?? '') ||
          (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0),
      );
      return {
        ...empty,
        window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
        nodes,
        truncated,
      };
    });
  }
}
