// The event tests of compiled detection items: a field item (one field, its values ORed or ANDed, an
// array field matching when any element does), a keyword item (every scalar value of the event, at any
// depth) and the `exists` and `fieldref` items. Closures are built once; evaluating an event allocates
// nothing but the lower-cased form of a value not seen in the shared slot.
import type { EventPredicate, FieldReader, SigmaEvent } from '../sigma-types.js';
import { lowerCased, type LowerCaseSlot } from './lower-case-cache.js';
import type { ValueMatcher } from './match-types.js';

/**
 * Deepest nesting a keyword search, and a field test of nested arrays, descend into: deeper values never
 * match (a hostile record of 100,000 nested arrays must not overflow the stack).
 */
const MAX_DEPTH = 32;

type ScalarTest = (value: unknown) => boolean;
/** The test of one field value at a nesting depth (0: the field's value itself). */
type ValueTest = (value: unknown, depth: number) => boolean;

/** Tests of one field value (arrays: any element) against the matchers, ORed or, with `all`, ANDed. */
export function fieldItemTest(
  reader: FieldReader,
  matchers: readonly ValueMatcher[],
  all: boolean,
  slot: LowerCaseSlot,
): EventPredicate {
  const only = matchers.length === 1 ? matchers[0] : undefined;
  if (only) {
    const test = valueTest([only], slot);
    const needsLower = only.needsLower;
    return (event) => {
      const value = reader(event);
      if (typeof value === 'string') return only.str(value, needsLower ? lowerCased(slot, value) : value);
      return test(value, 0);
    };
  }
  if (!all) {
    const test = valueTest(matchers, slot);
    return (event) => test(reader(event), 0);
  }
  const tests = matchers.map((matcher) => valueTest([matcher], slot));
  return (event) => {
    const value = reader(event);
    for (const test of tests) if (!test(value, 0)) return false;
    return true;
  };
}

/** A keyword search: the matchers ORed (or ANDed with `all`), each over every scalar of the event. */
export function keywordItemTest(matchers: readonly ValueMatcher[], all: boolean): EventPredicate {
  if (!all) {
    const walk = walker(scalarTest(matchers));
    return (event) => walk(event, 0);
  }
  const walks = matchers.map((matcher) => walker(scalarTest([matcher])));
  return (event) => {
    for (const walk of walks) if (!walk(event, 0)) return false;
    return true;
  };
}

/** The `exists` modifier: the field is present (even null or empty) or, for `false`, absent. */
export function existsItemTest(reader: FieldReader, expected: boolean): EventPredicate {
  return (event) => (reader(event) !== undefined) === expected;
}

/** How a `fieldref` item compares the field's text with the referenced field's text. */
export type FieldCompare = (value: string, reference: string) => boolean;

/** The `fieldref` modifier: the field's value compared with other fields' values (any element of arrays). */
export function fieldRefItemTest(
  reader: FieldReader,
  references: readonly FieldReader[],
  compare: FieldCompare,
  cased: boolean,
  all: boolean,
): EventPredicate {
  const matches = (value: unknown, reference: unknown, depth: number): boolean => {
    if (Array.isArray(value)) {
      return depth < MAX_DEPTH && value.some((element) => matches(element, reference, depth + 1));
    }
    if (Array.isArray(reference)) {
      return depth < MAX_DEPTH && reference.some((element) => matches(value, element, depth + 1));
    }
    const left = textOf(value);
    const right = textOf(reference);
    if (left === undefined || right === undefined) return false;
    return cased ? compare(left, right) : compare(left.toLowerCase(), right.toLowerCase());
  };
  return (event: SigmaEvent) => {
    const value = reader(event);
    for (const reference of references) {
      const matched = matches(value, reference(event), 0);
      if (matched !== all) return matched;
    }
    return all;
  };
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * The test of one event field value (arrays: any element, nested arrays down to MAX_DEPTH; empty array:
 * absent).
 */
function valueTest(matchers: readonly ValueMatcher[], slot: LowerCaseSlot): ValueTest {
  const needsLower = matchers.some((matcher) => matcher.needsLower);
  const test = (value: unknown, depth: number): boolean => {
    if (typeof value === 'string') {
      const lower = needsLower ? lowerCased(slot, value) : value;
      for (const matcher of matchers) if (matcher.str(value, lower)) return true;
      return false;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) return test(undefined, depth);
      if (depth >= MAX_DEPTH) return false;
      for (const element of value) if (test(element, depth + 1)) return true;
      return false;
    }
    for (const matcher of matchers) if (matcher.other(value)) return true;
    return false;
  };
  return test;
}

/** The test of one scalar met by a keyword search (strings, numbers, booleans). */
function scalarTest(matchers: readonly ValueMatcher[]): ScalarTest {
  const needsLower = matchers.some((matcher) => matcher.needsLower);
  return (value) => {
    if (typeof value === 'string') {
      const lower = needsLower ? value.toLowerCase() : value;
      for (const matcher of matchers) if (matcher.str(value, lower)) return true;
      return false;
    }
    for (const matcher of matchers) if (matcher.other(value)) return true;
    return false;
  };
}

function walker(test: ScalarTest): (node: unknown, depth: number) => boolean {
  const walk = (node: unknown, depth: number): boolean => {
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return test(node);
    if (node === null || typeof node !== 'object' || depth >= MAX_DEPTH) return false;
    if (Array.isArray(node)) {
      for (const element of node) if (walk(element, depth + 1)) return true;
      return false;
    }
    for (const key in node) {
      if (Object.hasOwn(node, key) && walk((node as Record<string, unknown>)[key], depth + 1)) return true;
    }
    return false;
  };
  return walk;
}
