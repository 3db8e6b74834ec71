// Checks of a detection block that the JSON schema cannot express: the condition names search
// identifiers that exist, keys carry known modifiers, and values have a shape a detection item can have.
import { compileCondition } from '../condition/index.js';
import { SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import { REGEX_FLAG_MODIFIERS, SIGMA_MODIFIERS } from '../match/modifier-chain.js';
import type { RuleProblem } from './schema-error-text.js';
import { describeValue, isPlainObject } from './yaml-values.js';

/**
 * Checks a detection block (or a filter block): `base` is its key path (`detection`, `filter`),
 * `reserved` the keys that are not search identifiers (`condition`, and `rules` for filters).
 */
export function checkDetectionBlock(
  block: Record<string, unknown>,
  base: string,
  reserved: ReadonlySet<string>,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const identifiers = Object.keys(block).filter((key) => !reserved.has(key));
  for (const identifier of identifiers) {
    checkSearchIdentifier(block[identifier], `${base}.${identifier}`, problems);
  }
  for (const [condition, key] of conditionsOf(block.condition, `${base}.condition`)) {
    checkCondition(condition, key, identifiers, problems);
  }
  return problems;
}

/** The condition(s) of a block with their key paths: the spec allows a list of conditions. */
export function conditionsOf(value: unknown, key: string): Array<[string, string]> {
  if (typeof value === 'string') return [[value, key]];
  if (Array.isArray(value)) {
    return value.flatMap((item, index): Array<[string, string]> =>
      typeof item === 'string' ? [[item, `${key}[${index}]`]] : [],
    );
  }
  return [];
}

/**
 * The condition is parsed and its names and patterns resolved by the condition compiler itself (against
 * placeholder selections), so the loader refuses exactly what compiling the rule would refuse.
 */
function checkCondition(
  condition: string,
  key: string,
  identifiers: readonly string[],
  problems: RuleProblem[],
): void {
  const selections = new Map(identifiers.map((identifier) => [identifier, never] as const));
  try {
    compileCondition(condition, selections, { key });
  } catch (error) {
    if (!(error instanceof SigmaRuleError || error instanceof SigmaUnsupportedError)) throw error;
    // The problem carries the key; the loader adds the file and rule to the message.
    const prefix = `at ${key}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    problems.push({ key, message });
  }
}

const never = (): boolean => false;

/** A search identifier: a map of field → values, or a list of keywords and/or such maps. */
function checkSearchIdentifier(value: unknown, key: string, problems: RuleProblem[]): void {
  if (isPlainObject(value)) {
    checkFieldMap(value, key, problems);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const itemKey = `${key}[${index}]`;
      if (isPlainObject(item)) checkFieldMap(item, itemKey, problems);
      else if (Array.isArray(item))
        problems.push({ key: itemKey, message: 'a list item must not be a list' });
    });
  }
  // Other shapes (a lone string, null) are reported by the schema.
}

function checkFieldMap(map: Record<string, unknown>, key: string, problems: RuleProblem[]): void {
  for (const [field, value] of Object.entries(map)) {
    const itemKey = `${key}.${field}`;
    const modifiers = field.split('|').slice(1);
    checkModifiers(modifiers, field, itemKey, problems);
    if (modifiers.includes('exists') && typeof value !== 'boolean') {
      problems.push({ key: itemKey, message: `'exists' takes true or false (got ${describeValue(value)})` });
    }
    checkValues(value, itemKey, problems);
  }
}

function checkModifiers(
  modifiers: readonly string[],
  field: string,
  key: string,
  problems: RuleProblem[],
): void {
  modifiers.forEach((modifier, index) => {
    if (modifier === '') {
      problems.push({ key, message: `'${field}' has an empty modifier (a doubled or trailing '|')` });
    } else if (!SIGMA_MODIFIERS.has(modifier)) {
      const hint = suggestModifier(modifier);
      problems.push({
        key,
        message: `unknown modifier '${modifier}' in '${field}'${hint ? ` (did you mean '${hint}'?)` : ''}`,
      });
    } else if (REGEX_FLAG_MODIFIERS.has(modifier) && !modifiers.slice(0, index).includes('re')) {
      problems.push({
        key,
        message: `modifier '${modifier}' is a flag of 're' and must come after it in '${field}'`,
      });
    }
  });
}

/** Values of a field: a scalar or null, or a list of scalars. */
function checkValues(value: unknown, key: string, problems: RuleProblem[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (typeof item === 'object' && item !== null) {
        problems.push({
          key: `${key}[${index}]`,
          message: `a value must be a string, number, boolean or null (got ${Array.isArray(item) ? 'a list' : 'a map'})`,
        });
      }
    });
  } else if (isPlainObject(value)) {
    problems.push({
      key,
      message: `a value must be a string, number, boolean or null, or a list of them (got a map: ${describeValue(value)})`,
    });
  }
}

/** The known modifier closest to a misspelt one (case-insensitive, at most two edits), if any. */
function suggestModifier(modifier: string): string | undefined {
  const lower = modifier.toLowerCase();
  if (SIGMA_MODIFIERS.has(lower)) return lower;
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of SIGMA_MODIFIERS) {
    if (known.length < 3) continue;
    const distance = editDistance(lower, known);
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
