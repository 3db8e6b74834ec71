// The detection-item compiler of the Sigma engine: detection items, value modifiers and search
// identifiers compiled into event predicates, with the literals the engine's prefilter indexes.
//
// Matching rules, for rule authors and the engine:
// - string values are Sigma patterns (`*`, `?`, `\` escapes), case-insensitive unless `cased`;
// - a YAML number matches the equal event number or the event string that is exactly its text
//   (`EventID: 4624` matches 4624 and "4624", not "04624"); a YAML string matches event numbers and
//   booleans through their text (`'46*'` matches 4624);
// - `null` matches an absent field or a null value; `exists` only checks presence;
// - an event value that is an array matches when any element does (an empty array counts as absent);
// - `neq` negates the whole item (an absent field is "different"), as pySigma does;
// - keywords (unfielded values) match anywhere in the text of any string, number or boolean of the event;
// - `re` searches (unanchored) with re2js, in linear time; `windash` makes `-`, `/`, en dash, em dash and
//   horizontal bar interchangeable wherever one appears.
export { compileDetectionItem } from './detection-item.js';
export { compileSelection } from './selection.js';
export { parseModifierChain } from './modifier-chain.js';
export type { ModifierChain, MatchType, ValueStep, CompareOperator, TimePart } from './modifier-chain.js';
export { eventSatisfiesLiterals } from './prefilter-literals.js';
export type { CompiledItem, CompiledMatcher, CompiledSelection, LiteralAlternatives } from './match-types.js';
