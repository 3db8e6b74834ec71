import { describe, expect, it } from 'vitest';
import { SigmaRuleError } from '../sigma-types.js';
import { conditionIdentifiers } from './condition-identifiers.js';
import { parseCondition } from './condition-parser.js';

describe('conditionIdentifiers', () => {
  it('lists names and patterns once each, in order of appearance', () => {
    expect(conditionIdentifiers('sel and not 1 of filter_* and (kw.a-b or sel) and all of filter_*')).toEqual(
      {
        names: ['sel', 'kw.a-b'],
        patterns: ['filter_*'],
        them: false,
      },
    );
  });

  it('notes them', () => {
    expect(conditionIdentifiers('1 of them and not _x')).toEqual({ names: ['_x'], patterns: [], them: true });
  });

  it('reads every item of a condition list', () => {
    expect(conditionIdentifiers(['a', 'b and 1 of c*'])).toEqual({
      names: ['a', 'b'],
      patterns: ['c*'],
      them: false,
    });
  });

  it('takes a parsed condition', () => {
    expect(conditionIdentifiers(parseCondition('all of sel_* or x'))).toEqual({
      names: ['x'],
      patterns: ['sel_*'],
      them: false,
    });
  });

  it('throws the parse error of a bad condition', () => {
    expect(() => conditionIdentifiers('a and', { ruleId: 'r' })).toThrow(SigmaRuleError);
  });
});
