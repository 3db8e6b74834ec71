// A rule's prefilter from its condition's required selections and their literals (see RulePrefilter).
// Sound by construction: the condition implies one alternative of required selections; each selection
// implies one alternative of its literals (the literal contract of the match compiler); so an AND of
// selections implies the union of one alternative of any subset of them.
import type { CompiledSelection, LiteralAlternatives } from '../match/index.js';
import type { RulePrefilter } from './compiled-rule.js';

/** Alternatives compared pairwise for redundancy only up to this count (the check is quadratic). */
const MAX_SIMPLIFIED = 256;

/**
 * The prefilter of a rule: `required` is the condition's requiredSelections (undefined: nothing is
 * required), `selections` the rule's compiled search identifiers. Undefined when some required alternative
 * has no selection with literals (the rule must then always be evaluated). Each alternative of the
 * result has no empty literal, no literal contained in another of the same alternative, and is sorted
 * longest first.
 */
export function rulePrefilter(
  required: readonly (readonly string[])[] | undefined,
  selections: ReadonlyMap<string, CompiledSelection>,
): RulePrefilter | undefined {
  if (!required || required.length === 0) return undefined;
  const alternatives: string[][] = [];
  for (const names of required) {
    const parts: LiteralAlternatives[] = [];
    for (const name of names) {
      const literals = selections.get(name)?.literals;
      if (literals && literals.length > 0) parts.push(literals);
    }
    if (parts.length === 0) return undefined;
    for (const alternative of conjunction(parts)) {
      const normalised = normalise(alternative);
      if (normalised.length === 0) return undefined; // only empty literals: no requirement
      alternatives.push(normalised);
    }
  }
  return withoutRedundant(alternatives);
}

/**
 * Literals implied by all of `parts`: the one-alternative parts merged, distributed over the part with
 * the fewest alternatives (then the longest shortest literal); other multi-alternative parts are left out,
 * which keeps the result small and still implied.
 */
function conjunction(parts: readonly LiteralAlternatives[]): string[][] {
  const base: string[] = [];
  let best: LiteralAlternatives | undefined;
  for (const part of parts) {
    if (part.length === 1) base.push(...(part[0] as string[]));
    else if (
      !best ||
      part.length < best.length ||
      (part.length === best.length && shortest(part) > shortest(best))
    )
      best = part;
  }
  return best ? best.map((alternative) => [...base, ...alternative]) : [base];
}

function shortest(alternatives: LiteralAlternatives): number {
  let min = Infinity;
  for (const alternative of alternatives)
    for (const literal of alternative) min = Math.min(min, literal.length);
  return min;
}

/** Distinct non-empty literals, none inside another, longest first (ties in code-unit order). */
function normalise(literals: readonly string[]): string[] {
  const distinct = [...new Set(literals.filter((literal) => literal.length > 0))].sort(
    (a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0),
  );
  return distinct.filter((literal, i) => !distinct.some((other, j) => j < i && other.includes(literal)));
}

/** Drops repeated alternatives and those that imply another one (the OR keeps the weaker one). */
function withoutRedundant(alternatives: string[][]): string[][] {
  const seen = new Set<string>();
  const distinct = alternatives.filter((alternative) => {
    const key = alternative.join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (distinct.length > MAX_SIMPLIFIED) return distinct;
  return distinct.filter(
    (alternative, i) =>
      !distinct.some(
        (other, j) => j !== i && implies(alternative, other) && (j < i || !implies(other, alternative)),
      ),
  );
}

/** True when an event satisfying `alternative` satisfies `other`: each literal of `other` is inside one of it. */
function implies(alternative: readonly string[], other: readonly string[]): boolean {
  return other.every((literal) => alternative.some((mine) => mine.includes(literal)));
}
