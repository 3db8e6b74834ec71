// Compiling one loaded detection rule: its search identifiers, its condition and its prefilter.
import { compileConditionNode, parseCondition, requiredSelections } from '../condition/index.js';
import type { SigmaRuleDocument } from '../loader/index.js';
import { compileSelection, type CompiledSelection } from '../match/index.js';
import type { CompileOptions, EventPredicate, RuleLocation } from '../sigma-types.js';
import { logSourceKey } from '../logsource/index.js';
import type { CompiledRule } from './compiled-rule.js';
import { rulePrefilter } from './rule-prefilter.js';

/** Keys of a detection block that are not search identifiers. */
const RESERVED_KEYS = new Set(['condition']);

/**
 * Compiles a detection rule: every search identifier (compileSelection), the condition (parseCondition,
 * compileConditionNode) and the prefilter (requiredSelections and the selections' literals).
 * @throws SigmaRuleError / SigmaUnsupportedError naming the rule's file, id and offending key, as the
 *   match and condition compilers do
 */
export function compileRule(doc: SigmaRuleDocument, options: CompileOptions = {}): CompiledRule {
  const location = ruleLocation(doc);
  const selections = new Map<string, CompiledSelection>();
  for (const [name, value] of Object.entries(doc.detection)) {
    if (RESERVED_KEYS.has(name)) continue;
    selections.set(name, compileSelection(name, value, options, location));
  }
  const condition = parseCondition(
    doc.conditions.length === 1 ? (doc.conditions[0] as string) : doc.conditions,
    location,
  );
  const tests = new Map<string, EventPredicate>();
  for (const [name, selection] of selections) tests.set(name, selection.test);
  const test = compileConditionNode(condition, tests, location);
  const required = requiredSelections(condition, selections.keys(), location);

  const logsource = {
    ...(doc.logsource.product !== undefined ? { product: doc.logsource.product } : {}),
    ...(doc.logsource.category !== undefined ? { category: doc.logsource.category } : {}),
    ...(doc.logsource.service !== undefined ? { service: doc.logsource.service } : {}),
  };
  const all = [...selections.values()];
  return {
    id: doc.id,
    name: doc.name,
    title: doc.title,
    level: doc.level,
    status: doc.status,
    tags: doc.tags,
    logsource,
    logsourceKey: logSourceKey(logsource),
    test,
    prefilter: rulePrefilter(required, selections),
    fields: [...new Set(all.flatMap((selection) => selection.fields))],
    readsAllFields: all.some((selection) => selection.readsAllFields === true),
    filters: [],
    document: doc,
  };
}

/** The location errors of a rule name: its file and its id (else its title). */
export function ruleLocation(doc: { file: string; id?: string | undefined; title: string }): RuleLocation {
  return { file: doc.file, ruleId: doc.id ?? doc.title };
}
