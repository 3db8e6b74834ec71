// Sigma global filters (sigma-filters-specification.md): a filter names rules and a condition; a rule it
// applies to matches only the events the filter's condition does not (`rule and not filter`).
import { compileCondition } from '../condition/index.js';
import type { SigmaFilterDocument, SigmaLogSource } from '../loader/index.js';
import { compileSelection } from '../match/index.js';
import type { CompileOptions, EventPredicate } from '../sigma-types.js';
import type { CompiledRule } from './compiled-rule.js';
import { ruleLocation } from './rule-compiler.js';

/** A compiled global filter. */
export interface CompiledFilter {
  readonly id: string | undefined;
  readonly title: string;
  /** The ids or names of the rules it applies to. */
  readonly rules: readonly string[];
  readonly logsource: SigmaLogSource;
  /** True for the events the filter suppresses. */
  readonly test: EventPredicate;
  readonly document: SigmaFilterDocument;
}

/**
 * Compiles a filter's search identifiers and condition.
 * @throws SigmaRuleError / SigmaUnsupportedError naming the filter's file, id and offending key
 */
export function compileFilter(doc: SigmaFilterDocument, options: CompileOptions = {}): CompiledFilter {
  const location = ruleLocation(doc);
  const selections = new Map<string, EventPredicate>();
  for (const [name, value] of Object.entries(doc.detection)) {
    selections.set(name, compileSelection(name, value, options, location).test);
  }
  const conditions = doc.conditions.length === 1 ? (doc.conditions[0] as string) : doc.conditions;
  const test = compileCondition(conditions, selections, { ...location, key: 'filter.condition' });
  return { id: doc.id, title: doc.title, rules: doc.rules, logsource: doc.logsource, test, document: doc };
}

/**
 * The rules with the filters that apply to them: a filter applies to a rule it names (by id or name)
 * whose log source has the filter's product, category and service (those the filter sets). A filtered
 * rule's test is `rule and not filter`; its prefilter is unchanged (filters only remove matches).
 */
export function applyFilters(
  rules: readonly CompiledRule[],
  filters: readonly CompiledFilter[],
): CompiledRule[] {
  if (filters.length === 0) return [...rules];
  return rules.map((rule) => {
    const applicable = filters.filter((filter) => appliesTo(filter, rule));
    if (applicable.length === 0) return rule;
    const base = rule.test;
    const suppress = applicable.map((filter) => filter.test);
    const test: EventPredicate = (event) => {
      if (!base(event)) return false;
      for (const filter of suppress) if (filter(event)) return false;
      return true;
    };
    const ids = applicable.map((filter) => filter.id ?? filter.title);
    return { ...rule, test, filters: [...rule.filters, ...ids] };
  });
}

function appliesTo(filter: CompiledFilter, rule: CompiledRule): boolean {
  const named =
    (rule.id !== undefined && filter.rules.includes(rule.id)) ||
    (rule.name !== undefined && filter.rules.includes(rule.name));
  if (!named) return false;
  return (['product', 'category', 'service'] as const).every((key) => {
    const wanted = filter.logsource[key];
    return wanted === undefined || wanted.toLowerCase() === rule.logsource[key]?.toLowerCase();
  });
}
