// Resolving what `1 of X` / `all of X` range over against a rule's search identifiers.
import type { RuleLocation } from '../sigma-types.js';
import type { QuantifierNode, QuantifierTarget } from './condition-ast.js';
import { conditionError } from './condition-errors.js';

/**
 * True when `name` matches `pattern`, where `*` stands for any number of characters and every other
 * character stands for itself (case-sensitive, as YAML keys are). A pattern without `*` matches only itself.
 */
export function matchesIdentifierPattern(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last))
    return false;
  let position = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = name.indexOf(part, position);
    if (found < 0 || found + part.length > end) return false;
    position = found + part.length;
  }
  return true;
}

/**
 * The search identifiers a quantifier target covers, in `names` order: for `them`, every name not starting
 * with `_` (spec: such identifiers are excluded by convention); for a pattern, every name it matches.
 */
export function targetIdentifiers(target: QuantifierTarget, names: Iterable<string>): string[] {
  const matched: string[] = [];
  for (const name of names) {
    if (target.kind === 'them' ? !name.startsWith('_') : matchesIdentifierPattern(target.pattern, name)) {
      matched.push(name);
    }
  }
  return matched;
}

/** The text of a quantifier, as a condition writes it: `1 of selection_*`, `all of them`. */
export function describeQuantifier(node: QuantifierNode): string {
  const target = node.target.kind === 'them' ? 'them' : node.target.pattern;
  return `${node.quantifier === 'one' ? '1' : 'all'} of ${target}`;
}

/**
 * Like targetIdentifiers, but a target covering nothing is an error of the rule: SigmaRuleError naming the
 * pattern (`text` is the condition, for the message).
 */
export function resolveQuantifier(
  node: QuantifierNode,
  names: Iterable<string>,
  text: string,
  location: RuleLocation,
): string[] {
  const matched = targetIdentifiers(node.target, names);
  if (matched.length > 0) return matched;
  const what =
    node.target.kind === 'them'
      ? 'there is no search identifier not starting with an underscore'
      : `the pattern '${node.target.pattern}' matches no search identifier`;
  throw conditionError(text, `'${describeQuantifier(node)}' at column ${node.column}: ${what}`, location);
}
