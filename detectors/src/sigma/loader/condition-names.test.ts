import { describe, expect, it } from 'vitest';
import { matchesIdentifierPattern, scanCondition } from './condition-names.js';

describe('scanCondition', () => {
  it('finds identifiers and x-of patterns, ignoring operators in any case', () => {
    expect(scanCondition('sel1 AND (sel2 or not filter_main) and 1 of filter_opt* and all of them')).toEqual({
      names: ['sel1', 'sel2', 'filter_main'],
      patterns: ['filter_opt*'],
      problems: [],
    });
  });

  it('reads brackets glued to names and the any quantifier', () => {
    expect(scanCondition('(sel)and(not(any of f*))')).toEqual({
      names: ['sel'],
      patterns: ['f*'],
      problems: [],
    });
  });

  it('treats a number not followed by of as an identifier', () => {
    expect(scanCondition('1 and x').names).toEqual(['1', 'x']);
  });

  it('reports unbalanced brackets, a dangling of and the Sigma 1 aggregation pipe', () => {
    expect(scanCondition('(sel and (x)').problems).toEqual(['1 bracket is opened but never closed']);
    expect(scanCondition('sel)').problems).toEqual(["a ')' closes a bracket that was never opened"]);
    expect(scanCondition('1 of').problems).toEqual([
      "'of' must be followed by a search-identifier pattern or 'them'",
    ]);
    expect(scanCondition('sel | count() by host > 5').problems[0]).toContain('aggregation');
  });
});

describe('matchesIdentifierPattern', () => {
  it.each([
    ['sel*', 'selection', true],
    ['sel*', 'filter', false],
    ['*_main', 'filter_main', true],
    ['*_main', 'filter_main2', false],
    ['f*_*x', 'filter_a_x', true],
    ['f*_*x', 'fx', false],
    ['a*a', 'a', false],
    ['exact', 'exact', true],
    ['exact', 'exact2', false],
    ['*', 'anything', true],
  ])('%s vs %s → %s', (pattern, identifier, expected) => {
    expect(matchesIdentifierPattern(pattern, identifier)).toBe(expected);
  });
});
