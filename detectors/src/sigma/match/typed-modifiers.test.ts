import { describe, expect, it } from 'vitest';
import { SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import { expectMatch, item } from './item-test-helpers.js';

describe('re', () => {
  it('searches case-sensitively by default', () => {
    const matcher = item('CommandLine|re', '\\s-O\\s');
    expectMatch(matcher, { CommandLine: 'wget -O /tmp/x' }, true);
    expectMatch(matcher, { CommandLine: 'wget -o /tmp/x' }, false);
    expect(matcher.literals).toBeUndefined();
  });
  it('i, m and s sub-modifiers set the flags', () => {
    expectMatch(item('a|re|i', '^abc$'), { a: 'ABC' }, true);
    expectMatch(item('a|re', '^abc$'), { a: 'ABC' }, false);
    expectMatch(item('a|re|m', '^two$'), { a: 'one\ntwo\nthree' }, true);
    expectMatch(item('a|re', '^two$'), { a: 'one\ntwo\nthree' }, false);
    expectMatch(item('a|re|s', 'one.two'), { a: 'one\ntwo' }, true);
    expectMatch(item('a|re', 'one.two'), { a: 'one\ntwo' }, false);
  });
  it('accepts inline flags and lookbehind', () => {
    expectMatch(item('cs-uri|re', '(?i)ipfs\\.io/.+@'), { 'cs-uri': 'https://IPFS.io/x@y' }, true);
    expectMatch(item('a|re', '(?<!x)y'), { a: 'ay' }, true);
    expectMatch(item('a|re', '(?<!x)y'), { a: 'xy' }, false);
  });
  it('matches numbers by their text', () => {
    expectMatch(item('port|re', '^44[0-9]$'), { port: 443 }, true);
    expectMatch(item('port|re', '^44[0-9]$'), { port: 4430 }, false);
  });
  it('startswith and endswith anchor the expression', () => {
    expectMatch(item('a|re|startswith', 'ab|cd'), { a: 'cdxx' }, true);
    expectMatch(item('a|re|startswith', 'ab|cd'), { a: 'xxcd' }, false);
    expectMatch(item('a|re|endswith', 'ab|cd'), { a: 'xxab' }, true);
    expectMatch(item('a|re|endswith', 'ab|cd'), { a: 'abxx' }, false);
  });
  it('finishes on a catastrophic pattern', () => {
    const matcher = item('a|re', '(a+)+$');
    const started = performance.now();
    expect(matcher.test({ a: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' })).toBe(false);
    expect(matcher.test({ a: `${'a'.repeat(50_000)}!` })).toBe(false);
    expect(performance.now() - started).toBeLessThan(5000);
  });
  it('reports backreferences and lookahead as unsupported, naming the pattern', () => {
    for (const pattern of ['(a)\\1', 'foo(?=bar)', 'foo(?!bar)']) {
      const error = catchError(() => item('a|re', pattern));
      expect(error).toBeInstanceOf(SigmaUnsupportedError);
      expect((error as SigmaUnsupportedError).reason).toBe('regex-unsupported');
      expect((error as Error).message).toContain(pattern);
    }
  });
  it('reports an invalid pattern as a rule error naming the key', () => {
    const error = catchError(() => item('CommandLine|re', '[unclosed'));
    expect(error).toBeInstanceOf(SigmaRuleError);
    expect((error as Error).message).toContain('CommandLine|re');
    expect((error as Error).message).toContain('test.yml');
  });
});

describe('cidr', () => {
  it('matches IPv4 ranges and not addresses just outside', () => {
    const matcher = item('DestinationIp|cidr', ['10.0.0.0/8', '192.168.0.0/16', '172.16.0.0/12']);
    expectMatch(matcher, { DestinationIp: '10.255.255.255' }, true);
    expectMatch(matcher, { DestinationIp: '172.31.0.1' }, true);
    expectMatch(matcher, { DestinationIp: '172.32.0.1' }, false);
    expectMatch(matcher, { DestinationIp: '11.0.0.0' }, false);
    expectMatch(matcher, { DestinationIp: '192.169.0.1' }, false);
    expectMatch(matcher, { DestinationIp: '10.0.0.256' }, false);
    expectMatch(matcher, { DestinationIp: '10.0.0' }, false);
    expectMatch(matcher, { DestinationIp: 'not an ip' }, false);
    expect(matcher.literals).toBeUndefined();
  });
  it('matches IPv6 ranges at the prefix edge', () => {
    const matcher = item('ip|cidr', '2001:db8::/33');
    expectMatch(matcher, { ip: '2001:db8::1' }, true);
    expectMatch(matcher, { ip: '2001:db8:7fff:ffff:ffff:ffff:ffff:ffff' }, true);
    expectMatch(matcher, { ip: '2001:db8:8000::' }, false);
    expectMatch(matcher, { ip: '2001:db9::' }, false);
    expectMatch(matcher, { ip: '[2001:DB8::abcd]' }, true);
    expectMatch(item('ip|cidr', 'fe80::/10'), { ip: 'fe80::1%eth0' }, true);
    expectMatch(item('ip|cidr', 'fe80::/10'), { ip: 'fec0::1' }, false);
    expectMatch(item('ip|cidr', '::1/128'), { ip: '0:0:0:0:0:0:0:1' }, true);
    expectMatch(item('ip|cidr', '::1/128'), { ip: '::2' }, false);
  });
  it('matches IPv4-mapped IPv6 addresses against IPv4 ranges and back', () => {
    expectMatch(item('ip|cidr', '10.0.0.0/8'), { ip: '::ffff:10.1.2.3' }, true);
    expectMatch(item('ip|cidr', '10.0.0.0/8'), { ip: '::ffff:11.1.2.3' }, false);
    expectMatch(item('ip|cidr', '::ffff:0:0/96'), { ip: '127.0.0.1' }, true);
  });
  it('treats a bare address as a single host and masks host bits', () => {
    expectMatch(item('ip|cidr', '1.2.3.4'), { ip: '1.2.3.4' }, true);
    expectMatch(item('ip|cidr', '1.2.3.4'), { ip: '1.2.3.5' }, false);
    expectMatch(item('ip|cidr', '1.2.3.4/24'), { ip: '1.2.3.200' }, true);
    expectMatch(item('ip|cidr', '0.0.0.0/0'), { ip: '8.8.8.8' }, true);
  });
  it('refuses invalid ranges', () => {
    expect(() => item('ip|cidr', '10.0.0.0/33')).toThrow(SigmaRuleError);
    expect(() => item('ip|cidr', '2001:db8::/129')).toThrow(SigmaRuleError);
    expect(() => item('ip|cidr', '10.0.0/8')).toThrow(/not a valid CIDR/);
    expect(() => item('ip|cidr', '1:2:3:4:5:6:7:8:9/64')).toThrow(SigmaRuleError);
  });
});

describe('lt, lte, gt, gte', () => {
  it('compare numbers and numeric strings at the boundary', () => {
    expectMatch(item('n|lt', 10), { n: 9 }, true);
    expectMatch(item('n|lt', 10), { n: 10 }, false);
    expectMatch(item('n|lte', 10), { n: '10' }, true);
    expectMatch(item('n|lte', 10), { n: 10.5 }, false);
    expectMatch(item('n|gt', 10), { n: 11 }, true);
    expectMatch(item('n|gt', 10), { n: 10 }, false);
    expectMatch(item('n|gte', '10'), { n: 10 }, true);
    expectMatch(item('n|gte', 10), { n: 9.99 }, false);
  });
  it('do not match absent or non-numeric values', () => {
    expectMatch(item('n|gt', 0), {}, false);
    expectMatch(item('n|gt', 0), { n: 'abc' }, false);
    expectMatch(item('n|gt', 0), { n: '' }, false);
    expectMatch(item('n|gt', 0), { n: true }, false);
  });
  it('refuse a non-numeric value', () => {
    expect(() => item('n|gt', 'ten')).toThrow(/needs a number/);
  });
});

describe('time modifiers', () => {
  const event = { t: '2024-03-05T22:47:10.123Z' };
  it('extract the parts as written', () => {
    expectMatch(item('t|minute', 47), event, true);
    expectMatch(item('t|minute', 48), event, false);
    expectMatch(item('t|hour', 22), event, true);
    expectMatch(item('t|hour', 23), event, false);
    expectMatch(item('t|day', 5), event, true);
    expectMatch(item('t|month', 3), event, true);
    expectMatch(item('t|month', 2), event, false);
    expectMatch(item('t|year', 2024), event, true);
    expectMatch(item('t|week', 10), event, true);
    expectMatch(item('t|week', 9), event, false);
  });
  it('chain with a comparison (off hours)', () => {
    expectMatch(item('t|hour|gte', 20), event, true);
    expectMatch(item('t|hour|lt', 6), event, false);
  });
  it('read epoch seconds and milliseconds in UTC', () => {
    expectMatch(item('t|hour', 0), { t: 0 }, true);
    expectMatch(item('t|year', 2023), { t: 1_700_000_000_000 }, true);
    expectMatch(item('t|year', 2023), { t: 1_700_000_000 }, true);
    expectMatch(item('t|year', 2023), { t: 'not a date' }, false);
  });
});

describe('exists', () => {
  it('true matches a present field, even null or empty', () => {
    const matcher = item('PasswordLastSet|exists', true);
    expectMatch(matcher, { PasswordLastSet: '' }, true);
    expectMatch(matcher, { PasswordLastSet: null }, true);
    expectMatch(matcher, { Other: 'x' }, false);
  });
  it('false matches an absent field only', () => {
    const matcher = item('PasswordLastSet|exists', false);
    expectMatch(matcher, {}, true);
    expectMatch(matcher, { PasswordLastSet: null }, false);
  });
  it('needs a boolean', () => {
    expect(() => item('a|exists', 'yes')).toThrow(/true or false/);
  });
});

describe('fieldref', () => {
  it('compares with another field of the event', () => {
    const matcher = item('SourceUser|fieldref', 'TargetUser');
    expectMatch(matcher, { SourceUser: 'Alice', TargetUser: 'alice' }, true);
    expectMatch(matcher, { SourceUser: 'alice', TargetUser: 'bob' }, false);
    expectMatch(matcher, { SourceUser: 'alice' }, false);
    expect(matcher.fields).toEqual(['SourceUser', 'TargetUser']);
  });
  it('combines with contains, cased and neq', () => {
    expectMatch(
      item('CommandLine|fieldref|contains', 'User'),
      { CommandLine: 'run as BOB', User: 'bob' },
      true,
    );
    expectMatch(
      item('CommandLine|fieldref|contains', 'User'),
      { CommandLine: 'run as bo', User: 'bob' },
      false,
    );
    expectMatch(item('a|fieldref|cased', 'b'), { a: 'X', b: 'x' }, false);
    expectMatch(item('a|fieldref|neq', 'b'), { a: 'x', b: 'y' }, true);
    expectMatch(item('a|fieldref|neq', 'b'), { a: 'x', b: 'X' }, false);
  });
});

describe('expand', () => {
  const placeholders = new Map([
    ['Administrators', ['admin*', 'root']],
    ['Domain', ['corp']],
  ]);
  it('replaces placeholders by each of their values', () => {
    const matcher = item('User|expand', '%Administrators%', { placeholders });
    expectMatch(matcher, { User: 'Administrator' }, true);
    expectMatch(matcher, { User: 'ROOT' }, true);
    expectMatch(matcher, { User: 'rooter' }, false);
  });
  it('keeps escaped percent signs and combines placeholders', () => {
    const matcher = item('User|expand', '\\%plain%Domain%\\%Administrators%', { placeholders });
    expectMatch(matcher, { User: '%plaincorp%Administrators%' }, true);
    expectMatch(matcher, { User: '%plaincorpadmin' }, false);
  });
  it('handles %name% as a literal without expand', () => {
    expectMatch(item('User', '%Administrators%', { placeholders }), { User: '%administrators%' }, true);
  });
  it('rejects an unknown placeholder as unsupported', () => {
    const error = catchError(() => item('User|expand', '%Servers%', { placeholders }));
    expect(error).toBeInstanceOf(SigmaUnsupportedError);
    expect((error as SigmaUnsupportedError).reason).toBe('placeholder');
    expect(catchError(() => item('User|expand', '%Servers%'))).toBeInstanceOf(SigmaUnsupportedError);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
