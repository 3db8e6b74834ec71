// Recursive-descent parser of Sigma conditions. Precedence, least to most binding (spec, "Condition"):
// `or`, `and`, `not`, `1 of` / `all of`, brackets. `and` and `or` chains are left-associative.
//
//   condition  := or-expr end
//   or-expr    := and-expr ('or' and-expr)*
//   and-expr   := not-expr ('and' not-expr)*
//   not-expr   := 'not' not-expr | primary
//   primary    := '(' or-expr ')' | ('1' | 'all') 'of' ('them' | pattern) | identifier
import type { RuleLocation } from '../sigma-types.js';
import type { ConditionNode, QuantifierNode } from './condition-ast.js';
import {
  conditionError,
  conditionLocation,
  conditionSyntaxError,
  deprecatedAggregationError,
} from './condition-errors.js';
import { tokenizeCondition } from './condition-tokenizer.js';
import type { ConditionToken } from './condition-tokenizer.js';

/** Deepest nesting of brackets and `not`s accepted (real rules stay below 5; this bounds the recursion). */
export const MAX_CONDITION_DEPTH = 100;

const OPERAND = "a search identifier, '(', 'not', '1 of' or 'all of'";

/** One condition string of a rule, parsed: its text, its tree, and the location its errors name. */
export interface ParsedConditionItem {
  readonly text: string;
  readonly node: ConditionNode;
  readonly location: RuleLocation;
}

/**
 * Parses a rule's condition: one string, or a list of strings (deprecated; its items are ORed).
 * Throws SigmaRuleError naming the column and what was expected for a syntax error, and
 * SigmaUnsupportedError (reason `deprecated-aggregation`) for the obsolete `| count()` / `near` syntax.
 * `location` is the rule's; errors name `location.key`, or `detection.condition` when it has none.
 */
export function parseCondition(
  condition: string | readonly string[],
  location: RuleLocation = {},
): ConditionNode {
  const items = parseConditionItems(condition, location);
  return items.length === 1
    ? (items[0] as ParsedConditionItem).node
    : { kind: 'or', operands: items.map((item) => item.node) };
}

/**
 * Parses each string of a condition on its own (one for a string, one per item for a list), keeping its
 * text and location (`detection.condition[2]` for a list's third item) for later error messages.
 */
export function parseConditionItems(
  condition: string | readonly string[],
  location: RuleLocation = {},
): ParsedConditionItem[] {
  const input: unknown = condition;
  if (typeof input === 'string') {
    const itemLocation = conditionLocation(location);
    return [{ text: input, node: parseOne(input, itemLocation), location: itemLocation }];
  }
  if (!Array.isArray(input)) {
    throw conditionError(
      String(input),
      'a condition must be a string or a list of strings',
      conditionLocation(location),
    );
  }
  if (input.length === 0)
    throw conditionError('', 'the condition list is empty', conditionLocation(location));
  return input.map((item: unknown, index) => {
    const itemLocation = conditionLocation(location, index);
    if (typeof item !== 'string') {
      throw conditionError(String(item), 'a condition list item must be a string', itemLocation);
    }
    return { text: item, node: parseOne(item, itemLocation), location: itemLocation };
  });
}

function parseOne(text: string, location: RuleLocation): ConditionNode {
  if (text.trim() === '') throw conditionError(text, 'the condition is empty', location);
  return new Parser(text, tokenizeCondition(text, location), location).parseCondition();
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly ConditionToken[],
    private readonly location: RuleLocation,
  ) {}

  parseCondition(): ConditionNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.type === 'end') return node;
    if (isWord(next, 'near')) throw deprecatedAggregationError(this.text, this.location);
    if (next.type === ')') throw this.error(next, "unbalanced ')': no '(' is open", false);
    throw this.error(next, "expected 'and', 'or' or the end of the condition");
  }

  private parseOr(): ConditionNode {
    const operands = [this.parseAnd()];
    while (isWord(this.peek(), 'or')) {
      this.index++;
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { kind: 'or', operands };
  }

  private parseAnd(): ConditionNode {
    const operands = [this.parseNot()];
    while (isWord(this.peek(), 'and')) {
      this.index++;
      operands.push(this.parseNot());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { kind: 'and', operands };
  }

  private parseNot(): ConditionNode {
    const token = this.peek();
    if (!isWord(token, 'not')) return this.parsePrimary();
    this.index++;
    this.enter(token);
    const operand = this.parseNot();
    this.depth--;
    return { kind: 'not', operand };
  }

  private parsePrimary(): ConditionNode {
    const token = this.next();
    if (token.type === '(') {
      this.enter(token);
      const inner = this.parseOr();
      const close = this.next();
      if (close.type !== ')') {
        const expected = `expected 'and', 'or' or ')' to close the '(' at column ${token.column}`;
        throw this.error(close, expected);
      }
      this.depth--;
      return inner;
    }
    if (token.type !== 'word') throw this.error(token, `expected ${OPERAND}`);
    const word = token.text.toLowerCase();
    if (word === 'and' || word === 'or' || word === 'of') throw this.error(token, `expected ${OPERAND}`);
    if (isWord(this.peek(), 'of')) return this.parseQuantifier(token);
    if (word === 'them') throw this.error(token, "'them' must follow '1 of' or 'all of'");
    if (token.text.includes('*')) {
      throw this.error(token, `the wildcard pattern '${token.text}' must follow '1 of' or 'all of'`);
    }
    return { kind: 'identifier', name: token.text, column: token.column };
  }

  private parseQuantifier(quantifier: ConditionToken): QuantifierNode {
    const word = quantifier.text.toLowerCase();
    if (word !== '1' && word !== 'all') {
      throw this.error(
        quantifier,
        `'${quantifier.text} of' is not a Sigma quantifier; use '1 of' or 'all of'`,
      );
    }
    this.index++; // `of`
    const target = this.next();
    const lower = target.text.toLowerCase();
    if (target.type !== 'word' || lower === 'and' || lower === 'or' || lower === 'not' || lower === 'of') {
      throw this.error(
        target,
        `expected 'them' or a search-identifier pattern after '${quantifier.text} of'`,
      );
    }
    return {
      kind: 'quantifier',
      quantifier: word === '1' ? 'one' : 'all',
      target: lower === 'them' ? { kind: 'them' } : { kind: 'pattern', pattern: target.text },
      column: target.column,
    };
  }

  private enter(token: ConditionToken): void {
    if (++this.depth > MAX_CONDITION_DEPTH) {
      throw this.error(token, `brackets and 'not' nest deeper than ${MAX_CONDITION_DEPTH} levels`, false);
    }
  }

  private peek(): ConditionToken {
    return this.tokens[this.index] as ConditionToken;
  }

  private next(): ConditionToken {
    const token = this.tokens[this.index] as ConditionToken;
    if (token.type !== 'end') this.index++;
    return token;
  }

  private error(token: ConditionToken, message: string, sayFound = true): Error {
    const text = sayFound ? `${message}, found ${describeToken(token)}` : message;
    return conditionSyntaxError(this.text, token.column, text, this.location);
  }
}

function isWord(token: ConditionToken, keyword: string): boolean {
  return token.type === 'word' && token.text.toLowerCase() === keyword;
}

function describeToken(token: ConditionToken): string {
  if (token.type === 'end') return 'the end of the condition';
  if (token.type === 'word') return `'${token.text}'`;
  return `'${token.type}'`;
}
