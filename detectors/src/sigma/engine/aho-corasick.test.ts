import { describe, expect, it } from 'vitest';
import { AhoCorasick } from './aho-corasick.js';

/** Every (pattern, end) occurrence by brute force, sorted like a scan reports them. */
function bruteForce(patterns: readonly string[], text: string): string[] {
  const lower = text.toLowerCase();
  const found: string[] = [];
  patterns.forEach((pattern, index) => {
    if (pattern === '') {
      found.push(`${index}@0`);
      return;
    }
    for (let at = lower.indexOf(pattern); at >= 0; at = lower.indexOf(pattern, at + 1)) {
      found.push(`${index}@${at + pattern.length}`);
    }
  });
  return found.sort();
}

function scanned(automaton: AhoCorasick, text: string): string[] {
  return automaton
    .findAll(text)
    .map(({ pattern, end }) => `${pattern}@${end}`)
    .sort();
}

/** A deterministic pseudo-random generator (tests must be reproducible). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomString(next: () => number, alphabet: string, maxLength: number): string {
  const length = Math.floor(next() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
  return text;
}

describe('AhoCorasick', () => {
  it('finds overlapping patterns and patterns that are prefixes or suffixes of others', () => {
    const patterns = ['he', 'she', 'his', 'hers', 'h', 'ers', 'rs'];
    const automaton = new AhoCorasick(patterns);
    expect(scanned(automaton, 'ushers')).toEqual(bruteForce(patterns, 'ushers'));
    expect(automaton.findAll('ushers')).toEqual([
      { pattern: 4, end: 3 },
      { pattern: 1, end: 4 },
      { pattern: 0, end: 4 },
      { pattern: 3, end: 6 },
      { pattern: 5, end: 6 },
      { pattern: 6, end: 6 },
    ]);
    expect(scanned(automaton, 'hishershe')).toEqual(bruteForce(patterns, 'hishershe'));
  });

  it('reports repeated and self-overlapping occurrences', () => {
    const automaton = new AhoCorasick(['aa', 'aaa']);
    expect(scanned(automaton, 'aaaa')).toEqual(['0@2', '0@3', '0@4', '1@3', '1@4']);
  });

  it('matches case-insensitively like toLowerCase, and never an upper-case pattern', () => {
    const automaton = new AhoCorasick(['powershell', '-enc', 'Upper']);
    expect(scanned(automaton, 'C:\\PowerShell.EXE -EnC x')).toEqual(['0@13', '1@22']);
    expect(automaton.findAll('UPPER upper Upper')).toEqual([]);
  });

  it('finds nothing with no pattern, and nothing in an empty text', () => {
    const none = new AhoCorasick([]);
    expect(none.findAll('anything at all')).toEqual([]);
    expect(none.stateCount).toBe(1);
    expect(new AhoCorasick(['abc']).findAll('')).toEqual([]);
  });

  it('reports an empty pattern once per text, and duplicate patterns under each index', () => {
    const automaton = new AhoCorasick(['', 'ab', 'ab']);
    expect(scanned(automaton, 'xabx')).toEqual(['0@0', '1@3', '2@3']);
    expect(scanned(automaton, '')).toEqual(['0@0']);
  });

  it('near misses: a pattern cut by a character it lacks, or at the end of the text', () => {
    const automaton = new AhoCorasick(['mimikatz', 'katz.exe']);
    expect(automaton.findAll('mimi katz')).toEqual([]);
    expect(automaton.findAll('mimikat')).toEqual([]);
    expect(automaton.findAll('katz.ex')).toEqual([]);
    expect(automaton.findAll('mimikatz.exe').map(({ pattern }) => pattern)).toEqual([0, 1]);
  });

  it('handles unicode: accented and Greek letters, İ, final sigma, the Kelvin sign and surrogate pairs', () => {
    const patterns = ['é', 'ñandú', 'σ', 'ς', 'i̇', 'k', '😀', '𐐨', 'straße'];
    const automaton = new AhoCorasick(patterns);
    const texts = [
      'ÉCOLE Ñandú',
      'ΟΔΥΣΣΕΥΣ',
      'ΣΑ',
      'İstanbul',
      'K is kelvin',
      'smile 😀 ok',
      '𐐀 deseret',
      'STRASSE Straße',
      'lone \ud83d surrogate and \ude00',
    ];
    for (const text of texts) expect(scanned(automaton, text), text).toEqual(bruteForce(patterns, text));
    expect(scanned(automaton, 'ΟΔΥΣΣΕΥΣ')).toContain('3@8'); // the final Σ lower-cases to ς
    expect(scanned(automaton, '𐐀')).toEqual(['7@2']);
  });

  it('agrees with brute force on random patterns and texts, with full DFA rows and with trie edges', () => {
    const next = random(42);
    const alphabet = 'abcAB-\\. éÉ';
    for (let round = 0; round < 200; round++) {
      const patterns = Array.from({ length: 1 + Math.floor(next() * 12) }, () =>
        randomString(next, 'abc-\\. é', 5),
      ).filter((pattern) => pattern !== '');
      const full = new AhoCorasick(patterns);
      const sparse = new AhoCorasick(patterns, { denseBudget: 1 });
      for (let t = 0; t < 10; t++) {
        const text = randomString(next, alphabet, 40);
        const expected = bruteForce(patterns, text);
        expect(scanned(full, text)).toEqual(expected);
        expect(scanned(sparse, text)).toEqual(expected);
      }
    }
  });

  it('scales to thousands of patterns', () => {
    const patterns = Array.from({ length: 5000 }, (_, i) => `\\tool${i}.exe`);
    const automaton = new AhoCorasick(patterns, { denseBudget: 1 << 12 });
    const text = 'C:\\Tools\\TOOL4321.EXE -x \\tool12.exe';
    expect(scanned(automaton, text)).toEqual(bruteForce(patterns, text));
    expect(scanned(automaton, text)).toContain('4321@21');
  });
});
