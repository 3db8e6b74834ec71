// Which selections an event must match for a condition to match it, for the engine's prefilter: a rule
// can be skipped for an event when, for every alternative, some selection of it certainly fails (e.g. its
// literals are absent from the event).
//
// A requirement is a formula in disjunctive normal form over selections that the condition implies:
// condition ⇒ (s1 ∧ s2) ∨ (s3). It is computed with negations pushed down to the search identifiers
// (De Morgan, `not 1 of X` = `all of` the negations): a negated selection says nothing about which
// selections match, so it contributes "no requirement". An `and` takes the product of its operands'
// requirements; when that would grow past MAX_ALTERNATIVES it keeps the product so far, which is weaker
// and still implied. An `or` is the union of its operands' requirements, and has none if one operand has none.
import type { RuleLocation } from '../sigma-types.js';
import type { ConditionNode } from './condition-ast.js';
import { conditionLocation } from './condition-errors.js';
import { formatCondition } from './condition-format.js';
import { resolveQuantifier } from './identifier-pattern.js';

/** Most alternatives an `and` may multiply out to (past it, operands are left out: a weaker requirement). */
export const MAX_ALTERNATIVES = 64;

/** A requirement: alternatives (ORed) of selection names (ANDed); undefined when nothing is required. */
type Requirement = string[][] | undefined;

/**
 * The selections required for `condition` to match: alternatives (ORed) of sets (ANDed) of selection names
 * such that any event matching the condition matches every selection of at least one alternative. An
 * alternative that contains another is dropped (the smaller one is implied by it). Returns undefined when
 * the condition can match without any selection matching (`not filter`, `a or not b`).
 * `selectionNames` are the rule's search identifiers (to resolve `1 of` / `all of`); a pattern matching
 * none is a SigmaRuleError, as in compileCondition.
 */
export function requiredSelections(
  condition: ConditionNode,
  selectionNames: Iterable<string>,
  location: RuleLocation = {},
): string[][] | undefined {
  const names = [...selectionNames];
  const text = formatCondition(condition);
  const errorLocation = conditionLocation(location);

  const requirement = (node: ConditionNode, positive: boolean): Requirement => {
    switch (node.kind) {
      case 'identifier':
        return positive ? [[node.name]] : undefined;
      case 'not':
        return requirement(node.operand, !positive);
      case 'and':
        return positive ? conjunction(node.operands, positive) : disjunction(node.operands, positive);
      case 'or':
        return positive ? disjunction(node.operands, positive) : conjunction(node.operands, positive);
      case 'quantifier': {
        const matched = resolveQuantifier(node, names, text, errorLocation);
        // Negated, `1 of` is `all of` the negations and `all of` is `1 of` them: nothing required.
        if (!positive) return undefined;
        return node.quantifier === 'all' ? [[...new Set(matched)]] : simplify(matched.map((name) => [name]));
      }
    }
  };

  const conjunction = (operands: readonly ConditionNode[], positive: boolean): Requirement => {
    let product: string[][] = [[]];
    for (const operand of operands) {
      const required = requirement(operand, positive);
      if (required === undefined || product.length * required.length > MAX_ALTERNATIVES) continue;
      product = simplify(
        product.flatMap((left) => required.map((right) => [...new Set([...left, ...right])])),
      );
    }
    return product.length === 1 && (product[0] as string[]).length === 0 ? undefined : product;
  };

  const disjunction = (operands: readonly ConditionNode[], positive: boolean): Requirement => {
    const alternatives: string[][] = [];
    for (const operand of operands) {
      const required = requirement(operand, positive);
      if (required === undefined) return undefined;
      alternatives.push(...required);
    }
    return simplify(alternatives);
  };

  return requirement(condition, true);
}

/** Drops alternatives that repeat an earlier one or contain another one (which they imply). */
function simplify(alternatives: string[][]): string[][] {
  const sets = alternatives.map((names) => new Set(names));
  return alternatives.filter((_, i) => {
    const own = sets[i] as Set<string>;
    return !sets.some(
      (other, j) =>
        j !== i && (other.size < own.size || (other.size === own.size && j < i)) && isSubset(other, own),
    );
  });
}

function isSubset(small: ReadonlySet<string>, large: ReadonlySet<string>): boolean {
  for (const name of small) if (!large.has(name)) return false;
  return true;
}
