// A Sigma string value as a sequence of tokens: literal text, the `*` and `?` wildcards, and character
// sets (the `windash` modifier's dash family). Parsing follows the specification's "Escape Character"
// rules: a backslash escapes a following `*`, `?` or `\`; any other backslash is a literal backslash.

/** One token of a Sigma string pattern. */
export type PatternToken =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'any' }
  | { readonly kind: 'oneOf'; readonly chars: string };

/** A Sigma string pattern: tokens, with adjacent text merged. */
export type SigmaPattern = readonly PatternToken[];

const STAR: PatternToken = { kind: 'star' };
const ANY: PatternToken = { kind: 'any' };

/** Parses a Sigma string value (wildcards `*`, `?`, escapes `\*`, `\?`, `\\`) into a pattern. */
export function parseSigmaString(raw: string): SigmaPattern {
  const tokens: PatternToken[] = [];
  let text = '';
  const flush = (): void => {
    if (text) tokens.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        text += next;
        i++;
      } else {
        text += c;
      }
    } else if (c === '*') {
      flush();
      tokens.push(STAR);
    } else if (c === '?') {
      flush();
      tokens.push(ANY);
    } else {
      text += c;
    }
  }
  flush();
  return tokens;
}

/** A pattern that matches exactly `text` (no wildcards). */
export function literalPattern(text: string): SigmaPattern {
  return text ? [{ kind: 'text', text }] : [];
}

/** True when the pattern has wildcards or character sets (is not one plain string). */
export function hasSpecials(pattern: SigmaPattern): boolean {
  return pattern.some((token) => token.kind !== 'text');
}

/** The plain string of a pattern without specials (`hasSpecials` false). */
export function plainText(pattern: SigmaPattern): string {
  let text = '';
  for (const token of pattern) if (token.kind === 'text') text += token.text;
  return text;
}

/** The pattern with a `*` before it (`endswith`), after it (`startswith`) or both (`contains`). */
export function withPosition(
  pattern: SigmaPattern,
  position: 'contains' | 'startswith' | 'endswith',
): SigmaPattern {
  const result = [...pattern];
  if (position !== 'startswith' && result[0]?.kind !== 'star') result.unshift(STAR);
  if (position !== 'endswith' && result[result.length - 1]?.kind !== 'star') result.push(STAR);
  return result;
}

/** Maps every literal character of the pattern (merging the result), keeping the other tokens. */
export function mapText(pattern: SigmaPattern, map: (char: string) => PatternToken[]): SigmaPattern {
  const result: PatternToken[] = [];
  for (const token of pattern) {
    if (token.kind !== 'text') {
      result.push(token);
      continue;
    }
    for (const char of token.text) result.push(...map(char));
  }
  return mergeText(result);
}

/** Merges adjacent text tokens. */
export function mergeText(tokens: readonly PatternToken[]): SigmaPattern {
  const result: PatternToken[] = [];
  for (const token of tokens) {
    const last = result[result.length - 1];
    if (token.kind === 'text' && last?.kind === 'text') {
      result[result.length - 1] = { kind: 'text', text: last.text + token.text };
    } else if (token.kind !== 'text' || token.text) {
      result.push(token);
    }
  }
  return result;
}

/**
 * Expands character sets into one pattern per combination (for encodings, which need plain strings).
 * Throws a RangeError past `limit` combinations.
 */
export function expandCharSets(pattern: SigmaPattern, limit: number): SigmaPattern[] {
  let results: PatternToken[][] = [[]];
  for (const token of pattern) {
    if (token.kind !== 'oneOf') {
      for (const result of results) result.push(token);
      continue;
    }
    const next: PatternToken[][] = [];
    for (const result of results) {
      for (const char of token.chars) next.push([...result, { kind: 'text', text: char }]);
    }
    if (next.length > limit) throw new RangeError(`more than ${limit} combinations`);
    results = next;
  }
  return results.map(mergeText);
}
