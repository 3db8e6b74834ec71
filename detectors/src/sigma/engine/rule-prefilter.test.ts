import { describe, expect, it } from 'vitest';
import type { CompiledSelection } from '../match/index.js';
import { rulePrefilter } from './rule-prefilter.js';

function selections(literals: Record<string, string[][] | undefined>): Map<string, CompiledSelection> {
  return new Map(
    Object.entries(literals).map(([name, value]) => [
      name,
      { test: () => true, fields: [], literals: value },
    ]),
  );
}

describe('rulePrefilter', () => {
  it('is undefined without a requirement or when a required alternative has no literal', () => {
    const s = selections({ a: [['x']], b: undefined });
    expect(rulePrefilter(undefined, s)).toBeUndefined();
    expect(rulePrefilter([], s)).toBeUndefined();
    expect(rulePrefilter([['a'], ['b']], s)).toBeUndefined();
    expect(rulePrefilter([['a', 'b']], s)).toEqual([['x']]);
  });

  it('merges single-alternative parts and distributes them over the smallest multi-alternative part', () => {
    const s = selections({ a: [['img']], b: [['p1'], ['p2']], c: [['q1'], ['q2'], ['q3']] });
    expect(rulePrefilter([['a', 'b', 'c']], s)).toEqual([
      ['img', 'p1'],
      ['img', 'p2'],
    ]);
  });

  it('drops alternatives that imply another one, keeping the weaker', () => {
    const s = selections({ a: [['\\wmic.exe'], ['wmic.exe']], b: [['wmic.exe', '/node:']] });
    expect(rulePrefilter([['a']], s)).toEqual([['wmic.exe']]);
    expect(rulePrefilter([['a'], ['b']], s)).toEqual([['wmic.exe']]);
  });

  it('drops empty literals, and gives up when an alternative has only empty ones', () => {
    expect(rulePrefilter([['a']], selections({ a: [['', 'abc']] }))).toEqual([['abc']]);
    expect(rulePrefilter([['a']], selections({ a: [['abc'], ['']] }))).toBeUndefined();
  });
});
