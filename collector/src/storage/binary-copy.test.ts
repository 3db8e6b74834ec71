import { describe, expect, it } from 'vitest';
import { BinaryRows, parseIPv6 } from './binary-copy.js';

describe('BinaryRows', () => {
  it('writes a row as a field count and length-prefixed values in network byte order', () => {
    const rows = new BinaryRows(8);
    rows.row(5).int4(-2).text('é\0').null().int8(-1).timestamp(946_684_800_000_001);
    expect(rows.count).toBe(1);
    expect(rows.bytes().toString('hex')).toBe(
      [
        '0005',
        '00000004fffffffe',
        '00000005' + Buffer.from('é\uFFFD').toString('hex'),
        'ffffffff',
        '00000008ffffffffffffffff',
        '000000080000000000000001',
      ].join(''),
    );
  });

  it('writes NULL for empty text, unknown numbers, non-finite floats and non-addresses', () => {
    const rows = new BinaryRows();
    rows
      .row(6)
      .text('')
      .int4(undefined)
      .int4NonZero(0)
      .float8(Number.NaN)
      .int8(2 ** 60)
      .inet('fe80::1%eth0');
    expect(rows.bytes().toString('hex')).toBe('0006' + 'ffffffff'.repeat(6));
  });

  it('writes inet in PostgreSQL’s binary form for IPv4 and IPv6', () => {
    const rows = new BinaryRows();
    rows.row(2).inet('10.0.0.255').inet('2001:db8::1');
    expect(rows.bytes().toString('hex')).toBe(
      '0002' +
        '00000008' +
        '02200004' +
        '0a0000ff' +
        '00000014' +
        '03800010' +
        '20010db8000000000000000000000001',
    );
  });

  it('writes json with NUL escapes rewritten, and a literal backslash-u0000 kept', () => {
    const rows = new BinaryRows();
    rows.json({ 'k\0': 'a\0b', literal: '\\u0000', both: '\\\0' });
    const text = rows.bytes().subarray(4).toString('utf8');
    expect(text).toBe('{"k\\uFFFD":"a\\uFFFDb","literal":"\\\\u0000","both":"\\\\\\uFFFD"}');
    expect(JSON.parse(text)).toEqual({ 'k\uFFFD': 'a\uFFFDb', literal: '\\u0000', both: '\\\uFFFD' });
  });

  it('refuses a tenant id that is not a uuid', () => {
    expect(() => new BinaryRows().uuid('tenant-a')).toThrow(/not a uuid/);
  });
});

describe('parseIPv6', () => {
  const hex = (ip: string) => parseIPv6(ip)?.toString('hex');
  it('expands ::, keeps embedded IPv4 tails and refuses what is not an address', () => {
    expect(hex('::')).toBe('0'.repeat(32));
    expect(hex('::1')).toBe('0'.repeat(31) + '1');
    expect(hex('fe80::')).toBe('fe80' + '0'.repeat(28));
    expect(hex('::ffff:192.0.2.128')).toBe('00000000000000000000ffffc0000280');
    expect(hex('2001:DB8:0:0:8:800:200C:417A')).toBe('20010db80000000000080800200c417a');
    for (const bad of [
      '1::2::3',
      '12345::',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      'fe80::1%eth0',
      'x::1',
      '::1.2.3',
    ]) {
      expect(parseIPv6(bad), bad).toBeUndefined();
    }
  });
});
