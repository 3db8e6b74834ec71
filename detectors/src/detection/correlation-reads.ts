// Which detection rules correlation rules read, and which fields of their matches' views: what a match must
// carry to the correlation engine (the other matches only count towards their rule's own alert).
import { ReferenceIndex } from '../sigma/correlation/rule-references.js';
import type { KnownRule } from '../sigma/correlation/index.js';
import type { SigmaCorrelationDocument } from '../sigma/loader/index.js';

/** A detection rule as the alert builder feeds its matches to the engine: its key (the id) and name. */
export interface ReadRule {
  key: string;
  name?: string;
}

function addAll(set: Set<string>, fields: readonly string[]): void {
  for (const field of fields) set.add(field);
}

/**
 * The rules (of `rules`, by key) whose matches the correlations read, each with the fields they read:
 * `group-by` names, `condition.field`, and the fields `aliases` map them to for that rule. Resolved like
 * the correlation engine resolves them (ReferenceIndex over `known`, the engine's known rules in its
 * order), matching a rule as the engine matches a hit (by key as id, else by name). A correlation that does
 * not compile still counts: the result may name more rules than the engine reads, never fewer.
 */
export function correlationReads(
  known: Iterable<KnownRule>,
  correlations: readonly SigmaCorrelationDocument[],
  rules: Iterable<ReadRule>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (correlations.length === 0) return out;
  const index = new ReferenceIndex(known, correlations);
  const bySource = new Map<string, Set<string>>();
  for (const doc of correlations) {
    const { correlation } = doc;
    const counted = correlation.condition?.field;
    const fields = [
      ...correlation.groupBy,
      ...(counted === undefined ? [] : typeof counted === 'string' ? [counted] : counted),
    ];
    const sources: string[] = [];
    for (const reference of correlation.rules) {
      const target = index.resolve(reference);
      if (target.kind !== 'rule') continue;
      sources.push(target.key);
      let set = bySource.get(target.key);
      if (!set) bySource.set(target.key, (set = new Set()));
      addAll(set, fields);
    }
    for (const mapping of Object.values(correlation.aliases ?? {})) {
      for (const [reference, field] of Object.entries(mapping)) {
        const target = index.resolve(reference);
        if (target.kind === 'rule' && sources.includes(target.key)) bySource.get(target.key)?.add(field);
      }
    }
  }
  for (const rule of rules) {
    const source = index.matchSourceKey(rule.key, rule.name);
    const fields = source === undefined ? undefined : bySource.get(source);
    if (fields) out.set(rule.key, [...fields].sort());
  }
  return out;
}
