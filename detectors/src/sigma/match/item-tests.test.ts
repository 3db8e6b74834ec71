import { describe, expect, it } from 'vitest';
import { expectMatch, item } from './item-test-helpers.js';

/** `inner` wrapped in `depth` one-element arrays. */
function nest(depth: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** 100,000 nested arrays around `"x"`, as JSON.parse gives them (it parses them without recursion). */
const HOSTILE: unknown = JSON.parse(`${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`);

describe('nested arrays in event values', () => {
  it('matches an element of nested arrays down to 32 levels, and nothing deeper', () => {
    const matcher = item('CommandLine|contains', 'x');
    expectMatch(matcher, { CommandLine: ['a', ['b', 'x']] }, true);
    expectMatch(matcher, { CommandLine: nest(31, 'x') }, true);
    expectMatch(matcher, { CommandLine: nest(33, 'x') }, false);
    expectMatch(matcher, { CommandLine: nest(31, 'y') }, false);
  });

  it('never overflows the stack on 100,000 nested arrays (one value, several, all, fieldref)', () => {
    const items = [
      item('CommandLine|contains', 'x'),
      item('CommandLine', ['x', 'y']),
      item('CommandLine|contains|all', ['x', 'y']),
      item('CommandLine|fieldref', 'User'),
      item('CommandLine', null),
    ];
    for (const matcher of items) expect(matcher.test({ CommandLine: HOSTILE, User: 'x' })).toBe(false);
    expect(item('CommandLine|fieldref', 'User').test({ CommandLine: 'x', User: HOSTILE })).toBe(false);
    // A keyword search was already bounded; it stays so.
    expect(item('', ['x']).test({ a: HOSTILE })).toBe(false);
    expect(item('', ['x']).test({ a: nest(10, 'x') })).toBe(true);
  });

  it('compares fieldref values through nested arrays down to 32 levels', () => {
    const matcher = item('SourceUser|fieldref', 'TargetUser');
    expectMatch(matcher, { SourceUser: nest(20, 'root'), TargetUser: ['x', ['root']] }, true);
    expectMatch(matcher, { SourceUser: nest(40, 'root'), TargetUser: 'root' }, false);
    expectMatch(matcher, { SourceUser: 'root', TargetUser: nest(40, 'root') }, false);
  });
});
