// Compiles a Sigma string pattern into a string test without regular expressions: plain equality,
// `includes`/`startsWith`/`endsWith` for the common shapes, and otherwise a segment matcher. A pattern
// `a*b?c*d` is split at its `*`s into fixed-length segments; the first and last are anchored, the others
// are found left to right at their earliest position (which is optimal, since `*` absorbs any gap), each
// located by `indexOf` of its longest plain run and then checked around it. No backtracking: the work is
// bounded by the value's length times the pattern's, whatever the pattern.
import type { SigmaPattern } from './sigma-pattern.js';

/** A compiled string test and its best prefilter literal. */
export interface WildcardMatcher {
  /** Tests a value: lower-cased already unless the matcher is case-sensitive. */
  test: (value: string) => boolean;
  /** The longest plain run every matching value contains, lower-cased; `undefined` when none. */
  literal: string | undefined;
}

const ANY_CODE = -1;
const SET_CODE = -2;

interface Segment {
  readonly length: number;
  /** Per code unit: the unit, ANY_CODE or SET_CODE. */
  readonly codes: Int32Array;
  /** The allowed characters where `codes` is SET_CODE. */
  readonly sets: readonly (string | undefined)[];
  /** Longest plain run and its offset in the segment ('' when none). */
  readonly anchor: string;
  readonly anchorOffset: number;
}

/** Compiles a pattern; `caseSensitive` false lower-cases it (values must then be lower-cased too). */
export function compileWildcard(pattern: SigmaPattern, caseSensitive: boolean): WildcardMatcher {
  const tokens = pattern
    .map((token) => {
      if (caseSensitive) return token;
      if (token.kind === 'text') return { ...token, text: token.text.toLowerCase() };
      if (token.kind === 'oneOf') return { ...token, chars: token.chars.toLowerCase() };
      return token;
    })
    .filter((token, index, all) => !(token.kind === 'star' && all[index - 1]?.kind === 'star'));
  const literal = longestRun(tokens);
  const lowerLiteral = literal ? literal.toLowerCase() : undefined;
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return { test: (value) => value === '', literal: undefined };

  // Fast shapes: exact, prefix, suffix, infix, anything.
  if (tokens.length === 1 && first.kind === 'star') return { test: () => true, literal: undefined };
  if (tokens.length === 1 && first.kind === 'text') {
    const text = first.text;
    return { test: (value) => value === text, literal: lowerLiteral };
  }
  if (tokens.length === 2 && first.kind === 'text' && last.kind === 'star') {
    const text = first.text;
    return { test: (value) => value.startsWith(text), literal: lowerLiteral };
  }
  if (tokens.length === 2 && first.kind === 'star' && last.kind === 'text') {
    const text = last.text;
    return { test: (value) => value.endsWith(text), literal: lowerLiteral };
  }
  const middle = tokens[1];
  if (tokens.length === 3 && first.kind === 'star' && middle?.kind === 'text' && last.kind === 'star') {
    const text = middle.text;
    return { test: (value) => value.includes(text), literal: lowerLiteral };
  }
  return { test: segmentMatcher(tokens), literal: lowerLiteral };
}

function longestRun(pattern: SigmaPattern): string | undefined {
  let best = '';
  for (const token of pattern)
    if (token.kind === 'text' && token.text.length > best.length) best = token.text;
  return best || undefined;
}

function segmentMatcher(tokens: SigmaPattern): (value: string) => boolean {
  const startAnchored = tokens[0]?.kind !== 'star';
  const endAnchored = tokens[tokens.length - 1]?.kind !== 'star';
  const segments: Segment[] = [];
  let group: SigmaPattern[number][] = [];
  for (const token of tokens) {
    if (token.kind === 'star') {
      if (group.length) segments.push(buildSegment(group));
      group = [];
    } else {
      group.push(token);
    }
  }
  if (group.length) segments.push(buildSegment(group));

  if (segments.length === 1 && startAnchored && endAnchored) {
    const only = segments[0] as Segment;
    return (value) => value.length === only.length && matchAt(only, value, 0);
  }
  const head = startAnchored ? segments[0] : undefined;
  const tail = endAnchored ? segments[segments.length - 1] : undefined;
  const inner = segments.slice(head ? 1 : 0, tail ? segments.length - 1 : segments.length);
  return (value) => {
    let position = 0;
    let limit = value.length;
    if (head) {
      if (head.length > limit || !matchAt(head, value, 0)) return false;
      position = head.length;
    }
    if (tail) {
      const start = limit - tail.length;
      if (start < position || !matchAt(tail, value, start)) return false;
      limit = start;
    }
    for (const segment of inner) {
      const found = find(segment, value, position, limit);
      if (found < 0) return false;
      position = found + segment.length;
    }
    return true;
  };
}

function buildSegment(tokens: SigmaPattern): Segment {
  const codes: number[] = [];
  const sets: (string | undefined)[] = [];
  let anchor = '';
  let anchorOffset = 0;
  for (const token of tokens) {
    if (token.kind === 'text') {
      if (token.text.length > anchor.length) {
        anchor = token.text;
        anchorOffset = codes.length;
      }
      for (let i = 0; i < token.text.length; i++) {
        codes.push(token.text.charCodeAt(i));
        sets.push(undefined);
      }
    } else if (token.kind === 'any') {
      codes.push(ANY_CODE);
      sets.push(undefined);
    } else if (token.kind === 'oneOf') {
      codes.push(SET_CODE);
      sets.push(token.chars);
    }
  }
  return { length: codes.length, codes: Int32Array.from(codes), sets, anchor, anchorOffset };
}

function matchAt(segment: Segment, value: string, position: number): boolean {
  const { codes, sets } = segment;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] as number;
    if (code >= 0) {
      if (value.charCodeAt(position + i) !== code) return false;
    } else if (code === SET_CODE && !(sets[i] as string).includes(value.charAt(position + i))) {
      return false;
    }
  }
  return true;
}

/** The earliest position ≥ `from` where the segment matches and ends by `limit`, or -1. */
function find(segment: Segment, value: string, from: number, limit: number): number {
  const { anchor, anchorOffset, length } = segment;
  if (anchor) {
    let index = value.indexOf(anchor, from + anchorOffset);
    while (index !== -1) {
      const position = index - anchorOffset;
      if (position + length > limit) return -1;
      if (matchAt(segment, value, position)) return position;
      index = value.indexOf(anchor, index + 1);
    }
    return -1;
  }
  for (let position = from; position + length <= limit; position++) {
    if (matchAt(segment, value, position)) return position;
  }
  return -1;
}
