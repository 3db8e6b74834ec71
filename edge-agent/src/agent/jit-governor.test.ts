import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { JitGovernor, LEAN_V8_FLAGS } from './jit-governor.js';

function recording(options: ConstructorParameters<typeof JitGovernor>[0] = {}) {
  const flags: string[] = [];
  const reasons: string[] = [];
  const governor = JitGovernor.lean({
    ...options,
    setFlags: (value) => flags.push(value),
    onEnable: (reason) => reasons.push(reason),
  });
  return { governor, flags, reasons };
}

describe('JitGovernor', () => {
  it('starts lean, and turns the optimizing compiler on once enough events are spooled within a window', async () => {
    const { governor, flags, reasons } = recording({ loadEvents: 100, windowMs: 50 });
    expect(flags).toEqual([LEAN_V8_FLAGS]);
    governor.note(60);
    await sleep(80);
    governor.note(60); // a new window: 60, not 120
    expect(governor.optimizing).toBe(false);
    governor.note(40);
    expect(governor.optimizing).toBe(true);
    expect(flags).toEqual([LEAN_V8_FLAGS, '--turbofan --semi-space-growth-factor=2']);
    expect(reasons).toEqual(['100 events spooled within 0.05 s']);
    governor.note(1_000);
    expect(flags).toHaveLength(2); // once only
  });

  it('gives the young generation back its growth after the grace, and counts CPU only after it', async () => {
    // Timings with wide margins: a loaded machine stretches sleeps, and the checks must still fall on the
    // right side of the grace.
    const { governor, flags, reasons } = recording({ graceMs: 400, checkIntervalMs: 30, loadCpuPercent: 20 });
    governor.start();
    const busyUntil = performance.now() + 60;
    while (performance.now() < busyUntil); // a start-up burst: inside the grace, not load
    await sleep(40);
    expect(governor.optimizing).toBe(false);
    await sleep(500); // idle past the grace: the growth is back, and an idle check is no load
    expect(flags).toEqual([LEAN_V8_FLAGS, '--semi-space-growth-factor=2']);
    expect(governor.optimizing).toBe(false);
    // Busy past the grace: load.
    const until = performance.now() + 120;
    while (performance.now() < until);
    await sleep(40);
    expect(governor.optimizing).toBe(true);
    expect(reasons[0]).toMatch(/^\d+ % of a core over 0.03 s$/);
    governor.stop();
  });

  it('stops its timers', async () => {
    const { governor, flags } = recording({ graceMs: 20 });
    governor.start();
    governor.stop();
    await sleep(40);
    expect(flags).toEqual([LEAN_V8_FLAGS]);
  });
});
