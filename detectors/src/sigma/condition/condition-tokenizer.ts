// Splits a condition string into words and brackets. Keywords (`and`, `or`, `not`, `of`, `them`, `all`)
// are words too: the parser tells them from search identifiers by position, case-insensitively.
import type { RuleLocation } from '../sigma-types.js';
import { conditionSyntaxError, deprecatedAggregationError } from './condition-errors.js';

/** One token: a word (identifier, pattern, keyword or `1`), a bracket, or the end of the condition. */
export interface ConditionToken {
  readonly type: 'word' | '(' | ')' | 'end';
  /** The word as written (empty for brackets and the end). */
  readonly text: string;
  /** 1-based offset in the condition string. */
  readonly column: number;
}

// Characters of search identifiers as SigmaHQ writes them (letters, digits, `_`, `-`, `.`), plus the `*`
// of quantifier patterns. Only used at compile time.
const WORD_CHAR = /[\p{L}\p{N}_.\-*]/u;
const SPACE = /\s/u;

/**
 * Tokenizes `text`. Throws SigmaRuleError for a character no condition can contain, and
 * SigmaUnsupportedError (reason `deprecated-aggregation`) for the pipe of the obsolete aggregation syntax.
 */
export function tokenizeCondition(text: string, location: RuleLocation): ConditionToken[] {
  const tokens: ConditionToken[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (SPACE.test(char)) {
      i++;
    } else if (char === '(' || char === ')') {
      tokens.push({ type: char, text: '', column: i + 1 });
      i++;
    } else if (WORD_CHAR.test(char)) {
      const start = i;
      while (i < text.length && WORD_CHAR.test(text[i] as string)) i++;
      tokens.push({ type: 'word', text: text.slice(start, i), column: start + 1 });
    } else if (char === '|') {
      throw deprecatedAggregationError(text, location);
    } else {
      throw conditionSyntaxError(text, i + 1, `unexpected character ${JSON.stringify(char)}`, location);
    }
  }
  tokens.push({ type: 'end', text: '', column: text.length + 1 });
  return tokens;
}
