import { describe, expect, it } from 'vitest';
import type { EventPredicate, SigmaEvent } from '../sigma-types.js';
import { SigmaRuleError } from '../sigma-types.js';
import { compileCondition } from './condition-compiler.js';
import { formatCondition } from './condition-format.js';
import { parseCondition } from './condition-parser.js';
import { MAX_ALTERNATIVES, requiredSelections } from './required-selections.js';

const NAMES = ['a', 'b', 'c', 'd', 'sel1', 'sel2', 'filter', '_x'];

function required(condition: string | string[], names: readonly string[] = NAMES): string[][] | undefined {
  return requiredSelections(parseCondition(condition), names);
}

/** Every assignment of true/false to `names`, as events. */
function assignments(names: readonly string[]): Record<string, boolean>[] {
  return Array.from({ length: 2 ** names.length }, (_, bits) =>
    Object.fromEntries(names.map((name, i) => [name, (bits & (1 << i)) !== 0])),
  );
}

function fieldSelections(names: readonly string[]): Map<string, EventPredicate> {
  return new Map(names.map((name) => [name, (event: SigmaEvent) => event[name] === true]));
}

/**
 * Checks the requirement against the condition over every assignment: sound (every match satisfies some
 * alternative). With `exact`, also complete (satisfying an alternative makes it match). Returns the
 * assignments that break it.
 */
function counterexamples(condition: string, names: readonly string[], exact = false): string[] {
  const requirement = required(condition, names);
  const predicate = compileCondition(condition, fieldSelections(names));
  const broken: string[] = [];
  for (const row of assignments(names)) {
    const satisfied =
      requirement === undefined || requirement.some((alternative) => alternative.every((name) => row[name]));
    const matches = predicate(row);
    if ((matches && !satisfied) || (exact && satisfied !== matches)) broken.push(JSON.stringify(row));
  }
  return broken;
}

