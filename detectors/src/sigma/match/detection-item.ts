// Compiling one detection item, `field|modifiers: value(s)`, into an event test with the fields it reads
// and its prefilter literals. An item without a field (`|all: [...]`, or a keyword list) searches every
// value of the event.
import { fieldReader } from '../field-reader.js';
import { SigmaRuleError, type CompileOptions, type RuleLocation } from '../sigma-types.js';
import {
  existsItemTest,
  fieldItemTest,
  fieldRefItemTest,
  keywordItemTest,
  type FieldCompare,
} from './item-tests.js';
import { lowerCaseSlot } from './lower-case-cache.js';
import type { CompiledItem, LiteralAlternatives } from './match-types.js';
import { parseModifierChain, type ModifierChain } from './modifier-chain.js';
import { andLiterals, orLiterals } from './prefilter-literals.js';
import { hasSpecials, parseSigmaString, plainText } from './sigma-pattern.js';
import { compileValue } from './value-matchers.js';

/** A compiled item with its cost class (cheap items run first in a map). */
export interface CostedItem {
  readonly item: CompiledItem;
  readonly cost: number;
}

/**
 * Compiles one detection item. `key` is `field|modifier|...` (or `|modifier...` / '' for keywords),
 * `values` the YAML value: a scalar, `null`, or a list of them (ORed, ANDed with `all`).
 * @throws SigmaRuleError for an unknown, repeated or misplaced modifier or a value it cannot take
 * @throws SigmaUnsupportedError for an undefined placeholder ('placeholder') or a regular expression
 *   that needs backtracking ('regex-unsupported')
 */
export function compileDetectionItem(
  key: string,
  values: unknown,
  options: CompileOptions,
  location: RuleLocation,
): CompiledItem {
  return compileCostedItem(key, values, options, location).item;
}

/** {@link compileDetectionItem} with the item's cost class. */
export function compileCostedItem(
  key: string,
  values: unknown,
  options: CompileOptions,
  location: RuleLocation,
): CostedItem {
  const itemLocation: RuleLocation = { ...location, key: location.key ?? key };
  const fail = (message: string): never => {
    throw new SigmaRuleError(message, itemLocation);
  };
  const chain = parseModifierChain(key, itemLocation);
  const list: readonly unknown[] = Array.isArray(values) ? values : [values];
  if (list.length === 0) fail(`'${key}' has an empty list of values`);
  const field = chain.field === '' ? undefined : mapField(chain.field, options);

  if (chain.type === 'exists') {
    if (list.length !== 1 || typeof list[0] !== 'boolean')
      fail(`'exists' needs true or false, not ${show(values)}`);
    const reader = fieldReader(field as string);
    return costed(existsItemTest(reader, list[0] as boolean), [field as string], undefined, 0, chain);
  }
  if (chain.type === 'fieldref') {
    const references = list.map((value) => {
      if (typeof value !== 'string' || value === '')
        return fail(`'fieldref' needs field names, not ${show(value)}`);
      const pattern = parseSigmaString(value);
      if (hasSpecials(pattern)) fail(`'fieldref' field names cannot have wildcards: '${value}'`);
      return mapField(plainText(pattern), options);
    });
    const test = fieldRefItemTest(
      fieldReader(field as string),
      references.map((reference) => fieldReader(reference)),
      fieldCompare(chain.position),
      chain.cased,
      chain.all,
    );
    return costed(test, [field as string, ...references], undefined, 2, chain);
  }

  if (field === undefined && list.includes(null)) fail('a keyword search cannot look for null');
  // Keywords are searched in the event's text: without a position modifier they match anywhere.
  const valueChain: ModifierChain =
    field === undefined && chain.type === 'string' && !chain.position
      ? { ...chain, steps: [...chain.steps, 'contains'], position: 'contains' }
      : chain;
  const matchers = list.map((value) => compileValue(value, valueChain, options, itemLocation));
  const literals = chain.all
    ? andLiterals(matchers.map((matcher) => matcher.literals))
    : orLiterals(matchers.map((matcher) => matcher.literals));
  const cost = Math.max(...matchers.map((matcher) => matcher.cost));
  if (field === undefined) {
    const { item } = costed(keywordItemTest(matchers, chain.all), [], literals, 0, chain);
    return { item: { ...item, readsAllFields: true }, cost: cost + 10 };
  }
  const test = fieldItemTest(fieldReader(field), matchers, chain.all, lowerCaseSlot(field));
  return costed(test, [field], literals, cost, chain);
}

function mapField(field: string, options: CompileOptions): string {
  return options.fieldName ? options.fieldName(field) : field;
}

function costed(
  test: CompiledItem['test'],
  fields: string[],
  literals: LiteralAlternatives | undefined,
  cost: number,
  chain: ModifierChain,
): CostedItem {
  if (!chain.neq) return { item: { test, fields: [...new Set(fields)], literals }, cost };
  return { item: { test: (event) => !test(event), fields: [...new Set(fields)], literals: undefined }, cost };
}

function fieldCompare(position: ModifierChain['position']): FieldCompare {
  switch (position) {
    case 'contains':
      return (value, reference) => value.includes(reference);
    case 'startswith':
      return (value, reference) => value.startsWith(reference);
    case 'endswith':
      return (value, reference) => value.endsWith(reference);
    case undefined:
      return (value, reference) => value === reference;
  }
}

function show(value: unknown): string {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : `'${String(value)}'`;
}
