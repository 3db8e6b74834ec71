// Matching InoSec events against a rule set: each event's Sigma views evaluated against the rules of their
// log sources, one hit per rule and event.
import type { IEvent, IHost } from '@inosec/protos';
import type { CompiledRule, RuleSet } from '../sigma/engine/index.js';
import { toSigmaEvents, type SigmaView } from '../sigma/logsource/index.js';
import type { SigmaHit } from './detection-types.js';

/**
 * The payloads (the Event `payload` oneof's names) of the events Sigma rules can match: toSigmaEvents makes
 * views of these kinds only (metrics, OT transactions and inventory snapshots feed no log source), so the
 * events of other kinds need not even be decoded for matching.
 */
export const SIGMA_PAYLOADS: ReadonlySet<string> = new Set(['process', 'network', 'file', 'auth', 'log']);

/** The log-source keys of the view being evaluated (RuleSet.evaluate does not keep them). */
const keys: string[] = [];

/** The key a rule's hits carry: its id, or `title:<title>` for a rule without one. */
export function ruleKey(rule: Pick<CompiledRule, 'id' | 'title'>): string {
  return rule.id ?? `title:${rule.title}`;
}

/**
 * Evaluates one event and appends a hit per matching rule to `out`; returns the number of hits added.
 * `agentId` is the sender's authenticated identity (never the payload's); `batchHost` the batch's host, for
 * events that do not carry their own.
 */
export function matchEvent(
  ruleSet: RuleSet,
  agentId: string,
  event: IEvent,
  out: SigmaHit[],
  batchHost?: IHost | null,
): number {
  const views = toSigmaEvents(event);
  if (views.length === 0) return 0;
  const start = out.length;
  const seq = Number(event.seq ?? 0);
  const timeUs = Number(event.timeUnixUs ?? 0);
  const host = event.host ?? batchHost;
  // Consecutive views that are one object under several log sources (an auth record feeds four) are
  // evaluated once with all their keys: one prefilter scan of their values instead of one per key. A rule is
  // evaluated under its own key only, so that key is the one its hit carries.
  for (let v = 0; v < views.length;) {
    const view = (views[v] as SigmaView).event;
    keys.length = 0;
    while (v < views.length && (views[v] as SigmaView).event === view)
      keys.push((views[v++] as SigmaView).logsourceKey);
    ruleSet.evaluate(view, keys, (rule) => {
      const id = ruleKey(rule);
      for (let i = start; i < out.length; i++) if ((out[i] as SigmaHit).ruleId === id) return;
      const hit: SigmaHit = {
        ruleId: id,
        logsourceKey: rule.logsourceKey,
        ref: { agentId, seq, timeUs },
        view,
      };
      if (rule.name) hit.ruleName = rule.name;
      if (host?.hostname) hit.hostName = host.hostname;
      if (host?.id) hit.hostId = host.id;
      out.push(hit);
    });
  }
  return out.length - start;
}

/** Evaluates every event of a batch (`batchHost`: the batch's host); the hits, in event order. */
export function matchEvents(
  ruleSet: RuleSet,
  agentId: string,
  events: readonly IEvent[],
  batchHost?: IHost | null,
): SigmaHit[] {
  const hits: SigmaHit[] = [];
  if (ruleSet.size === 0) return hits;
  for (const event of events) matchEvent(ruleSet, agentId, event, hits, batchHost);
  return hits;
}
