import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { inosec } from '@inosec/protos';
import { afterEach, describe, expect, it } from 'vitest';
import { createSensorHarness } from '../procfs/index.js';
import { createProcessSensor, type ProcessSensor } from './process-sensor.js';

const { ACTION_START, ACTION_EXIT } = inosec.v1.ProcessEvent.Action;

describe('procfs sensor on the real /proc', () => {
  let sensor: ProcessSensor | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await sensor?.stop();
  });

  it('sees a spawned `sleep 30` start with ppid, exe, argv and sha256, then exit when killed', async () => {
    const h = await createSensorHarness({ interval_ms: '100', exclude_self: 'false', baseline: 'false' });
    sensor = createProcessSensor();
    await sensor.start(h.ctx);
    expect(sensor.health().state).toBe('running');
    await h.until(() => sensor!.stats().polls >= 1);
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid!;
    const start = await h.waitFor(
      (e) => e.process?.action === ACTION_START && e.process.process?.pid === pid,
    );
    const sleepPath = realpathSync('/bin/sleep');
    expect(start.process?.process).toMatchObject({
      pid,
      ppid: process.pid,
      executable: sleepPath,
      name: 'sleep',
      args: ['sleep', '30'],
      commandLine: 'sleep 30',
      workingDirectory: process.cwd(),
      user: { id: String(process.geteuid?.()) },
      hash: { sha256: createHash('sha256').update(readFileSync(sleepPath)).digest('hex') },
    });
    expect(start.process?.parent?.pid).toBe(process.pid);
    expect(start.process?.ancestorEntityIds?.length).toBeGreaterThan(0);
    // Start time is derived from btime (whole seconds) and ticks: within ~2 s of now.
    expect(Math.abs(Number(start.timeUnixUs) - Date.now() * 1000)).toBeLessThan(2_500_000);

    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const exit = await h.waitFor((e) => e.process?.action === ACTION_EXIT && e.process.process?.pid === pid);
    expect(exit.process?.process?.entityId).toBe(start.process?.process?.entityId);
    expect(exit.process?.exitCode ?? undefined).toBeUndefined();
    expect(sensor.stats().processes).toBeGreaterThan(1);
  });

  it('reports the baseline, and leaves out its own children with exclude_self', async () => {
    const h = await createSensorHarness({ interval_ms: '100' });
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    sensor = createProcessSensor();
    await sensor.start(h.ctx);
    // The baseline contains pid 1's lineage but not this test process nor its child.
    await h.until(() => sensor!.stats().polls >= 2);
    const pids = h.events.map((e) => e.process?.process?.pid);
    expect(pids.length).toBeGreaterThan(0);
    expect(pids).not.toContain(process.pid);
    expect(pids).not.toContain(child.pid);
  });

  it('fails health, not the agent, when /proc is missing', async () => {
    const h = await createSensorHarness({});
    sensor = createProcessSensor({ procRoot: '/nonexistent-proc' });
    await sensor.start(h.ctx);
    expect(sensor.health().state).toBe('failed');
  });
});
