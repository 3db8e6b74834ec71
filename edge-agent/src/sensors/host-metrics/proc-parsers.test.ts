import { describe, expect, it } from 'vitest';
import {
  cpuUtilization,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMountinfo,
  parseNetDev,
  parseProcStat,
  parseUptime,
} from './proc-parsers.js';

describe('proc parsers', () => {
  it('parses /proc/stat and computes utilisation per state', () => {
    const a = parseProcStat(
      'cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\nbtime 1700000000\n',
    );
    const b = parseProcStat(
      'cpu  160 0 70 900 70 0 0 0 0 0\ncpu0 160 0 70 900 70 0 0 0 0 0\nbtime 1700000000\n',
    );
    expect(a.bootTimeSeconds).toBe(1_700_000_000);
    expect(a.perCpu.size).toBe(1);
    const u = cpuUtilization(a.total!, b.total!);
    // deltas: user 60, system 20, idle 100, iowait 20 of 200
    expect(u?.user).toBeCloseTo(0.3);
    expect(u?.system).toBeCloseTo(0.1);
    expect(u?.idle).toBeCloseTo(0.5);
    expect(u?.iowait).toBeCloseTo(0.1);
    expect(u?.busy).toBeCloseTo(0.4);
    expect(cpuUtilization(b.total!, a.total!)).toBeUndefined();
    expect(cpuUtilization(a.total!, a.total!)).toBeUndefined();
  });

  it('skips garbled lines', () => {
    expect(parseProcStat('cpu x y z\nintr 1 2\n').total).toBeUndefined();
    expect(parseLoadavg('garbage')).toBeUndefined();
    expect(parseLoadavg('0.50 1.25 2.00 1/234 5678')).toEqual([0.5, 1.25, 2]);
    expect(parseUptime('12345.67 999.0\n')).toBeCloseTo(12345.67);
    expect(parseUptime('')).toBeUndefined();
  });

  it('parses meminfo into bytes', () => {
    const m = parseMeminfo(
      'MemTotal:       16000 kB\nMemFree: 4000 kB\nHugePages_Total:       0\nbroken line\n',
    );
    expect(m.get('MemTotal')).toBe(16000 * 1024);
    expect(m.get('HugePages_Total')).toBe(0);
    expect(m.size).toBe(3);
  });

  it('parses /proc/net/dev', () => {
    const text =
      'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes ...\n' +
      '  eth0: 1000 10 1 2 0 0 0 0 2000 20 3 4 0 0 0 0\n  bad: 1 2\n';
    const n = parseNetDev(text);
    expect([...n.keys()]).toEqual(['eth0']);
    expect(n.get('eth0')).toEqual({
      rxBytes: 1000,
      rxPackets: 10,
      rxErrors: 1,
      rxDropped: 2,
      txBytes: 2000,
      txPackets: 20,
      txErrors: 3,
      txDropped: 4,
    });
  });

  it('parses mountinfo with escapes and optional fields', () => {
    const m = parseMountinfo(
      '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n' +
        '40 27 0:50 / /mnt/my\\040disk rw master:2 - vfat /dev/sdb1 rw\nnonsense\n',
    );
    expect(m).toEqual([
      { deviceId: '254:0', mountPoint: '/', fsType: 'ext4', source: '/dev/vda' },
      { deviceId: '0:50', mountPoint: '/mnt/my disk', fsType: 'vfat', source: '/dev/sdb1' },
    ]);
  });

  it('parses diskstats with 512-byte sectors', () => {
    const d = parseDiskstats(' 254 0 vda 100 5 2000 30 200 7 4000 60 0 90 100 0 0 0 0\n');
    expect(d.get('vda')).toEqual({
      readOps: 100,
      readBytes: 2000 * 512,
      writeOps: 200,
      writeBytes: 4000 * 512,
      ioTimeMs: 90,
    });
  });
});
