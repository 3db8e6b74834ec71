import { describe, expect, it } from 'vitest';
import { IocSet } from './ioc-set.js';

function setOf(...values: string[]): IocSet {
  const set = new IocSet('feed');
  for (const value of values) {
    const result = set.add(value);
    if (result.status !== 'added') throw new Error(`${value}: ${JSON.stringify(result)}`);
  }
  return set;
}

describe('IocSet: exact IPs', () => {
  const set = setOf('198.51.100.7', '2001:db8::1', '255.255.255.255', '0.0.0.0');

  it('matches IPv4 exactly and reports the indicator and the set', () => {
    expect(set.match('ip', '198.51.100.7')).toEqual({
      set: 'feed',
      kind: 'ip',
      indicator: '198.51.100.7',
      value: '198.51.100.7',
    });
    expect(set.match('ip', '198.51.100.8')).toBeUndefined();
    expect(set.match('ip', '198.51.100.70')).toBeUndefined();
    expect(set.match('ip', '255.255.255.255')?.indicator).toBe('255.255.255.255');
    expect(set.match('ip', '0.0.0.0')?.indicator).toBe('0.0.0.0');
  });

  it('matches IPv6 however it is written', () => {
    for (const form of [
      '2001:db8::1',
      '2001:0db8:0:0:0:0:0:1',
      '2001:DB8::0001',
      '[2001:db8::1]',
      'fe80::1%eth0'.replace('fe80', '2001:db8'),
    ]) {
      expect(set.match('ip', form)?.indicator).toBe('2001:db8::1');
    }
    expect(set.match('ip', '2001:db8::2')).toBeUndefined();
    expect(set.match('ip', '2001:db8:1::1')).toBeUndefined();
  });

  it('matches an IPv4 indicator from an IPv4-mapped IPv6 value, and the reverse', () => {
    expect(set.match('ip', '::ffff:198.51.100.7')?.indicator).toBe('198.51.100.7');
    expect(set.match('ip', '::ffff:c633:6407')?.indicator).toBe('198.51.100.7');
    const mapped = setOf('::ffff:203.0.113.9');
    expect(mapped.match('ip', '203.0.113.9')?.indicator).toBe('203.0.113.9');
  });

  it('does not match values that are not IPs', () => {
    expect(set.match('ip', '198.51.100.7.evil.com')).toBeUndefined();
    expect(set.match('ip', '')).toBeUndefined();
    expect(set.match('ip', '198.051.100.7')).toBeUndefined();
  });
});

