import { describe, expect, it } from 'vitest';
import { SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import type { ConditionNode } from './condition-ast.js';
import { formatCondition } from './condition-format.js';
import { MAX_CONDITION_DEPTH, parseCondition, parseConditionItems } from './condition-parser.js';
import { tokenizeCondition } from './condition-tokenizer.js';

const id = (name: string, column: number): ConditionNode => ({ kind: 'identifier', name, column });

/** The message of the error `run` throws (fails the test when it throws none). */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected an error, got none');
}

function ruleError(condition: string | string[]): string {
  const error = errorOf(() => parseCondition(condition));
  expect(error).toBeInstanceOf(SigmaRuleError);
  // Without a location, errors name only the key: `at detection.condition: condition "...": ...`.
  expect(error.message).toMatch(/^at detection\.condition(\[\d+\])?: /);
  return error.message.replace(/^at detection\.condition(\[\d+\])?: /, '');
}

describe('tokenizeCondition', () => {
  it('splits words and brackets with 1-based columns', () => {
    expect(tokenizeCondition('(sel_1 or\tkw.a-b)', {})).toEqual([
      { type: '(', text: '', column: 1 },
      { type: 'word', text: 'sel_1', column: 2 },
      { type: 'word', text: 'or', column: 8 },
      { type: 'word', text: 'kw.a-b', column: 11 },
      { type: ')', text: '', column: 17 },
      { type: 'end', text: '', column: 18 },
    ]);
  });

  it('keeps wildcard patterns as one word', () => {
    expect(tokenizeCondition('1 of *filter*', {}).map((token) => token.text)).toEqual([
      '1',
      'of',
      '*filter*',
      '',
    ]);
  });
});

describe('parseCondition precedence (or < and < not < x of < brackets)', () => {
  it('binds and tighter than or', () => {
    expect(parseCondition('a or b and c')).toEqual({
      kind: 'or',
      operands: [id('a', 1), { kind: 'and', operands: [id('b', 6), id('c', 12)] }],
    });
    expect(formatCondition(parseCondition('a and b or c and d'))).toBe('a and b or c and d');
    expect(parseCondition('a and b or c and d')).toMatchObject({
      kind: 'or',
      operands: [{ kind: 'and' }, { kind: 'and' }],
    });
  });

  it('binds not tighter than and', () => {
    expect(parseCondition('not a and b')).toEqual({
      kind: 'and',
      operands: [{ kind: 'not', operand: id('a', 5) }, id('b', 11)],
    });
    expect(parseCondition('a or not b')).toEqual({
      kind: 'or',
      operands: [id('a', 1), { kind: 'not', operand: id('b', 10) }],
    });
  });

  it('binds x of tighter than not', () => {
    expect(parseCondition('not 1 of filter_*')).toEqual({
      kind: 'not',
      operand: {
        kind: 'quantifier',
        quantifier: 'one',
        target: { kind: 'pattern', pattern: 'filter_*' },
        column: 10,
      },
    });
  });

  it('lets brackets override precedence, at any depth', () => {
    expect(formatCondition(parseCondition('(a or b) and c'))).toBe('(a or b) and c');
    expect(formatCondition(parseCondition('not (a and b)'))).toBe('not (a and b)');
    expect(formatCondition(parseCondition('((a)) and (((b or (c and not (d or e)))))'))).toBe(
      'a and (b or c and not (d or e))',
    );
  });

  it('parses and / or chains left to right into one node', () => {
    expect(parseCondition('a and b and c')).toEqual({
      kind: 'and',
      operands: [id('a', 1), id('b', 7), id('c', 13)],
    });
    expect(parseCondition('a or b or c')).toMatchObject({
      kind: 'or',
      operands: [id('a', 1), id('b', 6), id('c', 11)],
    });
  });

  it('stacks not', () => {
    expect(parseCondition('not not a')).toEqual({
      kind: 'not',
      operand: { kind: 'not', operand: id('a', 9) },
    });
  });

  it('round-trips through formatCondition', () => {
    for (const text of [
      'a',
      'a and not b',
      'a or b and c',
      '(a or b) and (c or d)',
      'not (a or b)',
      'not not a',
      '1 of selection_* and not 1 of filter_*',
      'all of them',
      'a and (b and c)',
      'a or (b or c)',
    ]) {
      const node = parseCondition(text);
      expect(formatCondition(node)).toBe(text);
      expect(parseCondition(formatCondition(node))).toEqual(parseCondition(text));
    }
  });
});

