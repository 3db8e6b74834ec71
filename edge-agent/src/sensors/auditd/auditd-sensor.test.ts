import type { ISensorPolicy } from '@inosec/protos';
import { appendFile, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sensorHarness, waitUntil } from '../../../test/support/sensor-harness.js';
import type { Sensor } from '../sensor.js';
import { asUnprivileged } from '../../../test/support/as-unprivileged.js';
import { createAuditdSensor } from './auditd-sensor.js';

let dir: string;
const running: Sensor[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-auditd-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

/** A harness whose state directory is the test's own. */
const context = (policy: ISensorPolicy) => sensorHarness(policy, dir);

const EXEC = (serial: number, pid: number, comm: string) => [
  `type=SYSCALL msg=audit(1700000000.${String(serial).padStart(3, '0')}:${serial}): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=${pid} auid=1000 uid=1000 gid=1000 euid=1000 egid=1000 tty=pts1 ses=2 comm="${comm}" exe="/usr/bin/${comm}" key=(null)`,
  `type=EXECVE msg=audit(1700000000.${String(serial).padStart(3, '0')}:${serial}): argc=1 a0="${comm}"`,
  `type=CWD msg=audit(1700000000.${String(serial).padStart(3, '0')}:${serial}): cwd="/tmp"`,
];

describe('auditd sensor', () => {
  it('emits grouped events and completes the last one after the flush delay', async () => {
    const file = path.join(dir, 'audit.log');
    await writeFile(file, `${[...EXEC(1, 100, 'id'), ...EXEC(2, 101, 'whoami')].join('\n')}\n`);
    const { ctx, events, counters } = context({
      enabled: true,
      paths: [file],
      options: { from_start: 'true', poll_interval_ms: '100' },
    });
    const sensor = createAuditdSensor({ flushDelayMs: 150 });
    running.push(sensor);
    await sensor.start(ctx);
    // The first event is complete as soon as the second one's records arrive.
    await waitUntil(() => events.length >= 1);
    expect(events[0]?.process?.process).toMatchObject({
      pid: 100,
      name: 'id',
      workingDirectory: '/tmp',
      tty: 'pts/1',
    });
    // The second has no EOE and nothing after it: the timeout completes it.
    await waitUntil(() => events.length === 2);
    expect(events[1]?.process?.process?.pid).toBe(101);
    expect(counters.get('auditd_records')).toBe(6);
    expect(counters.get('auditd_process_events')).toBe(2);
    expect(sensor.health()).toEqual({ state: 'running' });

    await appendFile(
      file,
      'garbage line\ntype=DAEMON_END msg=audit(1700000001.000:9): op=terminate auid=0 res=success\n',
    );
    await waitUntil(() => events.length === 3);
    expect(events[2]?.log).toMatchObject({
      parser: 'auditd',
      source: file,
      fields: { op: 'terminate', 'audit.type': 'DAEMON_END' },
    });
    expect(counters.get('auditd_unparsed_lines')).toBe(1);
  });

  it('flushes a held event at stop', async () => {
    const file = path.join(dir, 'audit.log');
    await writeFile(file, `${EXEC(3, 102, 'ls').join('\n')}\n`);
    const { ctx, events } = context({ enabled: true, paths: [file], options: { from_start: 'true' } });
    const sensor = createAuditdSensor({ flushDelayMs: 60_000 });
    await sensor.start(ctx);
    expect(events).toHaveLength(0);
    await sensor.stop();
    expect(events.map((e) => e.process?.process?.pid)).toEqual([102]);
  });

  it('is degraded with the reason when the audit log does not exist, not failing', async () => {
    const file = path.join(dir, 'missing', 'audit.log');
    const { ctx } = context({ enabled: true, options: {} });
    const sensor = createAuditdSensor({ path: file });
    running.push(sensor);
    await sensor.start(ctx);
    expect(sensor.health()).toEqual({
      state: 'degraded',
      message: `${file} does not exist (is auditd installed and running?)`,
    });
  });

  it('is degraded with the reason when the audit log is not readable', async () => {
    const file = path.join(dir, 'audit.log');
    await writeFile(file, 'x\n', { mode: 0o000 });
    await chmod(dir, 0o755);
    const { ctx } = context({ enabled: true, paths: [file], options: {} });
    const sensor = createAuditdSensor();
    running.push(sensor);
    // As root every file is readable: the start runs as nobody then.
    await asUnprivileged(() => sensor.start(ctx));
    expect(sensor.health()).toEqual({
      state: 'degraded',
      message: `${file}: permission denied (the agent needs read access to the audit log)`,
    });
  });
});
