import type { INetworkEvent } from '@inosec/protos';
import type { EventDraft, Sensor, SensorContext, SensorHealth } from '../sensor.js';
import { DEFAULT_PROC_ROOT, PolicyOptions, PollLoop, pollIntervalMs } from '../procfs/index.js';
import { ConnectionTracker, connectionEvent, flowEvent, listenEvent } from './connection-tracker.js';
import { readSockets } from './proc-net.js';
import { SocketOwnerIndex } from './socket-owners.js';
import { findOnPath, readSsByteCounters } from './ss-byte-counters.js';

/** Code-level settings of the netfs sensor (policy knobs come from `ctx.policy.options`). */
export interface NetworkSensorOptions {
  /** Default /proc; tests pass a crafted tree. */
  procRoot?: string;
}

/** What the sensor exposes besides events, for `inosec-agent status`, benchmarks and tests. */
export interface NetworkSensorStats {
  polls: number;
  /** Sockets in the last poll's tables. */
  sockets: number;
  /** ESTABLISHED TCP connections tracked. */
  connections: number;
  /** CPU time (user + system) of the last poll, µs (includes the fd scan when one ran, not the ss child). */
  lastPollCpuUs: number;
  /** fd scans run to find socket owners, and the wall time of the last one. */
  ownerScans: number;
  lastOwnerScanMs: number;
  /** Whether byte counters are being sampled with ss. */
  byteCounters: boolean;
}

/** The netfs sensor with its stats. */
export interface NetworkSensor extends Sensor {
  stats(): NetworkSensorStats;
}

const DEFAULT_INTERVAL_MS = 5_000;

/**
 * Creates the `netfs` sensor: TCP connections, listening sockets and connection summaries from polling
 * /proc/net/{tcp,tcp6,udp,udp6}, with owning processes from a /proc/<pid>/fd scan run only for new sockets.
 *
 * Policy options (strings): `interval_ms` (overrides interval_seconds; default 5 s), `baseline` (default true:
 * the first poll reports the connections and listeners already open), `byte_counters` (default false: when
 * true and iproute2's `ss` is on PATH, one `ss -tinHOe` child process per poll samples bytes_acked /
 * bytes_received for the flow summaries; off by default because it spawns a process every poll).
 *
 * Limits: connections that open and close between two polls are not seen; a flow's duration has the poll
 * interval as resolution; only the agent's network namespace is visible.
 */
export function createNetworkSensor(options: NetworkSensorOptions = {}): NetworkSensor {
  const procRoot = options.procRoot ?? DEFAULT_PROC_ROOT;
  let loop: PollLoop | undefined;
  let health: SensorHealth = { state: 'running' };
  const tracker = new ConnectionTracker();
  const owners = new SocketOwnerIndex(procRoot);
  const stats: NetworkSensorStats = {
    polls: 0,
    sockets: 0,
    connections: 0,
    lastPollCpuUs: 0,
    ownerScans: 0,
    lastOwnerScanMs: 0,
    byteCounters: false,
  };

  return {
    name: 'netfs',
    async start(ctx: SensorContext): Promise<void> {
      const opts = new PolicyOptions(ctx.policy, (name, value, expected) => {
        ctx.counters.inc('network.invalid_options');
        ctx.log.warn({ option: name, value }, `netfs: option ${name} must be ${expected}; using the default`);
      });
      const intervalMs = pollIntervalMs(ctx.policy, opts, DEFAULT_INTERVAL_MS);
      const baseline = opts.bool('baseline', true);
      let ssPath: string | undefined;
      if (opts.bool('byte_counters', false)) {
        ssPath = findOnPath('ss');
        if (!ssPath) ctx.log.warn('netfs: byte_counters needs iproute2 `ss` on PATH; flows go without bytes');
      }
      stats.byteCounters = ssPath !== undefined;
      let first = true;

      const poll = async (): Promise<void> => {
        const cpu = process.cpuUsage();
        const nowUs = Date.now() * 1000;
        const sockets = readSockets(procRoot, (line, error) => {
          ctx.counters.inc('network.parse_errors');
          ctx.log.debug({ line, err: error }, 'netfs: garbled /proc/net line');
        });
        const diff = tracker.update(sockets, nowUs);
        const events: EventDraft[] = [];
        const report = !first || baseline;
        first = false;

        if (report && (diff.opened.length > 0 || diff.listening.length > 0)) {
          const scansBefore = owners.scans;
          const found = await owners.owners([
            ...diff.opened.map((c) => c.entry.inode),
            ...diff.listening.map((s) => s.inode),
          ]);
          for (const c of diff.opened) c.owner = found.get(c.entry.inode);
          if (owners.scans > scansBefore && owners.lastScan) {
            stats.ownerScans = owners.scans;
            stats.lastOwnerScanMs = owners.lastScan.ms;
          }
          for (const s of diff.listening)
            events.push(draft(listenEvent(s, found.get(s.inode)), nowUs, nowUs));
        }
        owners.prune(new Set(sockets.map((s) => s.inode)));

        if (report) {
          for (const c of diff.opened) events.push(draft(connectionEvent(c), nowUs, nowUs));
        }
        for (const { connection, state } of diff.closed) {
          events.push(draft(flowEvent(connection, state), connection.firstSeenUs, nowUs));
        }

        if (ssPath && tracker.connections.size > 0) {
          try {
            const counters = await readSsByteCounters(ssPath);
            for (const c of tracker.connections.values()) {
              const bytes = counters.get(c.entry.inode);
              if (bytes) c.bytes = bytes;
            }
          } catch (error) {
            ctx.counters.inc('network.ss_errors');
            ctx.log.debug({ err: error }, 'netfs: ss failed');
          }
        }

        const used = process.cpuUsage(cpu);
        stats.polls += 1;
        stats.sockets = sockets.length;
        stats.connections = tracker.connections.size;
        stats.lastPollCpuUs = used.user + used.system;
        health = { state: 'running' };
        if (events.length > 0 && !ctx.signal.aborted) await ctx.emit(events);
      };

      loop = new PollLoop(poll, intervalMs, ctx.signal, (error) => {
        ctx.counters.inc('network.poll_errors');
        health = { state: 'degraded', message: `poll failed: ${(error as Error).message}` };
        ctx.log.warn({ err: error }, 'netfs: poll failed');
      });
      loop.start();
    },
    async stop(): Promise<void> {
      await loop?.stop();
    },
    health: () => health,
    stats: () => ({ ...stats }),
  };
}

function draft(network: INetworkEvent, timeUnixUs: number, observedTimeUnixUs: number): EventDraft {
  return { sensor: 'netfs', timeUnixUs, observedTimeUnixUs, network };
}
