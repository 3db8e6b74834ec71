// Compiles one YAML value of a detection item, under the item's modifier chain, into a ValueMatcher:
// the test of one scalar event value. Comparison rules (documented in index.ts):
// - strings are Sigma patterns, case-insensitive unless `cased`; numbers and booleans of the event are
//   compared as their text (`String(value)`);
// - a YAML number matches the equal event number or the event string that is its exact text (`4624`);
// - a YAML boolean matches the event boolean or the string `true`/`false` in any case;
// - `null` matches an absent field or a null value.
import { SigmaRuleError, type CompileOptions, type RuleLocation } from '../sigma-types.js';
import { compileCidr } from './cidr-value.js';
import type { LiteralAlternatives, ValueMatcher } from './match-types.js';
import type { ModifierChain } from './modifier-chain.js';
import { compareNumbers, numberOf, timePartOf } from './numeric-value.js';
import { expandPlaceholders } from './placeholder-expansion.js';
import { compileRegex } from './regex-value.js';
import { parseSigmaString } from './sigma-pattern.js';
import { applyValueSteps, ValueStepError } from './value-encoding.js';
import { compileWildcard } from './wildcard-matcher.js';

/** Compiles one value of an item whose match type is string, re, cidr or compare. */
export function compileValue(
  value: unknown,
  chain: ModifierChain,
  options: CompileOptions,
  location: RuleLocation,
): ValueMatcher {
  const fail = (message: string): never => {
    throw new SigmaRuleError(message, location);
  };
  if (value !== null && typeof value === 'object')
    return fail(`a value must be a scalar, not ${describe(value)}`);
  if (
    typeof value !== 'string' &&
    typeof value !== 'number' &&
    typeof value !== 'boolean' &&
    value !== null
  ) {
    return fail(`a value must be a string, number, boolean or null, not ${typeof value}`);
  }
  switch (chain.type) {
    case 'string':
      if (value === null) {
        if (chain.steps.length || chain.cased || chain.expand) fail('null cannot take value modifiers');
        return nullMatcher;
      }
      if (typeof value === 'number' && !chain.steps.length) return numberMatcher(value);
      if (typeof value === 'boolean' && !chain.steps.length) return booleanMatcher(value);
      return stringMatcher(texts(value, chain, options, location), chain, location);
    case 're': {
      if (value === null) return fail("'re' needs a string value");
      const tests = texts(value, chain, options, location).map((pattern) =>
        compileRegex(pattern, { ...chain.regexFlags, position: chain.position }, location),
      );
      return textMatcher((text) => tests.some((test) => test(text)), 5);
    }
    case 'cidr': {
      if (typeof value !== 'string') return fail("'cidr' needs a string value such as 10.0.0.0/8");
      const tests = texts(value, chain, options, location).map(
        (range) => compileCidr(range) ?? fail(`'${range}' is not a valid CIDR range`),
      );
      return textMatcher((text) => tests.some((test) => test(text)), 3, false);
    }
    case 'compare':
      return compareMatcher(value, chain, fail);
    case 'exists':
    case 'fieldref':
      return fail(`'${chain.type}' is not a value comparison`);
  }
}

function describe(value: object): string {
  return Array.isArray(value) ? 'a nested list' : 'a map';
}

/** The value as raw Sigma strings, placeholders expanded. */
function texts(
  value: string | number | boolean,
  chain: ModifierChain,
  options: CompileOptions,
  location: RuleLocation,
) {
  const text = String(value);
  return chain.expand && typeof value === 'string'
    ? expandPlaceholders(text, options.placeholders, location)
    : [text];
}

const nullMatcher: ValueMatcher = {
  str: () => false,
  other: (value) => value === null || value === undefined,
  needsLower: false,
  cost: 0,
  literals: undefined,
};

function numberMatcher(expected: number): ValueMatcher {
  const text = String(expected);
  return {
    str: (raw) => raw === text,
    other: (value) => value === expected,
    needsLower: false,
    cost: 0,
    literals: [[text]],
  };
}

function booleanMatcher(expected: boolean): ValueMatcher {
  const text = String(expected);
  return {
    str: (raw) => raw.length === text.length && raw.toLowerCase() === text,
    other: (value) => value === expected,
    needsLower: false,
    cost: 0,
    literals: [[text]],
  };
}

function stringMatcher(raws: readonly string[], chain: ModifierChain, location: RuleLocation): ValueMatcher {
  const cased = chain.cased;
  const matchers = raws.flatMap((raw) => {
    let patterns;
    try {
      patterns = applyValueSteps(parseSigmaString(raw), chain.steps);
    } catch (error) {
      if (!(error instanceof ValueStepError)) throw error;
      throw new SigmaRuleError(error.message, location);
    }
    return patterns.map((pattern) => compileWildcard(pattern, cased));
  });
  const literals: LiteralAlternatives | undefined = matchers.every((matcher) => matcher.literal)
    ? matchers.map((matcher) => [matcher.literal as string])
    : undefined;
  const only = matchers.length === 1 ? matchers[0]?.test : undefined;
  const test = only ?? ((text: string) => matchers.some((matcher) => matcher.test(text)));
  return {
    str: cased ? (raw) => test(raw) : (_raw, lower) => test(lower),
    other: (value) => {
      if (typeof value !== 'number' && typeof value !== 'boolean') return false;
      const text = String(value);
      return test(cased ? text : text.toLowerCase());
    },
    needsLower: !cased,
    cost: 1,
    literals,
  };
}

/** A matcher of the text of strings, numbers and booleans (re, cidr). */
function textMatcher(test: (text: string) => boolean, cost: number, scalars = true): ValueMatcher {
  return {
    str: (raw) => test(raw),
    other: (value) =>
      scalars && (typeof value === 'number' || typeof value === 'boolean') && test(String(value)),
    needsLower: false,
    cost,
    literals: undefined,
  };
}

function compareMatcher(
  value: unknown,
  chain: ModifierChain,
  fail: (message: string) => never,
): ValueMatcher {
  const expected = typeof value === 'number' || typeof value === 'string' ? numberOf(value) : NaN;
  if (!Number.isFinite(expected))
    fail(`'${chain.modifiers.join('|')}' needs a number, not '${String(value)}'`);
  if (chain.timePart && !Number.isInteger(expected)) fail(`'${chain.timePart}' needs a whole number`);
  const operator = chain.compare;
  const part = chain.timePart;
  const test = part
    ? (event: unknown): boolean => compareNumbers(timePartOf(event, part), operator, expected)
    : (event: unknown): boolean => compareNumbers(numberOf(event), operator, expected);
  return { str: test, other: test, needsLower: false, cost: 3, literals: undefined };
}
