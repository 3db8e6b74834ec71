import type { Sensor, SensorContext, SensorHealth } from '../sensor.js';
import { PolicyOptions, PollLoop, pollIntervalMs } from '../procfs/index.js';
import { ExecutableHasher } from './executable-hasher.js';
import { ProcessPoller } from './process-poller.js';

/** Code-level settings of the procfs sensor (policy knobs come from `ctx.policy.options`). */
export interface ProcessSensorOptions {
  /** Default /proc; tests pass a crafted tree. */
  procRoot?: string;
  /** Where passwd and group live; default /etc. */
  etcRoot?: string;
  /** USER_HZ; default 100. */
  clockTicks?: number;
  /** Mixed into entity ids, normally the agent id. */
  entityIdSalt?: string;
  /** The pid `exclude_self` leaves out with its descendants; default process.pid. */
  selfPid?: number;
}

/** What the sensor exposes besides events, for `inosec-agent status` and tests. */
export interface ProcessSensorStats {
  polls: number;
  /** User-space processes known after the last poll. */
  processes: number;
  /** Estimated processes that lived and died between two polls, since start. */
  missedShortLived: number;
  /** CPU time (user + system) of the last poll, µs. */
  lastPollCpuUs: number;
}

/** The procfs sensor with its stats. */
export interface ProcessSensor extends Sensor {
  stats(): ProcessSensorStats;
}

const DEFAULT_INTERVAL_MS = 1_000;
const EXEC_CHECKS = ['full', 'exe', 'comm'] as const;

function execCheckOption(opts: PolicyOptions, ctx: SensorContext): 'full' | 'exe' | 'comm' {
  const value = opts.string('exec_check') ?? 'full';
  const known = EXEC_CHECKS.find((mode) => mode === value);
  if (known) return known;
  ctx.counters.inc('process.invalid_options');
  ctx.log.warn(
    { option: 'exec_check', value },
    'procfs: option exec_check must be full, exe or comm; using full',
  );
  return 'full';
}

/**
 * Creates the `procfs` sensor: process START/EXIT events from polling /proc.
 *
 * Policy options (strings): `interval_ms` (overrides interval_seconds, default 1 s), `baseline` (default true:
 * the first poll reports every running process once, timed at its real start), `hash_max_bytes` (default
 * 64 MiB), `hash_wait_ms` (how long a START waits for its executable's sha256, default 250; later ones go out
 * without the hash and count as process.hash_late), `exclude_self` (default true: the agent and its children),
 * `exec_check` (full | exe | comm, default full: how much is compared to spot exec() in place; see
 * ProcessPollerOptions.execCheck; lower it on hosts with thousands of processes).
 * Nothing is persisted.
 */
export function createProcessSensor(options: ProcessSensorOptions = {}): ProcessSensor {
  let loop: PollLoop | undefined;
  let poller: ProcessPoller | undefined;
  let health: SensorHealth = { state: 'running' };
  const stats: ProcessSensorStats = { polls: 0, processes: 0, missedShortLived: 0, lastPollCpuUs: 0 };

  return {
    name: 'procfs',
    async start(ctx: SensorContext): Promise<void> {
      const opts = new PolicyOptions(ctx.policy, (name, value, expected) => {
        ctx.counters.inc('process.invalid_options');
        ctx.log.warn(
          { option: name, value },
          `procfs: option ${name} must be ${expected}; using the default`,
        );
      });
      const intervalMs = pollIntervalMs(ctx.policy, opts, DEFAULT_INTERVAL_MS);
      const baseline = opts.bool('baseline', true);
      const hasher = new ExecutableHasher({
        maxBytes: opts.int('hash_max_bytes', 64 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
        procRoot: options.procRoot,
      });
      try {
        poller = new ProcessPoller({
          procRoot: options.procRoot,
          etcRoot: options.etcRoot,
          clockTicks: options.clockTicks,
          entityIdSalt: options.entityIdSalt,
          excludePid: opts.bool('exclude_self', true) ? (options.selfPid ?? process.pid) : undefined,
          hasher,
          hashWaitMs: opts.int('hash_wait_ms', 250, 0, 60_000),
          baselineHashWaitMs: 10_000,
          counters: ctx.counters,
          log: ctx.log,
          execCheck: execCheckOption(opts, ctx),
        });
      } catch (error) {
        health = { state: 'failed', message: `cannot read /proc: ${(error as Error).message}` };
        ctx.log.error({ err: error }, 'procfs: sensor cannot start');
        return;
      }
      const active = poller;
      let first = true;
      loop = new PollLoop(
        async () => {
          const cpu = process.cpuUsage();
          const result = await active.poll(first ? baseline : true);
          const used = process.cpuUsage(cpu);
          first = false;
          stats.polls += 1;
          stats.processes = result.processes;
          stats.missedShortLived = active.missedShortLivedTotal;
          stats.lastPollCpuUs = used.user + used.system;
          health = { state: 'running' };
          if (result.events.length > 0 && !ctx.signal.aborted) await ctx.emit(result.events);
        },
        intervalMs,
        ctx.signal,
        (error) => {
          ctx.counters.inc('process.poll_errors');
          health = { state: 'degraded', message: `poll failed: ${(error as Error).message}` };
          ctx.log.warn({ err: error }, 'procfs: poll failed');
        },
      );
      loop.start();
    },
    async stop(): Promise<void> {
      await loop?.stop();
    },
    health: () => health,
    stats: () => ({ ...stats }),
  };
}
