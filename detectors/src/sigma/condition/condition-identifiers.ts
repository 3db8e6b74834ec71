// Which search identifiers a condition refers to, for the loader's checks (unknown or unused selections).
import type { RuleLocation } from '../sigma-types.js';
import type { ConditionNode } from './condition-ast.js';
import { parseCondition } from './condition-parser.js';

/** The search identifiers a condition names, the patterns it quantifies over, and whether it uses `them`. */
export interface ConditionIdentifiers {
  /** Identifiers named as such (`selection`, `filter_main`), in order of first appearance, once each. */
  names: string[];
  /** Patterns of `1 of X` / `all of X` (`selection_*`; a pattern without `*` too), in order, once each. */
  patterns: string[];
  /** True when the condition says `1 of them` or `all of them` (every identifier not starting with `_`). */
  them: boolean;
}

/**
 * Lists what a condition refers to. Takes condition text (a string or the deprecated list, parsed here:
 * parse errors are thrown as by parseCondition) or an already parsed condition.
 */
export function conditionIdentifiers(
  condition: string | readonly string[] | ConditionNode,
  location: RuleLocation = {},
): ConditionIdentifiers {
  const node =
    typeof condition === 'string' || Array.isArray(condition)
      ? parseCondition(condition, location)
      : condition;
  const names = new Set<string>();
  const patterns = new Set<string>();
  let them = false;
  const visit = (current: ConditionNode): void => {
    switch (current.kind) {
      case 'identifier':
        names.add(current.name);
        break;
      case 'quantifier':
        if (current.target.kind === 'them') them = true;
        else patterns.add(current.target.pattern);
        break;
      case 'not':
        visit(current.operand);
        break;
      case 'and':
      case 'or':
        current.operands.forEach(visit);
        break;
    }
  };
  visit(node as ConditionNode);
  return { names: [...names], patterns: [...patterns], them };
}
