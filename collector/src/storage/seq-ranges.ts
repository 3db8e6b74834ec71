// Sets of seqs as sorted, disjoint, non-adjacent half-open ranges [from, to): what an agent has stored
// (`telemetry.agents.committed`, an int8multirange) and what a batch still has to store.

/** A half-open range of seqs: from ≤ seq < to. */
export type SeqRange = readonly [from: number, to: number];

const RANGE = /\[(-?\d+),(-?\d+)\)/g;

/** Parses PostgreSQL's text form of an int8multirange (`{[1,50),[60,70)}`, canonical: half-open). */
export function parseMultirange(text: string): SeqRange[] {
  const ranges: SeqRange[] = [];
  for (const match of text.matchAll(RANGE)) ranges.push([Number(match[1]), Number(match[2])]);
  return ranges;
}

/** The text form of ranges, for `$1::int8multirange`. */
export function formatMultirange(ranges: readonly SeqRange[]): string {
  return `{${ranges.map(([from, to]) => `[${from},${to})`).join(',')}}`;
}

/** The parts of `range` not in `set`. */
export function subtractRanges(range: SeqRange, set: readonly SeqRange[]): SeqRange[] {
  const out: SeqRange[] = [];
  let [from] = range;
  const to = range[1];
  for (const [lo, hi] of set) {
    if (hi <= from) continue;
    if (lo >= to) break;
    if (lo > from) out.push([from, lo]);
    from = Math.max(from, hi);
    if (from >= to) break;
  }
  if (from < to) out.push([from, to]);
  return out;
}

/** `set` with `range` added, merged with the ranges it overlaps or touches. */
export function addRange(set: readonly SeqRange[], range: SeqRange): SeqRange[] {
  const out: SeqRange[] = [];
  let [from, to] = range;
  let placed = false;
  for (const [lo, hi] of set) {
    if (hi < from) out.push([lo, hi]);
    else if (lo > to) {
      if (!placed) out.push([from, to]);
      placed = true;
      out.push([lo, hi]);
    } else {
      from = Math.min(from, lo);
      to = Math.max(to, hi);
    }
  }
  if (!placed) out.push([from, to]);
  return out;
}

/** Whether `seq` lies in one of `ranges`. */
export function inRanges(seq: number, ranges: readonly SeqRange[]): boolean {
  for (const [from, to] of ranges) if (seq >= from && seq < to) return true;
  return false;
}
