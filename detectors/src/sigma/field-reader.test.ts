import { describe, expect, it } from 'vitest';
import { fieldReader } from './field-reader.js';

describe('fieldReader', () => {
  it('reads a flat key, dotted keys included, before walking nested objects', () => {
    expect(fieldReader('Image')({ Image: 'C:\\x.exe' })).toBe('C:\\x.exe');
    expect(fieldReader('process.name')({ 'process.name': 'flat', process: { name: 'nested' } })).toBe('flat');
    expect(fieldReader('process.name')({ process: { name: 'nested' } })).toBe('nested');
  });

  it('gives every element of arrays met on the way, and undefined for what is not there', () => {
    const read = fieldReader('dns.answers.name');
    expect(read({ dns: { answers: [{ name: 'a' }, { type: 'x' }, { name: ['b', 'c'] }] } })).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(read({ dns: { answers: [] } })).toBeUndefined();
    expect(read({ dns: 'text' })).toBeUndefined();
    expect(fieldReader('missing')({ other: 1 })).toBeUndefined();
  });

  it('gives up on arrays nested deeper than 32 levels instead of overflowing the stack', () => {
    const nest = (depth: number, inner: unknown): unknown => {
      let value = inner;
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    const read = fieldReader('a.b');
    expect(read({ a: nest(31, { b: 'x' }) })).toEqual(['x']);
    expect(read({ a: nest(33, { b: 'x' }) })).toBeUndefined();
    expect(read({ a: JSON.parse(`${'['.repeat(100_000)}{"b": "x"}${']'.repeat(100_000)}`) })).toBeUndefined();
  });

  it('does not read inherited properties', () => {
    expect(fieldReader('toString')({})).toBeUndefined();
    expect(fieldReader('a.constructor')({ a: {} })).toBeUndefined();
  });
});