describe('requiredSelections', () => {
  const cases: [string | string[], string[][] | undefined][] = [
    ['a', [['a']]],
    ['not a', undefined],
    ['a and b', [['a', 'b']]],
    ['a or b', [['a'], ['b']]],
    ['a or not b', undefined],
    ['not b or a', undefined],
    ['a and not b', [['a']]],
    ['not b and a', [['a']]],
    ['1 of sel* and not filter', [['sel1'], ['sel2']]],
    ['all of sel* and not filter', [['sel1', 'sel2']]],
    ['all of them', [['a', 'b', 'c', 'd', 'sel1', 'sel2', 'filter']]],
    ['1 of them', [['a'], ['b'], ['c'], ['d'], ['sel1'], ['sel2'], ['filter']]],
    ['1 of them and not _x', [['a'], ['b'], ['c'], ['d'], ['sel1'], ['sel2'], ['filter']]],
    ['not (a or b)', undefined],
    ['not (a and b)', undefined],
    ['not (not a or not b)', [['a', 'b']]],
    ['not (not a and not b)', [['a'], ['b']]],
    ['not (a and not b)', undefined],
    ['not not a', [['a']]],
    ['not 1 of sel*', undefined],
    ['not all of sel*', undefined],
    ['not not 1 of sel*', [['sel1'], ['sel2']]],
    [
      '(a or b) and (c or d)',
      [
        ['a', 'c'],
        ['a', 'd'],
        ['b', 'c'],
        ['b', 'd'],
      ],
    ],
    ['a and (a or b)', [['a']]],
    ['a or a and b', [['a']]],
    ['a and b or a', [['a']]],
    ['a and (b or not c)', [['a']]],
    ['a or (b and not c)', [['a'], ['b']]],
    ['(a or not b) and c', [['c']]],
    ['(a or not b) and (c or not d)', undefined],
    ['1 of sel* and 1 of sel*', [['sel1'], ['sel2']]],
    ['all of sel* or 1 of sel*', [['sel1'], ['sel2']]],
    [
      'a and 1 of sel* and not 1 of filter*',
      [
        ['a', 'sel1'],
        ['a', 'sel2'],
      ],
    ],
    ['_x', [['_x']]],
    [
      ['a', 'b and c'],
      [['a'], ['b', 'c']],
    ],
    [['a', 'not b'], undefined],
    ['a and b and not (c or d or not sel1)', [['a', 'b', 'sel1']]],
  ];

  for (const [condition, expected] of cases) {
    it(`requires ${JSON.stringify(expected)} for ${JSON.stringify(condition)}`, () => {
      expect(required(condition)).toEqual(expected);
    });
  }

  it('is sound and exact on the cases above', () => {
    for (const [condition] of cases) {
      const text = Array.isArray(condition) ? condition.map((item) => `(${item})`).join(' or ') : condition;
      expect(counterexamples(text, NAMES), text).toEqual([]);
    }
  });

  it('handles a real nested condition', () => {
    const names = [
      'selection_parent',
      'selection_generic_child_img',
      'selection_generic_child_cli',
      'selection_specific_sh',
      'selection_specific_cli',
      'filter_main_default_shell_flag',
    ];
    const condition =
      'selection_parent and (1 of selection_generic_* or (selection_specific_sh and not filter_main_default_shell_flag) ' +
      'or (all of selection_specific_* and selection_generic_child_cli))';
    expect(required(condition, names)).toEqual([
      ['selection_parent', 'selection_generic_child_img'],
      ['selection_parent', 'selection_generic_child_cli'],
      ['selection_parent', 'selection_specific_sh'],
    ]);
    expect(counterexamples(condition, names)).toEqual([]);
  });

  it('keeps a weaker, still implied requirement when the product grows too large', () => {
    const names = Array.from({ length: 16 }, (_, i) => `s${i}`);
    const pairs = Array.from({ length: 8 }, (_, i) => `(s${2 * i} or s${2 * i + 1})`);
    const condition = pairs.join(' and ');
    const requirement = required(condition, names);
    expect(requirement).toBeDefined();
    expect(requirement!.length).toBeLessThanOrEqual(MAX_ALTERNATIVES);
    expect(requirement!.length).toBe(64);
    expect(counterexamples(condition, names)).toEqual([]);
  });

  it('names a pattern matching no selection', () => {
    expect(() => required('1 of nothing_*')).toThrow(SigmaRuleError);
    expect(() => required('1 of nothing_*')).toThrow("the pattern 'nothing_*' matches no search identifier");
  });
});

describe('requiredSelections on random conditions', () => {
  // A seeded generator: the same conditions on every run.
  let seed = 0x2545f491;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const names = ['a', 'b', 'c', 'sel1', 'sel2', '_x'];
  const atoms = ['a', 'b', 'c', 'sel1', '_x', '1 of sel*', 'all of sel*', '1 of them', 'all of them'];

  const generate = (depth: number, allowNot: boolean): string => {
    const pick = random(depth <= 0 ? 1 : 4);
    if (pick === 0) return atoms[random(atoms.length)] as string;
    if (pick === 1 && allowNot) return `not ${generate(depth - 1, allowNot)}`;
    const operator = random(2) === 0 ? 'and' : 'or';
    const count = 2 + random(2);
    return `(${Array.from({ length: count }, () => generate(depth - 1, allowNot)).join(` ${operator} `)})`;
  };

  it('never requires what a match can lack (600 conditions with not)', () => {
    for (let i = 0; i < 600; i++) {
      const condition = generate(4, true);
      expect(counterexamples(condition, names), formatCondition(parseCondition(condition))).toEqual([]);
    }
  });

  it('is exact for conditions without not (300 conditions)', () => {
    for (let i = 0; i < 300; i++) {
      const condition = generate(3, false);
      expect(counterexamples(condition, names, true), condition).toEqual([]);
    }
  });
});
