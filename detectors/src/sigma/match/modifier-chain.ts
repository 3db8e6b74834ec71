// Parsing and validating the modifier chain of a detection item key (`CommandLine|contains|all`): the
// field name, the value steps in the order written (position and encoding modifiers), and the flags and
// type of the comparison. Every unknown, repeated or misplaced modifier is a SigmaRuleError naming the key.
import { SigmaRuleError, type RuleLocation } from '../sigma-types.js';

/** A modifier that transforms each value, applied in the order written. */
export type ValueStep =
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'windash'
  | 'utf16le'
  | 'utf16be'
  | 'utf16'
  | 'base64'
  | 'base64offset';

/** A comparison of the `lt`/`lte`/`gt`/`gte` modifiers. */
export type CompareOperator = 'lt' | 'lte' | 'gt' | 'gte';

/** A part of a timestamp (the time modifiers). */
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** How an item's values are compared with the field. */
export type MatchType = 'string' | 're' | 'cidr' | 'compare' | 'exists' | 'fieldref';

/** A parsed and validated detection item key. */
export interface ModifierChain {
  /** The field name as written ('' for an unfielded keyword item such as `|all`). */
  readonly field: string;
  readonly modifiers: readonly string[];
  readonly type: MatchType;
  readonly steps: readonly ValueStep[];
  readonly all: boolean;
  readonly neq: boolean;
  readonly cased: boolean;
  readonly expand: boolean;
  readonly regexFlags: { readonly i: boolean; readonly m: boolean; readonly s: boolean };
  readonly compare: CompareOperator | undefined;
  readonly timePart: TimePart | undefined;
  /** The position modifier (`contains`, `startswith`, `endswith`) if any. */
  readonly position: 'contains' | 'startswith' | 'endswith' | undefined;
}

const POSITIONS = new Set(['contains', 'startswith', 'endswith']);
const ENCODINGS = new Set(['windash', 'utf16le', 'utf16be', 'utf16', 'wide', 'base64', 'base64offset']);
const UTF16 = new Set(['utf16le', 'utf16be', 'utf16', 'wide']);
const COMPARES = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const REGEX_FLAGS: Readonly<Record<string, 'i' | 'm' | 's'>> = {
  i: 'i',
  ignorecase: 'i',
  m: 'm',
  multiline: 'm',
  s: 's',
  dotall: 's',
};
const OTHERS = new Set(['all', 'neq', 'cased', 'expand', 're', 'cidr', 'exists', 'fieldref']);

/** The sub-modifiers of `re` (regular-expression flags), meaningful only after it. */
export const REGEX_FLAG_MODIFIERS: ReadonlySet<string> = new Set(Object.keys(REGEX_FLAGS));

/** Every modifier name a detection item key may carry after `|` (the spec's appendix). */
export const SIGMA_MODIFIERS: ReadonlySet<string> = new Set([
  ...POSITIONS,
  ...ENCODINGS,
  ...COMPARES,
  ...TIME_PARTS,
  ...OTHERS,
  ...REGEX_FLAG_MODIFIERS,
]);

function isRegexFlag(modifier: string): boolean {
  return Object.hasOwn(REGEX_FLAGS, modifier);
}

/** What each match type allows besides itself. */
const ALLOWED: Readonly<Record<MatchType, ReadonlySet<string>>> = {
  string: new Set(['all', 'neq', 'cased', 'expand', ...POSITIONS, ...ENCODINGS]),
  re: new Set(['all', 'neq', 'expand', 're', ...POSITIONS, ...Object.keys(REGEX_FLAGS)]),
  cidr: new Set(['all', 'neq', 'expand', 'cidr']),
  compare: new Set(['all', 'neq', ...COMPARES, ...TIME_PARTS]),
  exists: new Set(['exists']),
  fieldref: new Set(['all', 'neq', 'cased', 'fieldref', ...POSITIONS]),
};

