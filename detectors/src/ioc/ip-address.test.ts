import { describe, expect, it } from 'vitest';
import {
  formatIPv4,
  formatIPv6,
  IpProbe,
  ipv6Key,
  parseCidr,
  parseIp,
  parseIPv4,
  type ParsedCidr,
} from './ip-address.js';

function v6(text: string): string {
  const ip = parseIp(text);
  if (ip?.version !== 6) throw new Error(`not IPv6: ${text}`);
  return formatIPv6(ip.v6);
}

function cidr(text: string): string {
  const parsed: ParsedCidr | string = parseCidr(text);
  if (typeof parsed === 'string') return `error: ${parsed}`;
  return parsed.version === 4
    ? `${formatIPv4(parsed.network)}/${parsed.prefix}`
    : `${formatIPv6(parsed.network)}/${parsed.prefix}`;
}

describe('parseIPv4', () => {
  it('reads dotted quads as unsigned numbers', () => {
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('10.1.2.3')).toBe(0x0a010203);
    expect(parseIPv4('x1.2.3.4x', 1, 8)).toBe(0x01020304);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.-4',
    '01.2.3.4',
    '1.2.3.04',
    '1..2.3',
    '1.2.3.4 ',
    '1.2.3.4/8',
    '1234.1.1.1',
  ])('refuses %j', (text) => {
    expect(parseIPv4(text)).toBe(-1);
  });
});

describe('IPv6 parsing', () => {
  it('gives one form for the many spellings of an address', () => {
    const forms = [
      '2001:db8::1',
      '2001:0db8:0:0:0:0:0:1',
      '2001:DB8:0000:0000:0000:0000:0000:0001',
      '2001:db8:0::0:1',
      '[2001:db8::1]',
      '2001:db8::1%eth0',
    ];
    const keys = new Set(
      forms.map((form) => {
        const ip = parseIp(form);
        return ip?.version === 6 ? ipv6Key(ip.v6) : 'none';
      }),
    );
    expect([...keys]).toHaveLength(1);
    expect(v6('2001:0db8:0:0:0:0:0:1')).toBe('2001:db8::1');
  });

  it('handles :: at the start, end and alone, and an IPv4 tail', () => {
    expect(v6('::')).toBe('::');
    expect(v6('::1')).toBe('::1');
    expect(v6('fe80::')).toBe('fe80::');
    expect(v6('1:2:3:4:5:6:7::')).toBe('1:2:3:4:5:6:7:0');
    expect(v6('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
  });

  it('writes RFC 5952 text: the longest zero run, the first of equal runs, no single-group ::', () => {
    expect(v6('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(v6('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(v6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
  });

  it('reads IPv4-mapped IPv6 as the IPv4 address, in dotted or hex form', () => {
    for (const text of ['::ffff:192.0.2.1', '::FFFF:c000:201', '0:0:0:0:0:ffff:192.0.2.1']) {
      expect(parseIp(text)).toEqual({ version: 4, v4: 0xc0000201 });
    }
    // IPv4-compatible (deprecated) and NAT64 forms are not mapped.
    expect(parseIp('::192.0.2.1')?.version).toBe(6);
    expect(parseIp('::fffe:192.0.2.1')?.version).toBe(6);
  });

  it.each([
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    '1:2:3:4:5:6:7',
    ':1::',
    '1:',
    'g::1',
    '::ffff:1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
    '[::1',
    '::1]',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('IpProbe reuses its buffers and says which version it found', () => {
    const probe = new IpProbe();
    expect(probe.parse('10.0.0.1')).toBe(4);
    expect(probe.v4).toBe(0x0a000001);
    expect(probe.parse('::2')).toBe(6);
    expect(probe.v6[7]).toBe(2);
    expect(probe.parse('evil.com')).toBe(0);
    expect(probe.parse('')).toBe(0);
  });
});

describe('parseCidr', () => {
  it('clears host bits and keeps the prefix', () => {
    expect(cidr('10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(cidr('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(cidr('1.2.3.4/32')).toBe('1.2.3.4/32');
    expect(cidr('2001:db8:ffff::1/32')).toBe('2001:db8::/32');
    expect(cidr('2001:db8::1/128')).toBe('2001:db8::1/128');
    expect(cidr('::/0')).toBe('::/0');
    expect(cidr('2001:db8:abcd::/47')).toBe('2001:db8:abcc::/47');
  });

  it('turns IPv4-mapped ranges of /96 or longer into IPv4 ranges', () => {
    expect(cidr('::ffff:10.0.0.0/104')).toBe('10.0.0.0/8');
    expect(cidr('::ffff:0:0/96')).toBe('0.0.0.0/0');
    expect(cidr('::ffff:0:0/80')).toBe('::/80');
  });

  it.each([
    ['1.2.3.4/33', 'too long'],
    ['::1/129', 'too long'],
    ['1.2.3.4/', 'bad prefix'],
    ['1.2.3.4/08', 'bad prefix'],
    ['1.2.3.4/-1', 'bad prefix'],
    ['1.2.3/8', 'bad network'],
    ['1.2.3.4', 'missing'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(cidr(text)).toContain(reason);
  });
});