describe('parseCondition quantifiers', () => {
  it('parses 1 of / all of with patterns and them', () => {
    expect(parseCondition('1 of selection_*')).toEqual({
      kind: 'quantifier',
      quantifier: 'one',
      target: { kind: 'pattern', pattern: 'selection_*' },
      column: 6,
    });
    expect(parseCondition('all of them')).toEqual({
      kind: 'quantifier',
      quantifier: 'all',
      target: { kind: 'them' },
      column: 8,
    });
    expect(parseCondition('1 of *filter*')).toMatchObject({
      target: { kind: 'pattern', pattern: '*filter*' },
    });
    expect(parseCondition('all of sel')).toMatchObject({ quantifier: 'all', target: { pattern: 'sel' } });
  });

  it('reads keywords case-insensitively', () => {
    expect(formatCondition(parseCondition('A AND NOT B Or 1 OF Them'))).toBe('A and not B or 1 of them');
    expect(formatCondition(parseCondition('ALL Of sel_* aNd nOt filter'))).toBe(
      'all of sel_* and not filter',
    );
  });

  it('keeps search identifiers case-sensitive', () => {
    expect(parseCondition('Selection')).toEqual(id('Selection', 1));
  });

  it('takes all and 1 not followed by of as identifiers', () => {
    expect(parseCondition('all and 1')).toEqual({ kind: 'and', operands: [id('all', 1), id('1', 9)] });
  });
});

describe('parseCondition identifiers and forms', () => {
  it('accepts names with dots, dashes, digits and underscores', () => {
    expect(parseCondition('keywords.linux-audit and _sel_2.b-c')).toEqual({
      kind: 'and',
      operands: [id('keywords.linux-audit', 1), id('_sel_2.b-c', 26)],
    });
  });

  it('parses a condition spread over lines', () => {
    const text =
      'selection_parent and\n(\n    1 of selection_generic_*\n    or\n    (sh and not filter)\n)\n';
    expect(formatCondition(parseCondition(text))).toBe(
      'selection_parent and (1 of selection_generic_* or sh and not filter)',
    );
  });

  it('ORs the items of a condition list, each parsed on its own', () => {
    expect(formatCondition(parseCondition(['a and b', 'c', 'not d']))).toBe('a and b or c or not d');
    expect(parseCondition(['a'])).toEqual(id('a', 1));
    const items = parseConditionItems(['a', 'b'], { file: 'r.yml' });
    expect(items.map((item) => item.location.key)).toEqual([
      'detection.condition[0]',
      'detection.condition[1]',
    ]);
  });
});

