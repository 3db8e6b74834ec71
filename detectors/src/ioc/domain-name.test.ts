import { describe, expect, it } from 'vitest';
import { domainProblem, extractUrlHost, normaliseDomain, refang } from './domain-name.js';

describe('normaliseDomain', () => {
  it('lower-cases and drops one trailing dot', () => {
    expect(normaliseDomain('Evil.COM.')).toBe('evil.com');
    expect(normaliseDomain('evil.com')).toBe('evil.com');
    expect(normaliseDomain('.')).toBeUndefined();
    expect(normaliseDomain('')).toBeUndefined();
  });

  it('converts internationalised names to punycode, so both spellings meet', () => {
    expect(normaliseDomain('Bücher.example')).toBe('xn--bcher-kva.example');
    expect(normaliseDomain('XN--BCHER-KVA.example')).toBe('xn--bcher-kva.example');
    expect(normaliseDomain('пример.рф.')).toBe('xn--e1afmkfd.xn--p1ai');
    // A look-alike with a Cyrillic 'а' is a different name.
    expect(normaliseDomain('pаypal.com')).not.toBe('paypal.com');
  });
});

describe('domainProblem', () => {
  it('accepts hostnames with digits, hyphens and underscores', () => {
    expect(domainProblem('_dmarc.mail-1.example.com')).toBeUndefined();
    expect(domainProblem('xn--bcher-kva.example')).toBeUndefined();
  });

  it.each([
    ['a..b', 'empty label'],
    [`${'a'.repeat(64)}.com`, '63'],
    [`${'a.'.repeat(127)}com`, '253'],
    ['evil com', "character ' '"],
    ['1.2.3.999', 'all-numeric'],
  ])('refuses %j', (domain, reason) => {
    expect(domainProblem(domain)).toContain(reason);
  });
});

describe('extractUrlHost', () => {
  it.each([
    ['https://Evil.com/path?q=1', 'Evil.com'],
    ['http://user:pw@evil.com:8080/x', 'evil.com'],
    ['ftp://evil.com', 'evil.com'],
    ['evil.com/login.php', 'evil.com'],
    ['//cdn.evil.com/a.js', 'cdn.evil.com'],
    ['http://[2001:db8::1]:443/', '2001:db8::1'],
    ['http://1.2.3.4/x', '1.2.3.4'],
    ['https://evil.com#frag', 'evil.com'],
    ['https://evil.com?x=http://good.com', 'evil.com'],
  ])('%s → %s', (url, host) => {
    expect(extractUrlHost(url)).toBe(host);
  });

  it('finds no host in an empty authority', () => {
    expect(extractUrlHost('http:///path')).toBeUndefined();
    expect(extractUrlHost('http://[]/')).toBeUndefined();
  });
});

describe('refang', () => {
  it('undoes the usual defanging', () => {
    expect(refang('evil[.]com')).toBe('evil.com');
    expect(refang('1.2.3(.)4')).toBe('1.2.3.4');
    expect(refang('hxxps://evil[.]com/x')).toBe('https://evil.com/x');
    expect(refang('hxxp[:]//evil[dot]com')).toBe('http://evil.com');
    expect(refang('evil.com')).toBe('evil.com');
  });
});
