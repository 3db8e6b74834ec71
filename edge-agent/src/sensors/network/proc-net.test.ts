import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcFixture } from '../procfs/index.js';
import { ipBytes, ipv6Text } from './ip-text.js';
import { decodeHexAddress, isListening, parseProcNet, readSockets } from './proc-net.js';

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const line = (sl: number, local: string, remote: string, st: string, uid: number, inode: number): string =>
  `  ${sl}: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000 ${uid} 0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

describe('decodeHexAddress', () => {
  it('reads IPv4 words in host byte order (little- and big-endian hosts)', () => {
    expect(decodeHexAddress('0100007F', true)).toBe('127.0.0.1');
    expect(decodeHexAddress('7F000001', false)).toBe('127.0.0.1');
    expect(decodeHexAddress('0101A8C0', true)).toBe('192.168.1.1');
    expect(decodeHexAddress('00000000', true)).toBe('0.0.0.0');
  });

  it('reads IPv6 as four host-order words, with canonical text and IPv4-mapped forms', () => {
    expect(decodeHexAddress('00000000000000000000000001000000', true)).toBe('::1');
    expect(decodeHexAddress('00000000000000000000000000000000', true)).toBe('::');
    expect(decodeHexAddress('B80D0120000000000000000001000000', true)).toBe('2001:db8::1');
    expect(decodeHexAddress('20010DB8000000000000000000000001', false)).toBe('2001:db8::1');
    expect(decodeHexAddress('0000000000000000FFFF00000100007F', true)).toBe('::ffff:127.0.0.1');
    expect(decodeHexAddress('000080FE000000000000000001000000', true)).toBe('fe80::1');
    expect(() => decodeHexAddress('123', true)).toThrow();
  });

  it('writes IPv6 text per RFC 5952', () => {
    expect(ipv6Text(ipBytes('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(ipv6Text(ipBytes('2001:0db8:0000:0000:0000:0000:0002:0001'))).toBe('2001:db8::2:1');
    expect(ipv6Text(ipBytes('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(ipv6Text(ipBytes('fe80::1:0:0:0'))).toBe('fe80::1:0:0:0'); // tie: the first run is shortened;
    expect(ipv6Text(ipBytes('::ffff:10.0.0.1'))).toBe('::ffff:10.0.0.1');
  });
});

describe('parseProcNet', () => {
  it('parses TCP and UDP lines with states, uid and inode, and skips garbled lines', () => {
    const text =
      HEADER +
      line(0, '00000000:0016', '00000000:0000', '0A', 0, 1111) +
      line(1, '0100007F:9D6C', '0100007F:853F', '01', 1000, 2222) +
      line(2, '0100007F:9D6D', '0100007F:853F', '06', 1000, 0) +
      'garbage line\n' +
      line(3, 'ZZZZZZZZ:0001', '00000000:0000', '0A', 0, 3);
    const bad: string[] = [];
    const entries = parseProcNet(text, 'tcp', 4, (l) => bad.push(l), true);
    expect(entries).toEqual([
      {
        protocol: 'tcp',
        family: 4,
        localIp: '0.0.0.0',
        localPort: 22,
        remoteIp: '0.0.0.0',
        remotePort: 0,
        state: 'LISTEN',
        uid: 0,
        inode: 1111,
      },
      {
        protocol: 'tcp',
        family: 4,
        localIp: '127.0.0.1',
        localPort: 40300,
        remoteIp: '127.0.0.1',
        remotePort: 34111,
        state: 'ESTABLISHED',
        uid: 1000,
        inode: 2222,
      },
      {
        protocol: 'tcp',
        family: 4,
        localIp: '127.0.0.1',
        localPort: 40301,
        remoteIp: '127.0.0.1',
        remotePort: 34111,
        state: 'TIME_WAIT',
        uid: 1000,
        inode: 0,
      },
    ]);
    expect(bad).toHaveLength(2);
    expect(entries.map(isListening)).toEqual([true, false, false]);
  });

  it('names UDP states and treats bound unconnected UDP sockets as listening', () => {
    const text =
      HEADER +
      line(0, '00000000:0035', '00000000:0000', '07', 0, 10) +
      line(1, '0100007F:C350', '08080808:0035', '01', 0, 11);
    const entries = parseProcNet(text, 'udp', 4, undefined, true);
    expect(entries.map((e) => [e.state, isListening(e)])).toEqual([
      ['UNCONN', true],
      ['ESTABLISHED', false],
    ]);
  });
});

describe('readSockets', () => {
  let fixture: ProcFixture;
  beforeEach(async () => {
    fixture = await ProcFixture.create();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  it('merges tcp, tcp6, udp and udp6, tolerating a missing table', async () => {
    await fixture.setNet('tcp', HEADER + line(0, '0100007F:1F90', '00000000:0000', '0A', 0, 1));
    await fixture.setNet(
      'tcp6',
      HEADER +
        line(0, '0000000000000000FFFF00000100007F:1F90', '0000000000000000FFFF00000100007F:C000', '01', 0, 2),
    );
    await fixture.setNet(
      'udp6',
      HEADER +
        line(0, '00000000000000000000000000000000:0222', '00000000000000000000000000000000:0000', '07', 0, 3),
    );
    const entries = readSockets(fixture.root);
    expect(
      entries.map(
        (e) =>
          `${e.protocol}${e.family} ${e.localIp}:${e.localPort} ${e.remoteIp}:${e.remotePort} ${e.state}`,
      ),
    ).toEqual([
      'tcp4 127.0.0.1:8080 0.0.0.0:0 LISTEN',
      'tcp6 ::ffff:127.0.0.1:8080 ::ffff:127.0.0.1:49152 ESTABLISHED',
      'udp6 :::546 :::0 UNCONN',
    ]);
  });

  it('reads the real tables of this machine', () => {
    const entries = readSockets();
    for (const e of entries) {
      expect(e.localPort).toBeGreaterThanOrEqual(0);
      expect(e.state).not.toMatch(/^UNKNOWN/);
    }
  });
});
