// Resolving what a correlation's `rules` (and `aliases`) refer to: a detection rule or another correlation,
// by id or by name (sigma-correlation-rules-specification.md, "Related rules").
import type { SigmaCorrelationDocument } from '../loader/rule-document.js';
import type { KnownRule } from './correlation-types.js';

/** What one reference resolved to. */
export type ResolvedReference =
  | { kind: 'rule'; key: string }
  | { kind: 'correlation'; index: number }
  | { kind: 'unknown' }
  | { kind: 'ambiguous'; detail: string };

/** The source key of a detection rule: its id, else its name. */
export function ruleSourceKey(rule: KnownRule): string | undefined {
  if (rule.id) return `rule:${rule.id}`;
  if (rule.name) return `rule-name:${rule.name}`;
  return undefined;
}

/** The source key of a correlation (what its alerts feed): its position among the documents. */
export function correlationSourceKey(index: number): string {
  return `correlation:${index}`;
}

/** The lookup tables of every detection rule and correlation that may be referred to. */
export class ReferenceIndex {
  private readonly ruleById = new Map<string, string>();
  private readonly ruleByName = new Map<string, string>();
  private readonly correlationById = new Map<string, number>();
  private readonly correlationByName = new Map<string, number>();

  constructor(knownRules: Iterable<KnownRule>, correlations: readonly SigmaCorrelationDocument[]) {
    for (const rule of knownRules) {
      const key = ruleSourceKey(rule);
      if (key === undefined) continue;
      if (rule.id && !this.ruleById.has(rule.id)) this.ruleById.set(rule.id, key);
      if (rule.name && !this.ruleByName.has(rule.name)) this.ruleByName.set(rule.name, key);
    }
    correlations.forEach((doc, index) => {
      if (doc.id && !this.correlationById.has(doc.id)) this.correlationById.set(doc.id, index);
      if (doc.name && !this.correlationByName.has(doc.name)) this.correlationByName.set(doc.name, index);
    });
  }

  /** Resolves a reference written in a correlation: an id or name of a detection rule or correlation. */
  resolve(reference: string): ResolvedReference {
    const rule = this.ruleById.get(reference) ?? this.ruleByName.get(reference);
    const correlation = this.correlationById.get(reference) ?? this.correlationByName.get(reference);
    if (rule !== undefined && correlation !== undefined) {
      return {
        kind: 'ambiguous',
        detail: `'${reference}' names both a detection rule and a correlation rule`,
      };
    }
    if (rule !== undefined) return { kind: 'rule', key: rule };
    if (correlation !== undefined) return { kind: 'correlation', index: correlation };
    return { kind: 'unknown' };
  }

  /** The source key of a detection match: by its rule id, else by its rule name (or an id that is a name). */
  matchSourceKey(ruleId: string, ruleName: string | undefined): string | undefined {
    return (
      this.ruleById.get(ruleId) ??
      (ruleName === undefined ? undefined : this.ruleByName.get(ruleName)) ??
      this.ruleByName.get(ruleId)
    );
  }
}
