import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ISensorPolicy } from '@inosec/protos';
import { pino } from 'pino';
import type { EventDraft, SensorContext } from '../sensor.js';

/** Test support: a SensorContext that records emitted events and counters. Not used by the agent itself. */
export interface SensorHarness {
  ctx: SensorContext;
  events: EventDraft[];
  counters: Map<string, number>;
  abort: AbortController;
  /** Resolves with the first recorded event matching `predicate`, polling every 20 ms up to `timeoutMs`. */
  waitFor(predicate: (event: EventDraft) => boolean, timeoutMs?: number): Promise<EventDraft>;
  /** Resolves once `condition()` holds, polling every 20 ms up to `timeoutMs`. */
  until(condition: () => boolean, timeoutMs?: number): Promise<void>;
}

/** Builds a {@link SensorHarness} with the given policy options. */
export async function createSensorHarness(
  options: Record<string, string>,
  intervalSeconds = 0,
): Promise<SensorHarness> {
  const events: EventDraft[] = [];
  const counters = new Map<string, number>();
  const abort = new AbortController();
  const policy: ISensorPolicy = { enabled: true, intervalSeconds, options };
  const ctx: SensorContext = {
    emit: async (batch) => {
      events.push(...batch);
    },
    log: pino({ level: 'silent' }),
    counters: { inc: (name, by = 1) => counters.set(name, (counters.get(name) ?? 0) + by) },
    signal: abort.signal,
    stateDir: await mkdtemp(join(tmpdir(), 'inosec-state-')),
    policy,
  };
  const waitFor = async (
    predicate: (event: EventDraft) => boolean,
    timeoutMs = 5_000,
  ): Promise<EventDraft> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching event within ${timeoutMs} ms (${events.length} seen)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const until = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { ctx, events, counters, abort, waitFor, until };
}
