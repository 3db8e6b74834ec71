// What a sensor test hands a sensor: a SensorContext that records emitted events and counters, with a
// silent logger and an abort controller the test owns.
import os from 'node:os';
import type { ISensorPolicy } from '@inosec/protos';
import { pino } from 'pino';
import type { EventDraft, SensorContext } from '../../src/sensors/sensor.js';

export interface SensorHarness {
  ctx: SensorContext;
  events: EventDraft[];
  counters: Map<string, number>;
  controller: AbortController;
}

export function sensorHarness(policy: ISensorPolicy = {}, stateDir = os.tmpdir()): SensorHarness {
  const events: EventDraft[] = [];
  const counters = new Map<string, number>();
  const controller = new AbortController();
  const ctx: SensorContext = {
    emit: async (batch) => {
      events.push(...batch);
    },
    log: pino({ level: 'silent' }),
    counters: { inc: (name, by = 1) => counters.set(name, (counters.get(name) ?? 0) + by) },
    signal: controller.signal,
    stateDir,
    policy,
  };
  return { ctx, events, counters, controller };
}

/** Waits until `check` holds, polling every 20 ms; throws after `ms`. */
export async function waitUntil(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
