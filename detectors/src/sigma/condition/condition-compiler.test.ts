import { describe, expect, it } from 'vitest';
import type { EventPredicate, SigmaEvent } from '../sigma-types.js';
import { SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import { compileCondition, compileConditionNode } from './condition-compiler.js';
import { parseCondition } from './condition-parser.js';

/** Selections that test the event's boolean field of their own name. */
function fieldSelections(names: readonly string[]): Map<string, EventPredicate> {
  return new Map(names.map((name) => [name, (event: SigmaEvent) => event[name] === true]));
}

/** Every assignment of true/false to `names`, as events. */
function assignments(names: readonly string[]): Record<string, boolean>[] {
  return Array.from({ length: 2 ** names.length }, (_, bits) =>
    Object.fromEntries(names.map((name, i) => [name, (bits & (1 << i)) !== 0])),
  );
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected an error, got none');
}

type Row = Record<string, boolean>;

describe('compileCondition truth tables', () => {
  const names = ['a', 'b', 'c', 'd'];
  const selections = fieldSelections(names);
  const cases: [string, (v: Row) => boolean][] = [
    ['a', (v) => v.a!],
    ['not a', (v) => !v.a],
    ['a and b', (v) => v.a! && v.b!],
    ['a or b', (v) => v.a! || v.b!],
    ['a or b and c', (v) => v.a! || (v.b! && v.c!)],
    ['a and b or c', (v) => (v.a! && v.b!) || v.c!],
    ['(a or b) and c', (v) => (v.a! || v.b!) && v.c!],
    ['not a and b', (v) => !v.a && v.b!],
    ['not a or b', (v) => !v.a || v.b!],
    ['not (a or b)', (v) => !(v.a! || v.b!)],
    ['not (a and b)', (v) => !(v.a! && v.b!)],
    ['not not a', (v) => v.a!],
    ['a and not b or c', (v) => (v.a! && !v.b) || v.c!],
    ['a and (b or (c and not a))', (v) => v.a! && (v.b! || (v.c! && !v.a))],
    ['a and b and c and d', (v) => v.a! && v.b! && v.c! && v.d!],
    ['a or b or c or d', (v) => v.a! || v.b! || v.c! || v.d!],
    ['a and b or c and d', (v) => (v.a! && v.b!) || (v.c! && v.d!)],
    ['not a and not b and not c', (v) => !v.a && !v.b && !v.c],
  ];

  for (const [text, expected] of cases) {
    it(`evaluates ${text}`, () => {
      const predicate = compileCondition(text, selections);
      for (const row of assignments(names)) expect(predicate(row), JSON.stringify(row)).toBe(expected(row));
    });
  }

  it('reads keywords case-insensitively', () => {
    const predicate = compileCondition('a AND NOT b Or c', selections);
    for (const row of assignments(names)) expect(predicate(row)).toBe((row.a! && !row.b) || row.c!);
  });

  it('ORs the items of a condition list', () => {
    const predicate = compileCondition(['a and b', 'not c'], selections);
    for (const row of assignments(names)) expect(predicate(row)).toBe((row.a! && row.b!) || !row.c);
  });

  it('works on constant selections', () => {
    const constants = new Map<string, EventPredicate>([
      ['yes', () => true],
      ['no', () => false],
    ]);
    expect(compileCondition('yes and not no', constants)({})).toBe(true);
    expect(compileCondition('yes and no', constants)({})).toBe(false);
    expect(compileCondition('no or not yes', constants)({})).toBe(false);
    expect(compileCondition('not (no or no) and (yes)', constants)({})).toBe(true);
  });

  it('compiles a parsed condition the same way', () => {
    const predicate = compileConditionNode(parseCondition('a and not (b or c)'), selections);
    for (const row of assignments(names)) expect(predicate(row)).toBe(row.a! && !(row.b! || row.c!));
  });
});

describe('compileCondition quantifiers', () => {
  const names = ['sel_1', 'sel_2', 'sel_3', 'filter_a', 'filter_b', '_hidden'];
  const selections = fieldSelections(names);
  const rows = assignments(names);

  const check = (text: string, expected: (v: Row) => boolean): void => {
    const predicate = compileCondition(text, selections);
    for (const row of rows) expect(predicate(row), `${text} on ${JSON.stringify(row)}`).toBe(expected(row));
  };

  it('1 of pattern is true when any matching selection is', () => {
    check('1 of sel_*', (v) => v.sel_1! || v.sel_2! || v.sel_3!);
  });

  it('all of pattern is true when every matching selection is', () => {
    check('all of sel_*', (v) => v.sel_1! && v.sel_2! && v.sel_3!);
  });

  it('matches * anywhere in the pattern', () => {
    check('1 of *_a', (v) => v.filter_a!);
    check('all of *l*', (v) => v.sel_1! && v.sel_2! && v.sel_3! && v.filter_a! && v.filter_b!);
    check('1 of f*r_*', (v) => v.filter_a! || v.filter_b!);
  });

  it('takes a pattern without * as the one name', () => {
    check('1 of sel_2', (v) => v.sel_2!);
    check('all of sel_2', (v) => v.sel_2!);
  });

  it('them covers every identifier not starting with an underscore', () => {
    check('1 of them', (v) => v.sel_1! || v.sel_2! || v.sel_3! || v.filter_a! || v.filter_b!);
    check('all of them', (v) => v.sel_1! && v.sel_2! && v.sel_3! && v.filter_a! && v.filter_b!);
    const onlyHidden = { _hidden: true };
    expect(compileCondition('1 of them', selections)(onlyHidden)).toBe(false);
  });

  it('reaches underscore identifiers by name and by explicit pattern', () => {
    check('_hidden', (v) => v._hidden!);
    check('1 of _*', (v) => v._hidden!);
  });

  it('combines quantifiers with operators', () => {
    check(
      '1 of sel_* and not 1 of filter_*',
      (v) => (v.sel_1! || v.sel_2! || v.sel_3!) && !(v.filter_a! || v.filter_b!),
    );
    check(
      'all of sel_* or not all of filter_*',
      (v) => (v.sel_1! && v.sel_2! && v.sel_3!) || !(v.filter_a! && v.filter_b!),
    );
    check(
      'sel_1 and (1 of filter_* or all of sel_*)',
      (v) => v.sel_1! && (v.filter_a! || v.filter_b! || (v.sel_2! && v.sel_3!)),
    );
    check('not 1 of sel_* or _hidden', (v) => !(v.sel_1! || v.sel_2! || v.sel_3!) || v._hidden!);
  });
});

describe('compileCondition evaluation cost', () => {
  it('returns the selection itself for a single name', () => {
    const selection: EventPredicate = () => true;
    expect(compileCondition('only', new Map([['only', selection]]))).toBe(selection);
    expect(compileCondition('1 of on*', new Map([['only', selection]]))).toBe(selection);
  });

  it('stops at the first false of and / all of and the first true of or / 1 of', () => {
    const calls: string[] = [];
    const counting =
      (name: string, value: boolean): EventPredicate =>
      () => {
        calls.push(name);
        return value;
      };
    const selections = new Map([
      ['t1', counting('t1', true)],
      ['t2', counting('t2', true)],
      ['f1', counting('f1', false)],
      ['f2', counting('f2', false)],
      ['f3', counting('f3', false)],
    ]);
    const run = (text: string): string[] => {
      calls.length = 0;
      compileCondition(text, selections)({});
      return [...calls];
    };
    expect(run('f1 and t1')).toEqual(['f1']);
    expect(run('t1 or f1')).toEqual(['t1']);
    expect(run('t1 and f1 and t2 and f2')).toEqual(['t1', 'f1']);
    expect(run('f1 or f2 or t1 or t2')).toEqual(['f1', 'f2', 't1']);
    expect(run('1 of t*')).toEqual(['t1']);
    expect(run('all of f*')).toEqual(['f1']);
    expect(run('1 of f* or t2')).toEqual(['f1', 'f2', 'f3', 't2']);
    expect(run('not t1 and f1')).toEqual(['t1']);
    expect(run('all of them')).toEqual(['t1', 't2', 'f1']);
  });
});

describe('compileCondition errors', () => {
  const selections = fieldSelections(['selection', 'filter_main', 'filter_optional', '_internal']);

  it('names an unknown search identifier and its column', () => {
    const error = errorOf(() =>
      compileCondition('selection and not filter_mian', selections, { file: 'r.yml', ruleId: 'r-1' }),
    );
    expect(error).toBeInstanceOf(SigmaRuleError);
    expect(error.message).toBe(
      'r.yml, rule r-1, at detection.condition: condition "selection and not filter_mian": unknown search identifier ' +
        "'filter_mian' at column 19 (the rule defines: selection, filter_main, filter_optional, _internal)",
    );
    expect((error as SigmaRuleError).location).toEqual({
      file: 'r.yml',
      ruleId: 'r-1',
      key: 'detection.condition',
    });
  });

  it('does not take a name for another case of it', () => {
    expect(errorOf(() => compileCondition('Selection', selections)).message).toContain(
      "unknown search identifier 'Selection'",
    );
  });

  it('names a pattern that matches no search identifier', () => {
    const error = errorOf(() => compileCondition('selection and not 1 of filters_*', selections));
    expect(error).toBeInstanceOf(SigmaRuleError);
    expect(error.message).toBe(
      `at detection.condition: condition "selection and not 1 of filters_*": '1 of filters_*' at column 24: ` +
        `the pattern 'filters_*' matches no search identifier`,
    );
  });

  it('rejects them when only underscore identifiers exist', () => {
    const hidden = fieldSelections(['_a', '_b']);
    expect(errorOf(() => compileCondition('all of them', hidden)).message).toContain(
      "'all of them' at column 8: there is no search identifier not starting with an underscore",
    );
  });

  it('names the list item of an error', () => {
    const error = errorOf(() => compileCondition(['selection', 'nope'], selections)) as SigmaRuleError;
    expect(error.location.key).toBe('detection.condition[1]');
    expect(error.message).toContain('condition "nope": unknown search identifier \'nope\' at column 1');
  });

  it('quotes the formatted condition when compiling a parsed one', () => {
    const node = parseCondition('selection and (missing or filter_main)');
    expect(errorOf(() => compileConditionNode(node, selections)).message).toContain(
      `condition "selection and (missing or filter_main)": unknown search identifier 'missing' at column 16`,
    );
  });

  it('reports syntax errors and aggregations as parseCondition does', () => {
    expect(errorOf(() => compileCondition('selection and', selections))).toBeInstanceOf(SigmaRuleError);
    const aggregation = errorOf(() => compileCondition('selection | count() > 5', selections));
    expect(aggregation).toBeInstanceOf(SigmaUnsupportedError);
    expect((aggregation as SigmaUnsupportedError).reason).toBe('deprecated-aggregation');
  });

  it('reports an empty condition', () => {
    expect(errorOf(() => compileCondition('', selections)).message).toContain('the condition is empty');
  });
});
