import { describe, expect, it } from 'vitest';
import { disjunctionOf, parseStixPattern, StixPatternSyntaxError } from './stix-pattern.js';

function terms(pattern: string): string[] | string {
  const result = disjunctionOf(parseStixPattern(pattern));
  if (typeof result === 'string') return result;
  return result.map(
    (t) =>
      `${t.object}:${t.property} ${t.negated ? 'NOT ' : ''}${t.operator} ${t.values.map((v) => v.value).join('|')}`,
  );
}

describe('parseStixPattern', () => {
  it('reads a single comparison', () => {
    expect(terms("[ipv4-addr:value = '198.51.100.1']")).toEqual(['ipv4-addr:value = 198.51.100.1']);
  });

  it('reads quoted hash names and escaped quotes in strings', () => {
    expect(terms("[file:hashes.'SHA-256' = 'abc' OR file:hashes.MD5 = 'it\\'s']")).toEqual([
      'file:hashes.SHA-256 = abc',
      "file:hashes.MD5 = it's",
    ]);
  });

  it('flattens OR inside and between observations, through parentheses', () => {
    expect(
      terms(
        "([domain-name:value = 'a.com'] OR [url:value = 'http://b.com/']) OR [(ipv6-addr:value ISSUBSET '2001:db8::/32' OR ipv4-addr:value IN ('1.1.1.1', '2.2.2.2'))]",
      ),
    ).toEqual([
      'domain-name:value = a.com',
      'url:value = http://b.com/',
      'ipv6-addr:value ISSUBSET 2001:db8::/32',
      'ipv4-addr:value IN 1.1.1.1|2.2.2.2',
    ]);
  });

  it('reads list indexes, NOT, and non-string literals', () => {
    expect(terms("[network-traffic:extensions.'http-request-ext'.request_header.values[*] NOT = 5]")).toEqual(
      ['network-traffic:extensions.http-request-ext.request_header.values[*] NOT = 5'],
    );
  });

  it('names AND, FOLLOWEDBY, qualifiers and EXISTS as unsupported', () => {
    expect(terms("[file:name = 'a' AND file:size = 3]")).toContain('AND');
    expect(terms("[ipv4-addr:value = '1.1.1.1'] AND [domain-name:value = 'x.com']")).toContain('AND');
    expect(terms("[ipv4-addr:value = '1.1.1.1'] FOLLOWEDBY [domain-name:value = 'x.com']")).toContain(
      'FOLLOWEDBY',
    );
    expect(terms("[ipv4-addr:value = '1.1.1.1'] WITHIN 300 SECONDS")).toBe(
      "qualifier 'WITHIN 300 SECONDS' is not supported",
    );
    expect(terms("[ipv4-addr:value = '1.1.1.1'] REPEATS 5 TIMES")).toContain('REPEATS');
    expect(
      terms("[ipv4-addr:value = '1.1.1.1'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'"),
    ).toContain('START');
    expect(terms('[EXISTS windows-registry-key:values]')).toContain('EXISTS');
  });

  it.each([
    "[ipv4-addr:value = '1.1.1.1'",
    "ipv4-addr:value = '1.1.1.1'",
    "[ipv4-addr:value = '1.1.1.1]",
    "[ipv4-addr:value '1.1.1.1']",
    "[ipv4-addr:value = '1.1.1.1'] [x:y = 'z']",
    "[ipv4-addr:value = 'a\\x']",
    "[ipv4-addr:value = '1.1.1.1'] WITHIN 5",
    '[]',
  ])('refuses %j with a syntax error', (pattern) => {
    expect(() => parseStixPattern(pattern)).toThrow(StixPatternSyntaxError);
  });
});
