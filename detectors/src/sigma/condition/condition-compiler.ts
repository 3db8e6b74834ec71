// Compiles a condition into one predicate over events. Names and patterns are resolved to the selections'
// predicates once, here: evaluating an event only runs the boolean logic (no lookups, no allocation), and
// stops as soon as the outcome is known.
import type { EventPredicate, RuleLocation } from '../sigma-types.js';
import type { ConditionNode, IdentifierNode } from './condition-ast.js';
import { conditionError, conditionLocation } from './condition-errors.js';
import { formatCondition } from './condition-format.js';
import { parseConditionItems } from './condition-parser.js';
import { resolveQuantifier } from './identifier-pattern.js';

/**
 * Compiles a rule's condition (a string, or a deprecated list of strings, ORed) against the rule's
 * selections, by search-identifier name. Throws SigmaRuleError for a syntax error (column and what was
 * expected), an unknown search identifier (naming it) and a `1 of` / `all of` pattern matching no
 * identifier (naming the pattern); SigmaUnsupportedError (`deprecated-aggregation`) for `| count()` / `near`.
 */
export function compileCondition(
  condition: string | readonly string[],
  selections: ReadonlyMap<string, EventPredicate>,
  location: RuleLocation = {},
): EventPredicate {
  const items = parseConditionItems(condition, location);
  const predicates = items.map((item) => new Compiler(selections, item.text, item.location).build(item.node));
  return anyOf(predicates);
}

/**
 * Compiles a parsed condition (see parseCondition) against the rule's selections, with the same errors as
 * compileCondition; their messages quote the condition as formatCondition writes it.
 */
export function compileConditionNode(
  node: ConditionNode,
  selections: ReadonlyMap<string, EventPredicate>,
  location: RuleLocation = {},
): EventPredicate {
  return new Compiler(selections, formatCondition(node), conditionLocation(location)).build(node);
}

class Compiler {
  constructor(
    private readonly selections: ReadonlyMap<string, EventPredicate>,
    private readonly text: string,
    private readonly location: RuleLocation,
  ) {}

  build(node: ConditionNode): EventPredicate {
    switch (node.kind) {
      case 'identifier':
        return this.selection(node);
      case 'not': {
        const operand = this.build(node.operand);
        return (event) => !operand(event);
      }
      case 'and':
        return allOf(this.flatten(node.operands, 'and'));
      case 'or':
        return anyOf(this.flatten(node.operands, 'or'));
      case 'quantifier': {
        const names = resolveQuantifier(node, this.selections.keys(), this.text, this.location);
        const predicates = names.map((name) => this.selections.get(name) as EventPredicate);
        return node.quantifier === 'all' ? allOf(predicates) : anyOf(predicates);
      }
    }
  }

  /** The predicates of a chain's operands, with nested chains of the same kind (brackets, quantifiers) inlined. */
  private flatten(operands: readonly ConditionNode[], kind: 'and' | 'or'): EventPredicate[] {
    const quantifier = kind === 'and' ? 'all' : 'one';
    const predicates: EventPredicate[] = [];
    for (const operand of operands) {
      if (operand.kind === kind) {
        predicates.push(...this.flatten(operand.operands, kind));
      } else if (operand.kind === 'quantifier' && operand.quantifier === quantifier) {
        for (const name of resolveQuantifier(operand, this.selections.keys(), this.text, this.location)) {
          predicates.push(this.selections.get(name) as EventPredicate);
        }
      } else {
        predicates.push(this.build(operand));
      }
    }
    return predicates;
  }

  private selection(node: IdentifierNode): EventPredicate {
    const predicate = this.selections.get(node.name);
    if (predicate) return predicate;
    const known = [...this.selections.keys()];
    const listed = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ...` : known.join(', ');
    const defined = known.length ? `the rule defines: ${listed}` : 'the rule defines no search identifier';
    throw conditionError(
      this.text,
      `unknown search identifier '${node.name}' at column ${node.column} (${defined})`,
      this.location,
    );
  }
}

/** True when every predicate is (left to right, stopping at the first false). */
function allOf(predicates: readonly EventPredicate[]): EventPredicate {
  const [a, b, c] = predicates;
  switch (predicates.length) {
    case 1:
      return a as EventPredicate;
    case 2:
      return twoAnd(a as EventPredicate, b as EventPredicate);
    case 3:
      return threeAnd(a as EventPredicate, b as EventPredicate, c as EventPredicate);
    default: {
      const list = predicates.slice();
      const count = list.length;
      return (event) => {
        for (let i = 0; i < count; i++) if (!(list[i] as EventPredicate)(event)) return false;
        return true;
      };
    }
  }
}

/** True when any predicate is (left to right, stopping at the first true). */
function anyOf(predicates: readonly EventPredicate[]): EventPredicate {
  const [a, b, c] = predicates;
  switch (predicates.length) {
    case 1:
      return a as EventPredicate;
    case 2:
      return twoOr(a as EventPredicate, b as EventPredicate);
    case 3:
      return threeOr(a as EventPredicate, b as EventPredicate, c as EventPredicate);
    default: {
      const list = predicates.slice();
      const count = list.length;
      return (event) => {
        for (let i = 0; i < count; i++) if ((list[i] as EventPredicate)(event)) return true;
        return false;
      };
    }
  }
}

function twoAnd(a: EventPredicate, b: EventPredicate): EventPredicate {
  return (event) => a(event) && b(event);
}

function threeAnd(a: EventPredicate, b: EventPredicate, c: EventPredicate): EventPredicate {
  return (event) => a(event) && b(event) && c(event);
}

function twoOr(a: EventPredicate, b: EventPredicate): EventPredicate {
  return (event) => a(event) || b(event);
}

function threeOr(a: EventPredicate, b: EventPredicate, c: EventPredicate): EventPredicate {
  return (event) => a(event) || b(event) || c(event);
}
