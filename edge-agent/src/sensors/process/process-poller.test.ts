import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inosec, type IProcessEvent } from '@inosec/protos';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcFixture, type FixtureProcess, processEntityId } from '../procfs/index.js';
import type { EventDraft } from '../sensor.js';
import { ExecutableHasher } from './executable-hasher.js';
import { ProcessPoller } from './process-poller.js';

const { ACTION_START, ACTION_EXIT } = inosec.v1.ProcessEvent.Action;
const BTIME = 1_700_000_000;
const BOOT_ID = '00000000-1111-2222-3333-444444444444';

class Counters {
  readonly values = new Map<string, number>();
  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }
  get(name: string): number {
    return this.values.get(name) ?? 0;
  }
}

function payloads(events: EventDraft[], action: inosec.v1.ProcessEvent.Action): IProcessEvent[] {
  return events.map((e) => e.process!).filter((p) => p.action === action);
}

describe('ProcessPoller on a crafted /proc', () => {
  let fixture: ProcFixture;
  let bin: string;
  let binA: string;
  let binB: string;
  let counters: Counters;

  const proc = (p: Partial<FixtureProcess> & { pid: number }): FixtureProcess => ({
    comm: 'x',
    ppid: 1,
    startTimeTicks: p.pid * 10,
    exe: binA,
    args: [`/bin/p${p.pid}`],
    cwd: '/',
    ...p,
  });
  const poller = (extra: Partial<ConstructorParameters<typeof ProcessPoller>[0]> = {}): ProcessPoller =>
    new ProcessPoller({
      procRoot: fixture.root,
      etcRoot: bin,
      hasher: new ExecutableHasher({ procRoot: fixture.root }),
      hashWaitMs: 2_000,
      baselineHashWaitMs: 2_000,
      counters,
      ...extra,
    });

  beforeEach(async () => {
    fixture = await ProcFixture.create();
    await fixture.setSystemStat(BTIME, 1000);
    bin = await mkdtemp(join(tmpdir(), 'inosec-bin-'));
    binA = join(bin, 'prog-a');
    binB = join(bin, 'prog-b');
    await writeFile(binA, 'binary A');
    await writeFile(binB, 'binary B, another program');
    await writeFile(join(bin, 'passwd'), 'root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n');
    await writeFile(join(bin, 'group'), 'root:x:0:\nwww:x:33:\n');
    counters = new Counters();
    // init (1), kthreadd (2) and a kernel worker, then a shell (100) and its child (200).
    await fixture.addProcess(proc({ pid: 1, ppid: 0, comm: 'init', args: ['/sbin/init'] }));
    await fixture.addProcess({ pid: 2, comm: 'kthreadd', ppid: 0, startTimeTicks: 1, flags: 0x208040 });
    await fixture.addProcess({
      pid: 3,
      comm: 'kworker/0:0-events',
      ppid: 2,
      startTimeTicks: 2,
      flags: 0x4208060,
    });
    await fixture.addProcess(proc({ pid: 100, comm: 'sh' }));
    await fixture.addProcess(
      proc({ pid: 200, ppid: 100, comm: 'a) b (c', uid: 33, gid: 33, exe: binB, ttyNr: (136 << 8) | 2 }),
    );
  });
  afterEach(async () => {
    await fixture.cleanup();
    await rm(bin, { recursive: true, force: true });
  });

  it('reports the running processes once as a baseline, timed at their real start, without kernel threads', async () => {
    const result = await poller().poll(true);
    const starts = payloads(result.events, ACTION_START);
    expect(starts.map((s) => s.process?.pid)).toEqual([1, 100, 200]);
    const child = result.events.find((e) => e.process?.process?.pid === 200)!;
    expect(child.timeUnixUs).toBe(BTIME * 1e6 + 2000 * 10_000);
    expect(child.sensor).toBe('procfs');
    expect(child.process?.process).toMatchObject({
      pid: 200,
      ppid: 100,
      entityId: processEntityId(BOOT_ID, 200, 2000),
      executable: binB,
      name: 'prog-b',
      commandLine: '/bin/p200',
      args: ['/bin/p200'],
      workingDirectory: '/',
      user: { id: '33', name: 'www' },
      group: { id: '33', name: 'www' },
      startTimeUnixUs: BTIME * 1e6 + 20_000_000,
      sessionId: 200,
      tty: 'pts/2',
      hash: { sha256: createHash('sha256').update('binary B, another program').digest('hex') },
    });
    expect(child.process?.parent?.entityId).toBe(processEntityId(BOOT_ID, 100, 1000));
    expect(child.process?.ancestorEntityIds).toEqual([processEntityId(BOOT_ID, 1, 10)]);
    expect(result.processes).toBe(3);
  });

  it('stays silent on the first poll when the baseline is off, then reports only changes', async () => {
    const p = poller();
    expect((await p.poll(false)).events).toEqual([]);
    expect((await p.poll(false)).events).toEqual([]);
    await fixture.addProcess(proc({ pid: 300, ppid: 200, comm: 'new' }));
    const starts = payloads((await p.poll(false)).events, ACTION_START);
    expect(starts).toHaveLength(1);
    expect(starts[0]?.process?.pid).toBe(300);
    // grandparent first: 100 then 1.
    expect(starts[0]?.ancestorEntityIds).toEqual([
      processEntityId(BOOT_ID, 100, 1000),
      processEntityId(BOOT_ID, 1, 10),
    ]);
    expect(starts[0]?.process?.hash?.sha256).toBe(createHash('sha256').update('binary A').digest('hex'));
  });

  it('reports an exit without exit code, a reused pid as exit + start, and exec in place as a new start', async () => {
    const p = poller();
    await p.poll(false);
    await fixture.removeProcess(200);
    const exits = payloads((await p.poll()).events, ACTION_EXIT);
    expect(exits).toHaveLength(1);
    expect(exits[0]?.process?.pid).toBe(200);
    expect(exits[0]?.exitCode ?? undefined).toBeUndefined();
    expect(exits[0]?.parent?.pid).toBe(100);

    // pid 100 reused by another process (another start time)
    await fixture.addProcess(proc({ pid: 100, comm: 'reused', startTimeTicks: 5000 }));
    const reuse = (await p.poll()).events;
    expect(reuse.map((e) => [e.process?.action, e.process?.process?.entityId])).toEqual([
      [ACTION_EXIT, processEntityId(BOOT_ID, 100, 1000)],
      [ACTION_START, processEntityId(BOOT_ID, 100, 5000)],
    ]);

    // exec(): same pid and start time, new image and argv
    await fixture.addProcess(
      proc({ pid: 100, comm: 'reused', startTimeTicks: 5000, exe: binB, args: ['prog-b', '-x'] }),
    );
    const exec = payloads((await p.poll()).events, ACTION_START);
    expect(exec).toHaveLength(1);
    expect(exec[0]?.process).toMatchObject({ pid: 100, executable: binB, args: ['prog-b', '-x'] });
    expect(exec[0]?.process?.entityId).toBe(processEntityId(BOOT_ID, 100, 5000));
    expect((await p.poll()).events).toEqual([]);

    // with exec_check=comm, a new argv alone is not looked at
    const cheap = poller({ execCheck: 'comm' });
    await cheap.poll(false);
    await fixture.addProcess(
      proc({ pid: 100, comm: 'reused', startTimeTicks: 5000, exe: binB, args: ['prog-b', '-y'] }),
    );
    expect((await cheap.poll()).events).toEqual([]);
    expect(payloads((await p.poll()).events, ACTION_START)[0]?.process?.args).toEqual(['prog-b', '-y']);
  });

  it('tells exec in place from the program image in stat when /proc shows it', async () => {
    const image: [number, number, number, number, number] = [
      0x5000, 0x9000, 0x7ffc0000, 0x7ffc1000, 0x7ffc1010,
    ];
    await fixture.addProcess(proc({ pid: 100, comm: 'sh', image, exe: binA, args: ['sh'] }));
    const p = poller();
    await p.poll(false);
    // The command line rewritten in place (setproctitle), same image: not an exec.
    await fixture.addProcess(proc({ pid: 100, comm: 'sh', image, exe: binA, args: ['sh: worker'] }));
    expect(payloads((await p.poll()).events, ACTION_START)).toEqual([]);
    // exec() of the same binary with the same argv: only the image tells it.
    const next: typeof image = [0x6000, 0xa000, 0x7ffd0000, 0x7ffd1000, 0x7ffd1010];
    await fixture.addProcess(proc({ pid: 100, comm: 'sh', image: next, exe: binA, args: ['sh: worker'] }));
    const exec = payloads((await p.poll()).events, ACTION_START);
    expect(exec).toHaveLength(1);
    expect(exec[0]?.process?.entityId).toBe(processEntityId(BOOT_ID, 100, 1000));
    expect((await p.poll()).events).toEqual([]);
  });

  it('estimates short-lived processes missed between polls from the fork counter', async () => {
    const p = poller();
    await p.poll(false);
    await fixture.setSystemStat(BTIME, 1010); // 10 forks
    await fixture.addProcess(proc({ pid: 300, threads: 3 })); // 1 process + 2 threads
    const result = await p.poll();
    expect(result.newIdentities).toBe(1);
    expect(result.missedShortLived).toBe(7);
    expect(counters.get('process.missed_short_lived')).toBe(7);
    await fixture.setSystemStat(BTIME, 1011);
    await fixture.addProcess(proc({ pid: 301 }));
    await fixture.addProcess(proc({ pid: 302 }));
    expect((await p.poll()).missedShortLived).toBe(0); // clamped at 0
    expect(p.missedShortLivedTotal).toBe(7);
  });

  it('counts vanished and garbled pids and goes on', async () => {
    const p = poller();
    await fixture.addProcess(proc({ pid: 400 }));
    await rm(join(fixture.root, '400', 'stat')); // vanished between readdir and read
    await fixture.addProcess(proc({ pid: 401 }));
    await writeFile(join(fixture.root, '401', 'stat'), 'not a stat line');
    await fixture.addProcess(proc({ pid: 402 }));
    await rm(join(fixture.root, '402', 'status')); // vanished between stat and status
    const result = await p.poll(true);
    expect(payloads(result.events, ACTION_START).map((s) => s.process?.pid)).toEqual([1, 100, 200]);
    expect(counters.get('process.vanished')).toBe(2);
    expect(counters.get('process.parse_errors')).toBe(1);
  });

  it('leaves out the excluded pid and its descendants', async () => {
    const result = await poller({ excludePid: 100 }).poll(true);
    expect(payloads(result.events, ACTION_START).map((s) => s.process?.pid)).toEqual([1]);
  });

  it('emits a start without hash when the hash is late, and counts it', async () => {
    const p = poller({
      hasher: new ExecutableHasher({ procRoot: fixture.root, maxBytes: 4 }),
      hashWaitMs: 0,
    });
    const result = await p.poll(true);
    expect(payloads(result.events, ACTION_START).every((s) => !s.process?.hash)).toBe(true);
    expect(counters.get('process.hash_skipped') + counters.get('process.hash_late')).toBe(3);
  });
});
