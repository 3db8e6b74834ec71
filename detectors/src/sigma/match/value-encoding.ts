// The value-transforming modifiers, applied to one value in the order written: position wildcards
// (contains, startswith, endswith), windash, the UTF-16 encodings and base64/base64offset. One value may
// become several alternatives (base64offset gives three; windash before an encoding expands each dash).
import {
  expandCharSets,
  hasSpecials,
  mapText,
  plainText,
  withPosition,
  type PatternToken,
  type SigmaPattern,
} from './sigma-pattern.js';
import type { ValueStep } from './modifier-chain.js';

/** The characters `windash` makes interchangeable: hyphen, slash, en dash, em dash, horizontal bar. */
export const WINDASH_CHARS = '-/\u2013\u2014\u2015';

/** Most alternatives one value may expand to (windash before an encoding multiplies them). */
const MAX_ALTERNATIVES = 4096;

/** A value problem the caller turns into a SigmaRuleError naming the key. */
export class ValueStepError extends Error {
  override readonly name = 'ValueStepError';
}

interface Alternative {
  readonly pattern: SigmaPattern;
  /** The text holds bytes (one char per byte, from a UTF-16 encoding), not characters. */
  readonly bytes: boolean;
}

/** Applies the steps to one parsed value; returns its alternatives (ORed). */
export function applyValueSteps(pattern: SigmaPattern, steps: readonly ValueStep[]): SigmaPattern[] {
  let alternatives: Alternative[] = [{ pattern, bytes: false }];
  for (const step of steps) {
    const next: Alternative[] = [];
    for (const alternative of alternatives) next.push(...applyStep(alternative, step));
    if (next.length > MAX_ALTERNATIVES)
      throw new ValueStepError(`more than ${MAX_ALTERNATIVES} alternatives`);
    alternatives = next;
  }
  return alternatives.map((alternative) => alternative.pattern);
}

function applyStep(alternative: Alternative, step: ValueStep): Alternative[] {
  const { pattern, bytes } = alternative;
  switch (step) {
    case 'contains':
    case 'startswith':
    case 'endswith':
      return [{ pattern: withPosition(pattern, step), bytes }];
    case 'windash':
      return [{ pattern: mapText(pattern, windash), bytes }];
    case 'utf16le':
    case 'utf16be':
    case 'utf16':
      return expand(pattern).map((plain) => ({ pattern: utf16(plain, step), bytes: true }));
    case 'base64':
    case 'base64offset':
      return expand(pattern).flatMap((plain) => base64(plain, bytes, step));
  }
}

function expand(pattern: SigmaPattern): SigmaPattern[] {
  try {
    return expandCharSets(pattern, MAX_ALTERNATIVES);
  } catch (error) {
    throw new ValueStepError(`windash expands to ${(error as Error).message}`);
  }
}

function windash(char: string): PatternToken[] {
  return [
    WINDASH_CHARS.includes(char) ? { kind: 'oneOf', chars: WINDASH_CHARS } : { kind: 'text', text: char },
  ];
}

function utf16(pattern: SigmaPattern, step: 'utf16le' | 'utf16be' | 'utf16'): SigmaPattern {
  const bigEndian = step === 'utf16be';
  const tokens: PatternToken[] = step === 'utf16' ? [{ kind: 'text', text: '\xff\xfe' }] : [];
  for (const token of pattern) {
    if (token.kind === 'any') {
      tokens.push(token, token);
    } else if (token.kind !== 'text') {
      tokens.push(token);
    } else {
      let text = '';
      for (let i = 0; i < token.text.length; i++) {
        const unit = token.text.charCodeAt(i);
        const low = String.fromCharCode(unit & 0xff);
        const high = String.fromCharCode(unit >> 8);
        text += bigEndian ? high + low : low + high;
      }
      tokens.push({ kind: 'text', text });
    }
  }
  return tokens;
}

/** base64offset: where each of the three shifted encodings starts and may end (per length mod 3). */
const OFFSET_STARTS = [0, 2, 3] as const;
const OFFSET_ENDS = [0, 3, 2] as const;

function base64(pattern: SigmaPattern, bytes: boolean, step: 'base64' | 'base64offset'): Alternative[] {
  if (hasSpecials(pattern)) throw new ValueStepError(`${step} of a value with wildcards is not allowed`);
  const text = plainText(pattern);
  const data = Buffer.from(text, bytes ? 'latin1' : 'utf8');
  if (step === 'base64') return [{ pattern: textPattern(data.toString('base64')), bytes: false }];
  const result: Alternative[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift, 0x20), data]).toString('base64');
    const cut = OFFSET_ENDS[(data.length + shift) % 3] as number;
    const part = encoded.slice(OFFSET_STARTS[shift], encoded.length - cut);
    if (!part) throw new ValueStepError(`'${text}' is too short for base64offset`);
    result.push({ pattern: textPattern(part), bytes: false });
  }
  return result;
}

function textPattern(text: string): SigmaPattern {
  return [{ kind: 'text', text }];
}
