// Types shared by the detection-item compiler's files: what a compiled item or selection hands to the
// condition compiler and to the engine's literal prefilter.
import type { EventPredicate } from '../sigma-types.js';

/**
 * Literal substrings for the engine's prefilter: a list of alternatives (ORed), each a list of lower-cased
 * substrings (ANDed). The contract: an event the item or selection matches has, for at least one
 * alternative, every substring of it inside the lower-cased text (`String(value).toLowerCase()`) of some
 * scalar value (string, number or boolean, at any depth, array elements included) of the event.
 * `undefined` when no such literal exists (a regular expression, a CIDR range, a comparison, `exists`,
 * `null`, `neq`, a bare `*`, ...): the prefilter must then always evaluate the selection.
 */
export type LiteralAlternatives = string[][];

/** A compiled detection item or selection. */
export interface CompiledMatcher {
  /** The test of one event. */
  test: EventPredicate;
  /** The event field names it reads (after the log source's field mapping); keyword searches add none. */
  fields: string[];
  /** The prefilter literals (see {@link LiteralAlternatives}), or `undefined` when there are none. */
  literals: LiteralAlternatives | undefined;
  /** True when it searches every value of the event (keywords), not only `fields`. */
  readsAllFields?: boolean;
}

/** One compiled `field|modifiers: values` detection item. */
export type CompiledItem = CompiledMatcher;

/** One compiled search identifier (a map, a list of maps, or keywords). */
export type CompiledSelection = CompiledMatcher;

/**
 * The test of one value of a detection item against one scalar event value. `str` receives string event
 * values, with their lower-cased form when the item needs it (else the raw string again); `other`
 * receives numbers, booleans, `null`, `undefined` (field absent) and objects.
 */
export interface ValueMatcher {
  str(raw: string, lower: string): boolean;
  other(value: unknown): boolean;
  /** Needs `lower` to be the lower-cased value. */
  readonly needsLower: boolean;
  /** Cost class for ordering the items of a map: cheap tests run first. */
  readonly cost: number;
  /** The prefilter literals of this value, or `undefined`. */
  readonly literals: LiteralAlternatives | undefined;
}
