import { readFileSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountCache } from './account-cache.js';
import {
  parseCmdline,
  parseExeLink,
  parsePidStatus,
  readPidCmdline,
  readPidCwd,
  readPidExe,
  readPidStatus,
} from './pid-info.js';
import { PF_KTHREAD, isKernelThread, parsePidStat, readPidStat, ttyName } from './pid-stat.js';
import { listPids } from './proc-files.js';
import { ProcFixture } from './proc-fixture.js';
import { parseSystemStat, readBootId, readSystemStat, ticksToUnixUs } from './proc-system.js';
import { processEntityId } from './process-entity-id.js';
import { ProcfsParseError } from './procfs-errors.js';

describe('parsePidStat', () => {
  it('reads the program image fields, and leaves them out when the kernel hides them', () => {
    const base = { pid: 7, comm: 'x', ppid: 1, startTimeTicks: 5 };
    const shown = parsePidStat(ProcFixture.statLine({ ...base, image: [1000, 2000, 3000, 4000, 4100] }));
    expect(shown.image).toBe('1000:2000:3000:4000:4100');
    // Not allowed to ptrace the process: code shows as 1 1 and the stack as 0.
    expect(parsePidStat(ProcFixture.statLine({ ...base, image: [1, 1, 0, 0, 0] })).image).toBeUndefined();
    expect(parsePidStat(ProcFixture.statLine(base)).image).toBeUndefined();
  });

  it('reads the program image of this process from the real /proc', () => {
    const stat = readPidStat(process.pid);
    expect(stat?.comm).toBeTruthy();
    // Readable for its own process by any user.
    expect(stat?.image).toMatch(/^\d+:\d+:[1-9]\d*:\d+:\d+$/);
  });

  it('ends the comm at the LAST parenthesis, so `a) b (c` does not shift the fields', () => {
    const line = ProcFixture.statLine({
      pid: 4242,
      comm: 'a) b (c',
      ppid: 17,
      startTimeTicks: 98765,
      threads: 3,
    });
    const stat = parsePidStat(line);
    expect(stat).toMatchObject({ pid: 4242, comm: 'a) b (c', state: 'S', ppid: 17, numThreads: 3 });
    expect(stat.startTimeTicks).toBe(98765);
  });

  it('keeps spaces and an empty comm', () => {
    expect(
      parsePidStat(ProcFixture.statLine({ pid: 1, comm: 'Web Content', ppid: 0, startTimeTicks: 5 })).comm,
    ).toBe('Web Content');
    expect(parsePidStat(ProcFixture.statLine({ pid: 1, comm: '', ppid: 0, startTimeTicks: 5 })).comm).toBe(
      '',
    );
  });

  it('rejects garbled lines with a named error', () => {
    expect(() => parsePidStat('garbage')).toThrow(ProcfsParseError);
    expect(() => parsePidStat('12 (x) S 1 2')).toThrow(ProcfsParseError);
    expect(() =>
      parsePidStat(
        ProcFixture.statLine({ pid: 1, comm: 'x', ppid: 0, startTimeTicks: 5 }).replace(' 5 ', ' zz '),
      ),
    ).toThrow(/field 22/);
  });

  it('reads this very process from the real /proc', () => {
    const stat = readPidStat(process.pid);
    expect(stat?.pid).toBe(process.pid);
    expect(stat?.ppid).toBe(process.ppid);
    expect(stat?.numThreads).toBeGreaterThan(0);
    expect(isKernelThread(stat!)).toBe(false);
  });

  it('identifies kernel threads by PF_KTHREAD (and kthreadd itself), not user-mode helpers with ppid 2', () => {
    const base = { comm: 'x', startTimeTicks: 1 };
    expect(
      isKernelThread(parsePidStat(ProcFixture.statLine({ ...base, pid: 50, ppid: 2, flags: 0x208040 }))),
    ).toBe(true);
    expect(
      isKernelThread(parsePidStat(ProcFixture.statLine({ ...base, pid: 2, ppid: 0, flags: 0x208040 }))),
    ).toBe(true);
    expect(
      isKernelThread(parsePidStat(ProcFixture.statLine({ ...base, pid: 51, ppid: 2, flags: 0x400100 }))),
    ).toBe(false);
    expect(PF_KTHREAD).toBe(0x200000);
  });
});

describe('ttyName', () => {
  it('names pseudo terminals, virtual consoles and serial ports', () => {
    expect(ttyName(0)).toBe('');
    expect(ttyName((136 << 8) | 3)).toBe('pts/3');
    expect(ttyName((137 << 8) | 1)).toBe('pts/257');
    expect(ttyName((4 << 8) | 1)).toBe('tty1');
    expect(ttyName((4 << 8) | 64)).toBe('ttyS0');
    expect(ttyName((5 << 8) | 1)).toBe('console');
  });
});

