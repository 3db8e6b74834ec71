// Compiling one search identifier of a rule's `detection`: a map (items ANDed), a list of maps (ORed), or
// keywords (a value or a list of values searched in every value of the event).
import {
  SigmaRuleError,
  type CompileOptions,
  type EventPredicate,
  type RuleLocation,
} from '../sigma-types.js';
import { compileCostedItem, type CostedItem } from './detection-item.js';
import type { CompiledSelection } from './match-types.js';
import { andLiterals, orLiterals } from './prefilter-literals.js';

/**
 * Compiles the YAML value of one search identifier (`detection.<name>`).
 * @param location the rule's file and id; error keys are set to `detection.<name>[.<item>]`
 * @throws SigmaRuleError / SigmaUnsupportedError as {@link compileDetectionItem} does, and for an empty
 *   or malformed search identifier
 */
export function compileSelection(
  name: string,
  value: unknown,
  options: CompileOptions,
  location: RuleLocation,
): CompiledSelection {
  const path = `detection.${name}`;
  if (isMap(value)) return compileMap(value, path, options, location).item;
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw new SigmaRuleError(`search identifier '${name}' is an empty list`, { ...location, key: path });
    if (!value.some(isMap)) return compileCostedItem('', value, options, { ...location, key: path }).item;
    const parts = value.map((element, index) => {
      const key = `${path}[${index}]`;
      return isMap(element)
        ? compileMap(element, key, options, location)
        : compileCostedItem('', element, options, { ...location, key });
    });
    return combine(parts, 'or');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return compileCostedItem('', value, options, { ...location, key: path }).item;
  }
  throw new SigmaRuleError(
    `search identifier '${name}' must be a map, a list or a keyword, not ${value === null ? 'null' : typeof value}`,
    { ...location, key: path },
  );
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function compileMap(
  map: Record<string, unknown>,
  path: string,
  options: CompileOptions,
  location: RuleLocation,
): CostedItem {
  const entries = Object.entries(map);
  if (entries.length === 0)
    throw new SigmaRuleError('empty map of detection items', { ...location, key: path });
  const items = entries.map(([key, values]) =>
    compileCostedItem(key, values, options, { ...location, key: `${path}.${key}` }),
  );
  const selection = combine(items, 'and');
  return { item: selection, cost: Math.max(...items.map((item) => item.cost)) };
}

/** ANDs or ORs compiled parts, cheap parts first (the tests have no side effects). */
function combine(parts: readonly CostedItem[], operator: 'and' | 'or'): CompiledSelection {
  const ordered = [...parts].sort((a, b) => a.cost - b.cost).map((part) => part.item);
  const tests = ordered.map((part) => part.test);
  return {
    test: operator === 'and' ? andTest(tests) : orTest(tests),
    fields: [...new Set(ordered.flatMap((part) => part.fields))],
    literals: (operator === 'and' ? andLiterals : orLiterals)(parts.map((part) => part.item.literals)),
    ...(ordered.some((part) => part.readsAllFields) ? { readsAllFields: true } : {}),
  };
}

function andTest(tests: readonly EventPredicate[]): EventPredicate {
  const [a, b, c] = tests;
  if (tests.length === 1 && a) return a;
  if (tests.length === 2 && a && b) return (event) => a(event) && b(event);
  if (tests.length === 3 && a && b && c) return (event) => a(event) && b(event) && c(event);
  return (event) => {
    for (const test of tests) if (!test(event)) return false;
    return true;
  };
}

function orTest(tests: readonly EventPredicate[]): EventPredicate {
  const [a, b] = tests;
  if (tests.length === 1 && a) return a;
  if (tests.length === 2 && a && b) return (event) => a(event) || b(event);
  return (event) => {
    for (const test of tests) if (test(event)) return true;
    return false;
  };
}
