import { describe, expect, it } from 'vitest';
import { parseSigmaString } from './sigma-pattern.js';
import { compileWildcard } from './wildcard-matcher.js';

const matcher = (raw: string, cased = false) => compileWildcard(parseSigmaString(raw), cased);
const matches = (raw: string, value: string, cased = false) =>
  matcher(raw, cased).test(cased ? value : value.toLowerCase());

describe('parseSigmaString escapes', () => {
  it('reads \\* and \\? as literal wildcards and \\\\ as one backslash', () => {
    expect(parseSigmaString('a\\*b')).toEqual([{ kind: 'text', text: 'a*b' }]);
    expect(parseSigmaString('a\\?b')).toEqual([{ kind: 'text', text: 'a?b' }]);
    expect(parseSigmaString('a\\\\b')).toEqual([{ kind: 'text', text: 'a\\b' }]);
  });
  it('keeps a backslash not followed by a wildcard or backslash', () => {
    expect(parseSigmaString('C:\\Windows\\cmd.exe')).toEqual([
      { kind: 'text', text: 'C:\\Windows\\cmd.exe' },
    ]);
    expect(parseSigmaString('trailing\\')).toEqual([{ kind: 'text', text: 'trailing\\' }]);
  });
  it('reads \\\\* as a backslash then a wildcard and \\\\\\* as a backslash and a star', () => {
    expect(parseSigmaString('a\\\\*')).toEqual([{ kind: 'text', text: 'a\\' }, { kind: 'star' }]);
    expect(parseSigmaString('a\\\\\\*')).toEqual([{ kind: 'text', text: 'a\\*' }]);
  });
  it('reads three or four backslashes as two', () => {
    expect(parseSigmaString('a\\\\\\b')).toEqual([{ kind: 'text', text: 'a\\\\b' }]);
    expect(parseSigmaString('a\\\\\\\\b')).toEqual([{ kind: 'text', text: 'a\\\\b' }]);
  });
});

describe('compileWildcard', () => {
  it('matches exact values case-insensitively, and not a longer or shorter value', () => {
    expect(matches('cmd.exe', 'CMD.EXE')).toBe(true);
    expect(matches('cmd.exe', 'cmd.exe ')).toBe(false);
    expect(matches('cmd.exe', 'cmd.ex')).toBe(false);
  });
  it('matches prefixes, suffixes and infixes', () => {
    expect(matches('adm*', 'Administrator')).toBe(true);
    expect(matches('adm*', 'xadm')).toBe(false);
    expect(matches('*\\cmd.exe', 'C:\\Windows\\cmd.exe')).toBe(true);
    expect(matches('*\\cmd.exe', 'C:\\Windows\\cmd.exe.bak')).toBe(false);
    expect(matches('*whoami*', 'run WHOAMI /all')).toBe(true);
    expect(matches('*whoami*', 'run whoam1')).toBe(false);
  });
  it('matches ? as exactly one character', () => {
    expect(matches('prog?.exe', 'progA.exe')).toBe(true);
    expect(matches('prog?.exe', 'prog.exe')).toBe(false);
    expect(matches('prog?.exe', 'progAB.exe')).toBe(false);
  });
  it('matches inner stars in order', () => {
    expect(matches('antivirus_V*.exe', 'antivirus_V21.2.1.exe')).toBe(true);
    expect(matches('a*b*c', 'axxbyyc')).toBe(true);
    expect(matches('a*b*c', 'axxcyyb')).toBe(false);
    expect(matches('*a?c*x', 'zzabcyx')).toBe(true);
    expect(matches('*a?c*x', 'zzacyx')).toBe(false);
    // the head and tail must not overlap
    expect(matches('ab*ba', 'aba')).toBe(false);
    expect(matches('ab*ba', 'abba')).toBe(true);
  });
  it('matches a literal star or question mark only literally', () => {
    expect(matches('*\\*.txt', 'dir *.txt')).toBe(true);
    expect(matches('*\\*.txt', 'dir a.txt')).toBe(false);
    expect(matches('what\\?', 'what?')).toBe(true);
    expect(matches('what\\?', 'whatx')).toBe(false);
  });
  it('matches a backslash followed by a wildcard (\\\\*)', () => {
    expect(matches('C:\\\\*', 'C:\\Users')).toBe(true);
    expect(matches('C:\\\\*', 'C:/Users')).toBe(false);
  });
  it('respects case under cased', () => {
    expect(matches('*Invoke-*', 'Invoke-Mimikatz', true)).toBe(true);
    expect(matches('*Invoke-*', 'invoke-mimikatz', true)).toBe(false);
  });
  it('matches an empty pattern only to an empty value, and * to anything', () => {
    expect(matches('', '')).toBe(true);
    expect(matches('', 'x')).toBe(false);
    expect(matches('*', '')).toBe(true);
    expect(matches('**', 'anything')).toBe(true);
  });
  it('returns the longest plain run as literal, lower-cased', () => {
    expect(matcher('*Foo*BarBaz?x*').literal).toBe('barbaz');
    expect(matcher('*').literal).toBeUndefined();
    expect(matcher('??').literal).toBeUndefined();
  });
  it('stays fast on hostile patterns', () => {
    const hostile = matcher('*a*a*a*a*a*a*a*a*a*a*b*');
    const value = 'a'.repeat(100_000);
    const started = performance.now();
    expect(hostile.test(value)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
