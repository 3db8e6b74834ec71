import { describe, expect, it } from 'vitest';
import { matchesIdentifierPattern, targetIdentifiers } from './identifier-pattern.js';

describe('matchesIdentifierPattern', () => {
  const cases: [string, string, boolean][] = [
    ['selection_*', 'selection_img', true],
    ['selection_*', 'selection_', true],
    ['selection_*', 'selection', false],
    ['selection*', 'selection', true],
    ['*filter*', 'filter', true],
    ['*filter*', 'main_filter_x', true],
    ['*filter*', 'filtre', false],
    ['*_a', 'filter_a', true],
    ['*_a', 'filter_ab', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['a*b*c', 'a_c_b_c', true],
    ['a*b*c', 'a_c_c', false],
    ['ab*bc', 'abc', false],
    ['*', 'anything', true],
    ['**', '', true],
    ['sel', 'sel', true],
    ['sel', 'Sel', false],
    ['sel.*', 'sel.x-y', true],
    ['sel.*', 'selx', false],
  ];
  for (const [pattern, name, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} ${name} with ${pattern}`, () => {
      expect(matchesIdentifierPattern(pattern, name)).toBe(expected);
    });
  }
});

describe('targetIdentifiers', () => {
  const names = ['selection', '_private', 'filter_main', 'filter_optional'];

  it('gives them as every name not starting with an underscore, in order', () => {
    expect(targetIdentifiers({ kind: 'them' }, names)).toEqual([
      'selection',
      'filter_main',
      'filter_optional',
    ]);
  });

  it('gives a pattern its matches, underscore names included', () => {
    expect(targetIdentifiers({ kind: 'pattern', pattern: 'filter_*' }, names)).toEqual([
      'filter_main',
      'filter_optional',
    ]);
    expect(targetIdentifiers({ kind: 'pattern', pattern: '*' }, names)).toEqual(names);
    expect(targetIdentifiers({ kind: 'pattern', pattern: 'filters_*' }, names)).toEqual([]);
  });
});
