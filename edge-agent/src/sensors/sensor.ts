import type { IEvent, ISensorPolicy } from '@inosec/protos';
import type { Logger } from 'pino';

/**
 * What a sensor produces: an Event without the fields the agent fills in (agent_id, seq, tenant_id are set when
 * the event is spooled; host is sent once per batch). `sensor`, `timeUnixUs`, `observedTimeUnixUs` and exactly
 * one payload (process, network, file, auth, log, metric, inventory, ot) must be set.
 */
export type EventDraft = Omit<IEvent, 'agentId' | 'seq' | 'tenantId' | 'host'>;

/** Counters a sensor keeps for the heartbeat and `inosec-agent status`; names are snake_case. */
export interface SensorCounters {
  /** Adds `by` (default 1) to the named counter, creating it at 0. */
  inc(name: string, by?: number): void;
}

export interface SensorContext {
  /** Hands events to the agent, which spools them. Resolves once they are on disk (back-pressure: await it). */
  emit(events: readonly EventDraft[]): Promise<void>;
  /** The agent's logger, already bound to the sensor's name (`sensor`): do not log the name again. */
  log: Logger;
  counters: SensorCounters;
  /** Aborted when the agent stops; timers and watchers must end with it. */
  signal: AbortSignal;
  /** A directory the sensor may keep state in across restarts (offsets, baselines); created by the agent. */
  stateDir: string;
  /** The sensor's policy: enabled, interval_seconds, paths, exclude_paths, options. */
  policy: ISensorPolicy;
}

/** Health a sensor reports (mapped to SensorStatus in the heartbeat). */
export interface SensorHealth {
  state: 'running' | 'degraded' | 'failed';
  message?: string;
}

export interface Sensor {
  /** The name written to Event.sensor: procfs, auditd, netfs, fim, authlog, journald, metrics, inventory. */
  readonly name: string;
  /** Starts observing; resolves once the sensor is running (a baseline may go on in the background). */
  start(ctx: SensorContext): Promise<void>;
  /** Stops timers and watchers and flushes what was observed; resolves when nothing more will be emitted. */
  stop(): Promise<void>;
  health(): SensorHealth;
}

/** Microseconds since the Unix epoch, the unit of every time in the contracts. */
export function nowUnixUs(): number {
  return Date.now() * 1000;
}
