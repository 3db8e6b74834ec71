// A correlation's `condition` (gt, gte, lt, lte, eq, neq, ANDed) as a test of a count, and whether it can
// be decided as soon as it holds or only once the window is complete.
import type { SigmaCorrelationCondition } from '../loader/rule-document.js';

/** A compiled count condition. */
export interface CountCondition {
  /** True when the count satisfies every bound. */
  test(count: number): boolean;
  /**
   * True when the condition has only lower bounds (gt, gte): once true for a window it stays true as
   * events are added, so it is decided on the match that makes it true. Otherwise (lt, lte, eq, neq)
   * later events can make it false again, and it is decided when the window closes.
   */
  monotone: boolean;
  /** The condition as text: `gte 5`, `gt 100 and lte 200`. */
  text: string;
}

const ORDER = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;

/** Compiles a condition's bounds; `fallbackGte` is used when the condition has none (temporal types). */
export function compileCountCondition(
  condition: SigmaCorrelationCondition | undefined,
  fallbackGte?: number,
): CountCondition | undefined {
  const bounds = ORDER.flatMap((name) => {
    const value = condition?.[name];
    return value === undefined ? [] : [{ name, value }];
  });
  if (bounds.length === 0) {
    if (fallbackGte === undefined) return undefined;
    bounds.push({ name: 'gte', value: fallbackGte });
  }
  let min = Number.NEGATIVE_INFINITY; // count >= min
  let max = Number.POSITIVE_INFINITY; // count <= max
  const excluded: number[] = [];
  for (const { name, value } of bounds) {
    if (name === 'gt') min = Math.max(min, Math.floor(value) + 1);
    else if (name === 'gte') min = Math.max(min, Math.ceil(value));
    else if (name === 'lt') max = Math.min(max, Math.ceil(value) - 1);
    else if (name === 'lte') max = Math.min(max, Math.floor(value));
    else if (name === 'eq') {
      min = Math.max(min, value);
      max = Math.min(max, value);
    } else excluded.push(value);
  }
  const monotone = max === Number.POSITIVE_INFINITY && excluded.length === 0;
  const text = bounds.map(({ name, value }) => `${name} ${value}`).join(' and ');
  const test =
    excluded.length === 0
      ? (count: number) => count >= min && count <= max
      : (count: number) => count >= min && count <= max && !excluded.includes(count);
  return { test, monotone, text };
}
