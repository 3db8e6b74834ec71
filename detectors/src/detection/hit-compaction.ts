// Compacting a batch's hits where they were matched (the collector's encode worker), before they cross to the
// thread that builds alerts: the hits of rules no correlation reads become one record per rule and entity
// with their events' seqs and times in one array; the others keep one hit each, in match order (correlations
// depend on it), with a view cut down to the fields correlations read.
import { fieldReader } from '../sigma/field-reader.js';
import type { FieldReader, SigmaEvent } from '../sigma/sigma-types.js';
import type { CorrelationReads, SigmaHit, SigmaHitGroup } from './detection-types.js';

/** A batch's hits as compactHits gives them: AlertBuilder.build takes both. */
export interface CompactHits {
  /** The hits of rules correlations read, in match order, each view cut to the fields they read. */
  hits: SigmaHit[];
  /** The hits of every other rule, aggregated per rule and entity, in the order of their first hit. */
  groups: SigmaHitGroup[];
}

/** The entity an alert of a detection rule is about (in its dedupe key): the host's id or name, else the agent. */
export function hitEntity(hostId: string | undefined, hostName: string | undefined, agentId: string): string {
  return hostId || hostName || agentId;
}

interface OpenGroup {
  group: SigmaHitGroup;
  refs: number[];
}

const readers = new Map<string, FieldReader>();

function readerOf(field: string): FieldReader {
  let reader = readers.get(field);
  if (!reader) {
    reader = fieldReader(field);
    readers.set(field, reader);
  }
  return reader;
}

/** The fields of a view that correlations read, as own keys (what their readers find first). */
function cutView(view: SigmaEvent, fields: readonly string[]): SigmaEvent {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = readerOf(field)(view);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/**
 * Compacts hits (in match order) for the alert builder: `AlertBuilder.build(tenant, hits, groups)` on the
 * result raises exactly the alerts `build(tenant, hits)` does on the input, provided `reads` names every rule
 * a correlation of that tenant reads (AlertBuilder.correlationReads). Consecutive hits of one rule and entity
 * stay in one group; a hit whose host fields differ from its group's (same entity, another host name)
 * starts the next group, so each group's host is that of its first hit. Without `reads`, the hits are
 * returned as they are.
 */
export function compactHits(hits: readonly SigmaHit[], reads: CorrelationReads | undefined): CompactHits {
  if (!reads) return { hits: [...hits], groups: [] };
  const kept: SigmaHit[] = [];
  const open = new Map<string, OpenGroup>();
  const groups: OpenGroup[] = [];
  for (const hit of hits) {
    const fields = reads.get(hit.ruleId);
    if (fields) {
      const cut: SigmaHit = {
        ruleId: hit.ruleId,
        logsourceKey: hit.logsourceKey,
        ref: hit.ref,
        view: cutView(hit.view, fields),
      };
      if (hit.ruleName !== undefined) cut.ruleName = hit.ruleName;
      if (hit.hostName !== undefined) cut.hostName = hit.hostName;
      if (hit.hostId !== undefined) cut.hostId = hit.hostId;
      kept.push(cut);
      continue;
    }
    const agentId = hit.ref.agentId;
    const key = `${hit.ruleId}\u0000${agentId}\u0000${hitEntity(hit.hostId, hit.hostName, agentId)}`;
    let current = open.get(key);
    if (!current || current.group.hostName !== hit.hostName || current.group.hostId !== hit.hostId) {
      const group: SigmaHitGroup = { ruleId: hit.ruleId, agentId, refs: EMPTY };
      if (hit.hostName !== undefined) group.hostName = hit.hostName;
      if (hit.hostId !== undefined) group.hostId = hit.hostId;
      current = { group, refs: [] };
      open.set(key, current);
      groups.push(current);
    }
    current.refs.push(hit.ref.seq, hit.ref.timeUs);
  }
  for (const { group, refs } of groups) group.refs = Float64Array.from(refs);
  return { hits: kept, groups: groups.map(({ group }) => group) };
}

const EMPTY = new Float64Array(0);

/** The hits a group stands for, one per event (views empty): for tests and tools, not the hot path. */
export function expandHitGroup(group: SigmaHitGroup, logsourceKey = ''): SigmaHit[] {
  const out: SigmaHit[] = [];
  for (let i = 0; i + 1 < group.refs.length; i += 2) {
    const hit: SigmaHit = {
      ruleId: group.ruleId,
      logsourceKey,
      ref: { agentId: group.agentId, seq: group.refs[i] as number, timeUs: group.refs[i + 1] as number },
      view: {},
    };
    if (group.hostName !== undefined) hit.hostName = group.hostName;
    if (group.hostId !== undefined) hit.hostId = group.hostId;
    out.push(hit);
  }
  return out;
}

/** A group with only the events whose seq `keep` accepts (undefined when none is left). */
export function filterHitGroup(
  group: SigmaHitGroup,
  keep: (seq: number) => boolean,
): SigmaHitGroup | undefined {
  const refs = group.refs;
  const kept: number[] = [];
  for (let i = 0; i + 1 < refs.length; i += 2) {
    const seq = refs[i] as number;
    if (keep(seq)) kept.push(seq, refs[i + 1] as number);
  }
  if (kept.length === 0) return undefined;
  if (kept.length === refs.length) return group;
  return { ...group, refs: Float64Array.from(kept) };
}

/** The number of hits a group stands for. */
export function hitGroupSize(group: SigmaHitGroup): number {
  return group.refs.length >> 1;
}
