// Combining prefilter literals (see LiteralAlternatives) through OR and AND. Every combination keeps the
// contract "a matching event contains every substring of one alternative": OR needs every part to have
// literals; AND may use any subset of its parts' literals, so it merges the one-alternative parts and
// distributes them over the part with the fewest alternatives.
import type { LiteralAlternatives } from './match-types.js';

/** The literals of an OR of parts, or `undefined` when one part has none. */
export function orLiterals(
  parts: readonly (LiteralAlternatives | undefined)[],
): LiteralAlternatives | undefined {
  const result: LiteralAlternatives = [];
  const seen = new Set<string>();
  for (const part of parts) {
    if (!part) return undefined;
    for (const alternative of part) {
      const key = JSON.stringify(alternative);
      if (seen.has(key)) continue;
      seen.add(key);
      result.push(alternative);
    }
  }
  return result.length ? result : undefined;
}

/** The literals of an AND of parts, or `undefined` when no part has any. */
export function andLiterals(
  parts: readonly (LiteralAlternatives | undefined)[],
): LiteralAlternatives | undefined {
  const base: string[] = [];
  let best: LiteralAlternatives | undefined;
  for (const part of parts) {
    if (!part || part.length === 0) continue;
    if (part.length === 1) {
      for (const literal of part[0] as string[]) if (!base.includes(literal)) base.push(literal);
    } else if (!best || better(part, best)) {
      best = part;
    }
  }
  if (!best) return base.length ? [base] : undefined;
  return best.map((alternative) => [...base, ...alternative.filter((literal) => !base.includes(literal))]);
}

/** Fewer alternatives, then longer shortest literal. */
function better(candidate: LiteralAlternatives, current: LiteralAlternatives): boolean {
  if (candidate.length !== current.length) return candidate.length < current.length;
  return shortest(candidate) > shortest(current);
}

function shortest(alternatives: LiteralAlternatives): number {
  let min = Infinity;
  for (const alternative of alternatives)
    for (const literal of alternative) min = Math.min(min, literal.length);
  return min;
}

/**
 * The contract of {@link LiteralAlternatives} as a predicate (the reference for a prefilter, and for
 * tests): true when `literals` is undefined or the event holds every substring of some alternative in the
 * lower-cased text of its scalar values.
 */
export function eventSatisfiesLiterals(literals: LiteralAlternatives | undefined, event: unknown): boolean {
  if (!literals) return true;
  const texts: string[] = [];
  collectTexts(event, texts, 0);
  return literals.some((alternative) =>
    alternative.every((literal) => texts.some((text) => text.includes(literal))),
  );
}

function collectTexts(node: unknown, texts: string[], depth: number): void {
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
    texts.push(String(node).toLowerCase());
  } else if (node !== null && typeof node === 'object' && depth < 64) {
    for (const value of Object.values(node)) collectTexts(value, texts, depth + 1);
  }
}
