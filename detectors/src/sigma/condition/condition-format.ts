// Writes a condition tree back as condition text, bracketing only where precedence needs it.
import type { ConditionNode } from './condition-ast.js';
import { describeQuantifier } from './identifier-pattern.js';

const PRECEDENCE = { or: 1, and: 2, not: 3, quantifier: 4, identifier: 4 } as const;

/**
 * The condition text of `node` (`a and (b or not c)`): parsing it gives `node` back. Used in error
 * messages about trees built without text, and to show how a condition was understood.
 */
export function formatCondition(node: ConditionNode): string {
  switch (node.kind) {
    case 'identifier':
      return node.name;
    case 'quantifier':
      return describeQuantifier(node);
    case 'not':
      return `not ${operand(node.operand, PRECEDENCE.not)}`;
    case 'and':
    case 'or':
      // Operands of the same kind are bracketed: the parser only builds such nesting from brackets.
      return node.operands.map((child) => operand(child, PRECEDENCE[node.kind] + 1)).join(` ${node.kind} `);
  }
}

function operand(node: ConditionNode, least: number): string {
  const text = formatCondition(node);
  return PRECEDENCE[node.kind] < least ? `(${text})` : text;
}
