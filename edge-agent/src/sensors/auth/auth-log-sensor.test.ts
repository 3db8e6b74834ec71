import type { ISensorPolicy } from '@inosec/protos';
import { AuthEventKind } from '@inosec/protos';
import { readFileSync } from 'node:fs';
import { appendFile, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sensorHarness, waitUntil } from '../../../test/support/sensor-harness.js';
import type { Sensor, SensorContext } from '../sensor.js';
import { createAuthLogSensor } from './auth-log-sensor.js';

let dir: string;
const running: Sensor[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-authlog-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

/** A harness whose state directory is the test's own. */
const context = (policy: ISensorPolicy) => sensorHarness(policy, dir);

async function started(sensor: Sensor, ctx: SensorContext): Promise<Sensor> {
  running.push(sensor);
  await sensor.start(ctx);
  return sensor;
}

const LINES = [
  'Jun  1 10:00:00 web sshd[10]: Failed password for root from 10.0.0.1 port 22 ssh2',
  'Jun  1 10:00:01 web sshd[10]: Server listening on 0.0.0.0 port 22.',
];

describe('authlog sensor', () => {
  it('tails the policy paths, resumes after a restart without loss or duplicates', async () => {
    const file = path.join(dir, 'secure');
    await writeFile(file, `${LINES.join('\n')}\n`);
    const policy = { enabled: true, paths: [file], options: { from_start: 'true', poll_interval_ms: '100' } };
    const first = context(policy);
    const sensor = await started(createAuthLogSensor({ journalctl: false }), first.ctx);
    await waitUntil(() => first.events.length === 2);
    expect(first.events[0]?.auth).toMatchObject({ kind: AuthEventKind.KIND_SSH, user: { name: 'root' } });
    expect(first.events[1]?.log).toMatchObject({ program: 'sshd', source: file, original: LINES[1] });
    expect(sensor.health()).toEqual({ state: 'running' });
    expect(first.counters.get('authlog_auth_events')).toBe(1);
    expect(first.counters.get('authlog_log_events')).toBe(1);
    await sensor.stop();
    running.splice(running.indexOf(sensor), 1);

    await appendFile(
      file,
      'Jun  1 10:00:02 web sudo:  bob : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id\n',
    );
    const second = context(policy);
    await started(createAuthLogSensor({ journalctl: false }), second.ctx);
    await waitUntil(() => second.events.length >= 1);
    await new Promise((r) => setTimeout(r, 250));
    expect(second.events).toHaveLength(1);
    expect(second.events[0]?.auth).toMatchObject({ kind: AuthEventKind.KIND_SUDO, command: '/bin/id' });
  });

  it('is degraded with the reason when no candidate exists and there is no journalctl, then picks up the file', async () => {
    const file = path.join(dir, 'auth.log');
    const { ctx, events } = context({ enabled: true, options: { poll_interval_ms: '100' } });
    const sensor = await started(
      createAuthLogSensor({ candidates: [file, path.join(dir, 'secure')], journalctl: false }),
      ctx,
    );
    expect(sensor.health()).toEqual({
      state: 'degraded',
      message: `none of ${file}, ${path.join(dir, 'secure')} exists and journalctl is not available`,
    });
    await writeFile(file, `${LINES[0]}\n`);
    await waitUntil(() => events.length === 1);
    expect(sensor.health()).toEqual({ state: 'running' });
  });

  it('follows journald through one journalctl process when no file exists, resuming after the stored cursor', async () => {
    const argsFile = path.join(dir, 'args.log');
    const fake = path.join(dir, 'journalctl');
    const entry = (i: number, msg: string) =>
      JSON.stringify({
        __CURSOR: `s=x;i=${i}`,
        __REALTIME_TIMESTAMP: `${1_700_000_000_000_000 + i}`,
        SYSLOG_IDENTIFIER: 'sshd',
        _PID: '9',
        MESSAGE: msg,
      });
    await writeFile(
      fake,
      [
        `#!${process.execPath}`,
        `require('fs').appendFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)) + '\\n');`,
        `process.stdout.write(${JSON.stringify(`${entry(1, 'Invalid user a from 1.1.1.1 port 1')}\n${entry(2, 'Accepted password for b from 2.2.2.2 port 2 ssh2')}\n`)});`,
        'setInterval(() => {}, 1000);',
        "process.on('SIGTERM', () => process.exit(0));",
      ].join('\n'),
    );
    await chmod(fake, 0o755);
    const policy = { enabled: true, options: {} };
    const first = context(policy);
    const sensor = await started(
      createAuthLogSensor({ candidates: [path.join(dir, 'none.log')], journalctl: fake }),
      first.ctx,
    );
    await waitUntil(() => first.events.length === 2);
    expect(first.events.map((e) => e.auth?.user?.name)).toEqual(['a', 'b']);
    expect(first.events[0]?.timeUnixUs).toBe(1_700_000_000_000_001);
    await sensor.stop();
    running.splice(running.indexOf(sensor), 1);
    expect((await readFile(path.join(dir, 'journal.cursor'), 'utf8')).trim()).toBe('s=x;i=2');

    const second = context(policy);
    await started(
      createAuthLogSensor({ candidates: [path.join(dir, 'none.log')], journalctl: fake }),
      second.ctx,
    );
    await waitUntil(() => readFileSync(argsFile, 'utf8').trim().split('\n').length === 2);
    const calls = (await readFile(argsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[]);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toContain('--lines=0');
    expect(calls[0]).toContain('--follow');
    expect(calls[0]).toContain('SYSLOG_FACILITY=10');
    expect(calls[1]).toContain('--after-cursor=s=x;i=2');
  });
});