describe('IocSet: CIDR ranges', () => {
  it('matches the first and last address of a range, not one past either end', () => {
    const set = setOf('192.0.2.0/24', '2001:db8:10::/48');
    expect(set.match('ip', '192.0.2.0')?.indicator).toBe('192.0.2.0/24');
    expect(set.match('ip', '192.0.2.255')?.indicator).toBe('192.0.2.0/24');
    expect(set.match('ip', '192.0.1.255')).toBeUndefined();
    expect(set.match('ip', '192.0.3.0')).toBeUndefined();
    expect(set.match('ip', '2001:db8:10::')?.indicator).toBe('2001:db8:10::/48');
    expect(set.match('ip', '2001:db8:10:ffff:ffff:ffff:ffff:ffff')?.kind).toBe('cidr');
    expect(set.match('ip', '2001:db8:f:ffff:ffff:ffff:ffff:ffff')).toBeUndefined();
    expect(set.match('ip', '2001:db8:11::')).toBeUndefined();
  });

  it('handles /0, /32 and /128', () => {
    const all4 = setOf('0.0.0.0/0');
    expect(all4.match('ip', '0.0.0.0')?.indicator).toBe('0.0.0.0/0');
    expect(all4.match('ip', '255.255.255.255')?.indicator).toBe('0.0.0.0/0');
    expect(all4.match('ip', '::1')).toBeUndefined();
    const all6 = setOf('::/0');
    expect(all6.match('ip', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')?.indicator).toBe('::/0');
    expect(all6.match('ip', '10.0.0.1')).toBeUndefined();
    const hosts = setOf('10.9.8.7/32', '2001:db8::7/128');
    expect(hosts.match('ip', '10.9.8.7')?.indicator).toBe('10.9.8.7/32');
    expect(hosts.match('ip', '10.9.8.6')).toBeUndefined();
    expect(hosts.match('ip', '10.9.8.8')).toBeUndefined();
    expect(hosts.match('ip', '2001:db8::7')?.indicator).toBe('2001:db8::7/128');
    expect(hosts.match('ip', '2001:db8::6')).toBeUndefined();
    expect(hosts.match('ip', '2001:db8::8')).toBeUndefined();
  });

  it('reports the most specific range, and an exact IP before any range', () => {
    const set = setOf('10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3');
    expect(set.match('ip', '10.1.2.3')?.indicator).toBe('10.1.2.3');
    expect(set.match('ip', '10.1.2.4')?.indicator).toBe('10.1.2.0/24');
    expect(set.match('ip', '10.1.3.4')?.indicator).toBe('10.1.0.0/16');
    expect(set.match('ip', '10.2.3.4')?.indicator).toBe('10.0.0.0/8');
    expect(set.match('cidr', '10.1.2.3')?.indicator).toBe('10.1.2.0/24');
  });

  it('matches mapped IPv6 values against IPv4 ranges', () => {
    const set = setOf('203.0.113.0/25');
    expect(set.match('ip', '::ffff:203.0.113.127')?.indicator).toBe('203.0.113.0/25');
    expect(set.match('ip', '::ffff:203.0.113.128')).toBeUndefined();
  });
});

describe('IocSet: domains', () => {
  const set = setOf('evil.com', 'Bad.Example.ORG.', 'xn--bcher-kva.example', '*.wild.net');

  it('matches the domain and its subdomains, not look-alikes', () => {
    expect(set.match('domain', 'evil.com')?.indicator).toBe('evil.com');
    expect(set.match('domain', 'a.b.evil.com')?.indicator).toBe('evil.com');
    expect(set.match('domain', 'notevil.com')).toBeUndefined();
    expect(set.match('domain', 'evil.com.au')).toBeUndefined();
    expect(set.match('domain', 'evil.co')).toBeUndefined();
    expect(set.match('domain', 'com')).toBeUndefined();
    expect(set.match('domain', 'example.org')).toBeUndefined();
  });

  it('ignores case and a trailing dot on both sides', () => {
    expect(set.match('domain', 'WWW.EVIL.COM.')?.indicator).toBe('evil.com');
    expect(set.match('domain', 'x.bad.example.org')?.indicator).toBe('bad.example.org');
  });

  it('matches IDN and punycode spellings of the same name', () => {
    expect(set.match('domain', 'Bücher.example')?.indicator).toBe('xn--bcher-kva.example');
    expect(set.match('domain', 'www.bücher.example')?.indicator).toBe('xn--bcher-kva.example');
    expect(set.match('domain', 'bucher.example')).toBeUndefined();
  });

  it('reads a leading *. as the domain itself', () => {
    expect(set.match('domain', 'wild.net')?.indicator).toBe('wild.net');
  });

  it('reports the most specific listed parent', () => {
    const nested = setOf('evil.com', 'cdn.evil.com');
    expect(nested.match('domain', 'x.cdn.evil.com')?.indicator).toBe('cdn.evil.com');
    expect(nested.match('domain', 'x.evil.com')?.indicator).toBe('evil.com');
  });

  it('looks URLs up by their host, as a domain or an IP', () => {
    const mixed = setOf('evil.com', '192.0.2.0/24', '2001:db8::1');
    expect(mixed.match('url', 'https://login.evil.com:8443/x?y')?.indicator).toBe('evil.com');
    expect(mixed.match('url', 'http://192.0.2.9/payload')?.indicator).toBe('192.0.2.0/24');
    expect(mixed.match('url', 'http://[2001:db8::1]/')?.indicator).toBe('2001:db8::1');
    expect(mixed.match('url', 'https://good.com/?r=evil.com')).toBeUndefined();
    expect(mixed.match('domain', '192.0.2.1')?.indicator).toBe('192.0.2.0/24');
  });
});

describe('IocSet: hashes', () => {
  const sha256 = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const set = setOf(sha256, md5);

  it('matches in any case and reports the algorithm and the lower-case digest', () => {
    expect(set.match('hash', sha256.toLowerCase())).toEqual({
      set: 'feed',
      kind: 'hash',
      indicator: sha256.toLowerCase(),
      algorithm: 'sha256',
      value: sha256.toLowerCase(),
    });
    expect(set.match('hash', md5.toUpperCase())?.algorithm).toBe('md5');
  });

  it('does not match a prefix, a different digest or another length', () => {
    expect(set.match('hash', sha256.slice(0, 40))).toBeUndefined();
    expect(set.match('hash', `${sha256.slice(0, 63)}4`)).toBeUndefined();
    expect(set.match('hash', md5.slice(0, 31))).toBeUndefined();
  });
});

describe('IocSet: adding', () => {
  it('keeps metadata and returns it with a match', () => {
    const set = new IocSet('intel');
    set.add('evil.com', 'domain', { id: 'ioc-1', description: 'C2', severity: 'high', confidence: 80 });
    expect(set.match('domain', 'x.evil.com')).toMatchObject({
      set: 'intel',
      id: 'ioc-1',
      description: 'C2',
      severity: 'high',
      confidence: 80,
    });
  });

  it('counts duplicates, keeping the first indicator', () => {
    const set = new IocSet('s');
    expect(set.add('1.2.3.4', 'auto', { id: 'first' })).toEqual({ status: 'added', kind: 'ip' });
    expect(set.add('::ffff:1.2.3.4', 'auto', { id: 'second' })).toEqual({ status: 'duplicate', kind: 'ip' });
    expect(set.add('EVIL.com')).toEqual({ status: 'added', kind: 'domain' });
    expect(set.add('evil.com.')).toEqual({ status: 'duplicate', kind: 'domain' });
    expect(set.add('10.1.2.3/8')).toEqual({ status: 'added', kind: 'cidr' });
    expect(set.add('10.0.0.0/8')).toEqual({ status: 'duplicate', kind: 'cidr' });
    expect(set.match('ip', '1.2.3.4')?.id).toBe('first');
    expect(set.size).toBe(3);
    expect(set.sizeByKind()).toEqual({ ip: 1, cidr: 1, domain: 1, hash: 0 });
  });

  it('refuses malformed values and values that contradict the given type', () => {
    expect(set('not an indicator')).toBe('invalid');
    expect(set('1.2.3.4', 'domain')).toBe('invalid');
    expect(set('evil.com', 'ip')).toBe('invalid');
    expect(set('d41d8cd98f00b204e9800998ecf8427e', 'sha256')).toBe('invalid');
    expect(set('1.2.3.999')).toBe('invalid');
    expect(set('10.0.0.0/33')).toBe('invalid');
    function set(value: string, hint?: Parameters<IocSet['add']>[1]): string {
      return new IocSet('s').add(value, hint).status;
    }
  });

  it('refangs defanged indicators', () => {
    const set = setOf('evil[.]com', 'hxxp://bad[.]org/x', '192.0.2[.]1');
    expect(set.match('domain', 'evil.com')).toBeDefined();
    expect(set.match('domain', 'bad.org')).toBeDefined();
    expect(set.match('ip', '192.0.2.1')).toBeDefined();
  });
});