describe('pid files', () => {
  let fixture: ProcFixture;
  beforeEach(async () => {
    fixture = await ProcFixture.create();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  it('reads status, cmdline, exe and cwd from a crafted tree', async () => {
    await fixture.addProcess({
      pid: 300,
      comm: 'nginx',
      ppid: 1,
      startTimeTicks: 10,
      uid: 33,
      gid: 44,
      args: ['nginx: worker', '-g', 'daemon off;'],
      exe: '/usr/sbin/nginx (deleted)',
      cwd: '/srv',
    });
    expect(readPidStatus(300, fixture.root)).toEqual({
      uid: { real: 33, effective: 33 },
      gid: { real: 44, effective: 44 },
    });
    expect(readPidCmdline(300, fixture.root)).toEqual(['nginx: worker', '-g', 'daemon off;']);
    expect(readPidExe(300, fixture.root)).toEqual({ path: '/usr/sbin/nginx (deleted)', deleted: true });
    expect(readPidCwd(300, fixture.root)).toBe('/srv');
  });

  it('returns null for a pid that vanished between readdir and read', async () => {
    await fixture.addProcess({ pid: 301, comm: 'gone', ppid: 1, startTimeTicks: 10 });
    expect(listPids(fixture.root)).toContain(301);
    await fixture.removeProcess(301);
    expect(readPidStat(301, fixture.root)).toBeNull();
    expect(readPidStatus(301, fixture.root)).toBeNull();
    expect(readPidCmdline(301, fixture.root)).toBeNull();
    expect(readPidExe(301, fixture.root)).toBeNull();
  });

  it('lists only numeric entries as pids', async () => {
    await fixture.addProcess({ pid: 7, comm: 'a', ppid: 1, startTimeTicks: 1 });
    expect(listPids(fixture.root)).toEqual([7]);
  });

  it('reads btime, the fork counter and the boot id', async () => {
    await fixture.setSystemStat(1_700_000_123, 98_765);
    expect(readSystemStat(fixture.root)).toEqual({ bootTimeSeconds: 1_700_000_123, forks: 98_765 });
    expect(readBootId(fixture.root)).toBe('00000000-1111-2222-3333-444444444444');
    expect(() => parseSystemStat('cpu 1 2 3\n')).toThrow(ProcfsParseError);
  });
});

describe('small parsers', () => {
  it('splits NUL-separated argv and keeps rewritten titles whole', () => {
    expect(parseCmdline('sleep\x0030\x00')).toEqual(['sleep', '30']);
    expect(parseCmdline('')).toEqual([]);
    expect(parseCmdline('sshd: root@pts/0')).toEqual(['sshd: root@pts/0']);
    expect(parseCmdline('a\x00\x00b\x00')).toEqual(['a', '', 'b']);
  });

  it('flags deleted executables and keeps the suffix', () => {
    expect(parseExeLink('/tmp/x (deleted)')).toEqual({ path: '/tmp/x (deleted)', deleted: true });
    expect(parseExeLink('/usr/bin/x')).toEqual({ path: '/usr/bin/x', deleted: false });
  });

  it('parses real and effective ids, and rejects a status without them', () => {
    const status = 'Name:\tsu\nUid:\t1000\t0\t0\t0\nGid:\t1000\t0\t0\t0\n';
    expect(parsePidStatus(status)).toEqual({
      uid: { real: 1000, effective: 0 },
      gid: { real: 1000, effective: 0 },
    });
    expect(() => parsePidStatus('Name:\tx\n')).toThrow(ProcfsParseError);
    expect(() => parsePidStatus('Uid:\tx\ty\nGid:\t1\t1\n')).toThrow(ProcfsParseError);
    const real = parsePidStatus(readFileSync('/proc/self/status', 'utf8'));
    expect(real.uid.effective).toBe(process.geteuid?.());
  });

  it('converts start ticks to absolute microseconds', () => {
    expect(ticksToUnixUs(250, 1_700_000_000)).toBe(1_700_000_002_500_000);
    expect(ticksToUnixUs(250, 1_700_000_000, 1000)).toBe(1_700_000_000_250_000);
  });

  it('derives a stable entity id that changes with boot, pid, start time and salt', () => {
    const id = processEntityId('boot-a', 10, 500);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(processEntityId('boot-a', 10, 500)).toBe(id);
    expect(new Set([id, processEntityId('boot-b', 10, 500), processEntityId('boot-a', 11, 500)]).size).toBe(
      3,
    );
    expect(processEntityId('boot-a', 10, 501)).not.toBe(id);
    expect(processEntityId('boot-a', 10, 500, 'agent-1')).not.toBe(id);
  });
});

describe('AccountCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inosec-etc-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps ids to names and reloads when the file changes', async () => {
    const path = join(dir, 'passwd');
    await writeFile(
      path,
      'root:x:0:0:root:/root:/bin/bash\n# comment\nalice:x:1000:1000::/home/alice:/bin/sh\nbroken\n',
    );
    const cache = new AccountCache(path);
    expect(cache.lookup(0)).toBe('root');
    expect(cache.lookup(1000)).toBe('alice');
    expect(cache.lookup(1001)).toBeUndefined();
    await writeFile(path, 'root:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\n');
    await utimes(path, new Date(), new Date(Date.now() + 5_000));
    cache.refresh(true);
    expect(cache.lookup(1001)).toBe('bob');
    expect(cache.lookup(1000)).toBeUndefined();
  });

  it('yields no names when the file is missing', () => {
    expect(new AccountCache(join(dir, 'nope')).lookup(0)).toBeUndefined();
  });
});