/** Parses `field|mod1|mod2` and checks the modifiers against the specification. */
export function parseModifierChain(key: string, location: RuleLocation): ModifierChain {
  const [field = '', ...modifiers] = key.split('|');
  const fail = (message: string): never => {
    throw new SigmaRuleError(message, { ...location, key: location.key ?? key });
  };
  const seen = new Set<string>();
  for (const modifier of modifiers) {
    const known =
      POSITIONS.has(modifier) ||
      ENCODINGS.has(modifier) ||
      COMPARES.has(modifier) ||
      TIME_PARTS.has(modifier) ||
      isRegexFlag(modifier) ||
      OTHERS.has(modifier);
    if (!known) fail(`unknown value modifier '${modifier}' in '${key}'`);
    if (seen.has(modifier)) fail(`value modifier '${modifier}' repeated in '${key}'`);
    seen.add(modifier);
  }
  const count = (set: ReadonlySet<string>): number => modifiers.filter((m) => set.has(m)).length;
  if (count(POSITIONS) > 1) fail(`'${key}' combines more than one of contains, startswith, endswith`);
  if (count(UTF16) > 1) fail(`'${key}' combines more than one UTF-16 encoding`);
  if (seen.has('base64') && seen.has('base64offset')) fail(`'${key}' combines base64 and base64offset`);
  if (count(COMPARES) > 1) fail(`'${key}' combines more than one of lt, lte, gt, gte`);
  if (count(TIME_PARTS) > 1) fail(`'${key}' combines more than one time modifier`);

  const types: MatchType[] = [];
  if (seen.has('re')) types.push('re');
  if (seen.has('cidr')) types.push('cidr');
  if (seen.has('exists')) types.push('exists');
  if (seen.has('fieldref')) types.push('fieldref');
  if (count(COMPARES) || count(TIME_PARTS)) types.push('compare');
  if (types.length > 1) fail(`'${key}' combines the incompatible modifiers ${types.join(', ')}`);
  const type: MatchType = types[0] ?? 'string';
  for (const modifier of modifiers) {
    if (!ALLOWED[type].has(modifier)) {
      const what = isRegexFlag(modifier)
        ? `'${modifier}' applies only after 're'`
        : `'${modifier}' cannot be used`;
      fail(`${what} with ${type === 'string' ? 'a string value' : `'${type}'`} in '${key}'`);
    }
  }
  const reIndex = modifiers.indexOf('re');
  for (const [index, modifier] of modifiers.entries()) {
    if (isRegexFlag(modifier) && index < reIndex) fail(`'${modifier}' applies only after 're' in '${key}'`);
  }
  const timeIndex = modifiers.findIndex((m) => TIME_PARTS.has(m));
  const compareIndex = modifiers.findIndex((m) => COMPARES.has(m));
  if (timeIndex >= 0 && compareIndex >= 0 && compareIndex < timeIndex) {
    fail(`the time modifier must come before the comparison in '${key}'`);
  }
  if (type === 'exists' && field === '') fail(`'exists' needs a field in '${key}'`);
  if (type === 'fieldref' && field === '') fail(`'fieldref' needs a field in '${key}'`);

  const steps = modifiers
    .filter((m) => POSITIONS.has(m) || ENCODINGS.has(m))
    .map((m) => (m === 'wide' ? 'utf16le' : m) as ValueStep);
  const flag = (name: 'i' | 'm' | 's'): boolean => modifiers.some((m) => REGEX_FLAGS[m] === name);
  return {
    field,
    modifiers,
    type,
    steps,
    all: seen.has('all'),
    neq: seen.has('neq'),
    cased: seen.has('cased'),
    expand: seen.has('expand'),
    regexFlags: { i: flag('i'), m: flag('m'), s: flag('s') },
    compare: modifiers.find((m) => COMPARES.has(m)) as CompareOperator | undefined,
    timePart: modifiers.find((m) => TIME_PARTS.has(m)) as TimePart | undefined,
    position: modifiers.find((m) => POSITIONS.has(m)) as ModifierChain['position'],
  };
}
