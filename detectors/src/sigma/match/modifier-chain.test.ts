import { describe, expect, it } from 'vitest';
import { SigmaRuleError } from '../sigma-types.js';
import { item } from './item-test-helpers.js';
import { parseModifierChain } from './modifier-chain.js';

describe('parseModifierChain', () => {
  it('reads the field, the steps in order and the flags', () => {
    const chain = parseModifierChain('CommandLine|wide|base64offset|contains|all', {});
    expect(chain.field).toBe('CommandLine');
    expect(chain.steps).toEqual(['utf16le', 'base64offset', 'contains']);
    expect(chain.all).toBe(true);
    expect(chain.type).toBe('string');
    expect(parseModifierChain('|all', {}).field).toBe('');
    expect(parseModifierChain('a|re|i|s', {}).regexFlags).toEqual({ i: true, m: false, s: true });
  });

  const rejected: [string, RegExp][] = [
    ['CommandLine|contians', /unknown value modifier 'contians'/],
    ['CommandLine|toString', /unknown value modifier/],
    ['CommandLine|contains|contains', /repeated/],
    ['CommandLine|contains|endswith', /more than one of contains/],
    ['CommandLine|i', /applies only after 're'/],
    ['CommandLine|i|re', /applies only after 're'/],
    ['CommandLine|re|cidr', /incompatible/],
    ['CommandLine|re|windash', /cannot be used/],
    ['CommandLine|re|cased', /cannot be used/],
    ['CommandLine|exists|contains', /cannot be used/],
    ['CommandLine|cidr|contains', /cannot be used/],
    ['n|gt|lt', /more than one of lt/],
    ['n|gt|contains', /cannot be used/],
    ['t|gt|hour', /time modifier must come before/],
    ['a|utf16le|utf16be', /more than one UTF-16/],
    ['a|base64|base64offset', /base64 and base64offset/],
    ['|exists', /needs a field/],
  ];
  for (const [key, message] of rejected) {
    it(`rejects '${key}' naming the key`, () => {
      let error: unknown;
      try {
        item(key, key.includes('exists') ? true : 1);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SigmaRuleError);
      expect((error as Error).message).toMatch(message);
      expect((error as SigmaRuleError).location).toMatchObject({
        file: 'test.yml',
        ruleId: 'test-rule',
        key,
      });
    });
  }

  it('rejects values of the wrong shape', () => {
    expect(() => item('a', { nested: 1 })).toThrow(/not a map/);
    expect(() => item('a', [['x']])).toThrow(/nested list/);
    expect(() => item('a', [])).toThrow(/empty list/);
    expect(() => item('a|contains', null)).toThrow(/null cannot take/);
  });
});