describe('parseCondition errors', () => {
  it('names an unclosed bracket with the column of its opening', () => {
    expect(ruleError('(a and b')).toBe(
      `condition "(a and b": expected 'and', 'or' or ')' to close the '(' at column 1, found the end of the condition at column 9`,
    );
    expect(ruleError('a and ((b or c)')).toContain(
      "to close the '(' at column 7, found the end of the condition at column 16",
    );
  });

  it('names an unbalanced closing bracket', () => {
    expect(ruleError('a and b)')).toBe(`condition "a and b)": unbalanced ')': no '(' is open at column 8`);
    expect(ruleError(')')).toBe(
      `condition ")": expected a search identifier, '(', 'not', '1 of' or 'all of', found ')' at column 1`,
    );
  });

  it('names a dangling or leading operator', () => {
    expect(ruleError('a and')).toBe(
      `condition "a and": expected a search identifier, '(', 'not', '1 of' or 'all of', found the end of the condition at column 6`,
    );
    expect(ruleError('and a')).toContain("found 'and' at column 1");
    expect(ruleError('a or or b')).toContain("found 'or' at column 6");
    expect(ruleError('a and not')).toContain('found the end of the condition at column 10');
    expect(ruleError('()')).toContain("found ')' at column 2");
  });

  it('names two operands without an operator', () => {
    expect(ruleError('a b')).toBe(
      `condition "a b": expected 'and', 'or' or the end of the condition, found 'b' at column 3`,
    );
    expect(ruleError('(a b)')).toContain(
      "expected 'and', 'or' or ')' to close the '(' at column 1, found 'b' at column 4",
    );
  });

  it('rejects empty conditions', () => {
    expect(ruleError('')).toBe('condition "": the condition is empty');
    expect(ruleError('  \n ')).toContain('the condition is empty');
    expect(ruleError([])).toContain('the condition list is empty');
    expect(errorOf(() => parseCondition(['a', ''])).message).toContain('detection.condition[1]');
  });

  it('rejects values that are not strings', () => {
    expect(errorOf(() => parseCondition(null as unknown as string))).toBeInstanceOf(SigmaRuleError);
    expect(errorOf(() => parseCondition(['a', 3] as unknown as string[])).message).toContain(
      'a condition list item must be a string',
    );
    expect(errorOf(() => parseCondition({ a: 1 } as unknown as string)).message).toContain(
      'a condition must be a string or a list of strings',
    );
  });

  it('rejects misused quantifiers and patterns', () => {
    expect(ruleError('sel_*')).toBe(
      `condition "sel_*": the wildcard pattern 'sel_*' must follow '1 of' or 'all of', found 'sel_*' at column 1`,
    );
    expect(ruleError('2 of sel_*')).toContain(
      "'2 of' is not a Sigma quantifier; use '1 of' or 'all of', found '2' at column 1",
    );
    expect(ruleError('a and any of sel_*')).toContain("'any of' is not a Sigma quantifier");
    expect(ruleError('1 of')).toContain(
      "expected 'them' or a search-identifier pattern after '1 of', found the end",
    );
    expect(ruleError('all of (a)')).toContain("found '(' at column 8");
    expect(ruleError('1 of and')).toContain("found 'and' at column 6");
    expect(ruleError('them')).toContain("'them' must follow '1 of' or 'all of'");
    expect(ruleError('of a')).toContain("found 'of' at column 1");
  });

  it('rejects characters conditions do not have', () => {
    expect(ruleError('a && b')).toBe(`condition "a && b": unexpected character "&" at column 3`);
    expect(ruleError('a and b = 1')).toContain('unexpected character "=" at column 9');
    expect(ruleError('sel?')).toContain('unexpected character "?" at column 4');
  });

  it('gives line and column in a condition of several lines', () => {
    expect(ruleError('a and\n  (b or\n  c')).toContain('found the end of the condition at line 3, column 4');
    expect(ruleError('a and\n  b c')).toContain("found 'c' at line 2, column 5");
  });

  it('names the file, rule and key of the condition', () => {
    const error = errorOf(() => parseCondition('a and', { file: 'rules/x.yml', ruleId: 'r-1' }));
    expect(error).toBeInstanceOf(SigmaRuleError);
    expect((error as SigmaRuleError).location).toEqual({
      file: 'rules/x.yml',
      ruleId: 'r-1',
      key: 'detection.condition',
    });
    expect(error.message.startsWith('rules/x.yml, rule r-1, at detection.condition: condition "a and"')).toBe(
      true,
    );
    const filter = errorOf(() => parseCondition('a b', { key: 'filter.condition' })) as SigmaRuleError;
    expect(filter.location.key).toBe('filter.condition');
  });

  it('bounds nesting instead of overflowing the stack', () => {
    const deep = `${'('.repeat(MAX_CONDITION_DEPTH + 1)}a${')'.repeat(MAX_CONDITION_DEPTH + 1)}`;
    expect(ruleError(deep)).toContain(
      `nest deeper than ${MAX_CONDITION_DEPTH} levels at column ${MAX_CONDITION_DEPTH + 1}`,
    );
    expect(ruleError(`${'not '.repeat(100_000)}a`)).toContain('nest deeper than');
    const ok = `${'('.repeat(MAX_CONDITION_DEPTH)}a${')'.repeat(MAX_CONDITION_DEPTH)}`;
    expect(parseCondition(ok)).toEqual(id('a', MAX_CONDITION_DEPTH + 1));
  });
});

describe('deprecated aggregations', () => {
  for (const text of [
    'selection | count() by src_ip > 5',
    'selection | count(dst_port) by src_ip > 10',
    'selection | near dllload1 and dllload2',
    'selection near other',
    '1 of selection* | count() > 3',
  ]) {
    it(`rejects ${text} as unsupported`, () => {
      const error = errorOf(() => parseCondition(text, { ruleId: 'r-2' }));
      expect(error).toBeInstanceOf(SigmaUnsupportedError);
      expect((error as SigmaUnsupportedError).reason).toBe('deprecated-aggregation');
      expect(error.message).toContain('correlation rules');
      expect((error as SigmaUnsupportedError).location.key).toBe('detection.condition');
    });
  }

  it('takes near as a plain identifier where it is one', () => {
    expect(parseCondition('near and b')).toMatchObject({
      kind: 'and',
      operands: [id('near', 1), id('b', 10)],
    });
  });
});
