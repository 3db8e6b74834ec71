import { inosec } from '@inosec/protos';
import type { EventDraft, Sensor, SensorContext, SensorHealth } from '../sensor.js';
import { nowUnixUs } from '../sensor.js';

const v1 = inosec.v1;

export interface SyntheticSensorOptions {
  /** Events to produce in all; 0 for no limit. */
  total: number;
  /** Events per second; 0 for as fast as the spool takes them. */
  rate: number;
  /** Events per emit. */
  chunk?: number;
}

/** One event of a realistic mix: process starts, connections, auth failures, log lines, metrics, file changes. */
export function syntheticEvent(n: number): EventDraft {
  const time = nowUnixUs();
  const base = { timeUnixUs: time, observedTimeUnixUs: time, sensor: 'synthetic' };
  switch (n % 6) {
    case 0:
      return {
        ...base,
        process: {
          action: v1.ProcessEvent.Action.ACTION_START,
          process: {
            pid: 10_000 + (n % 50_000),
            ppid: 1,
            entityId: `syn-${n}`,
            executable: '/usr/bin/curl',
            name: 'curl',
            commandLine: `curl -fsS https://updates.example.com/feed/${n}`,
            args: ['curl', '-fsS', `https://updates.example.com/feed/${n}`],
            user: { id: '1000', name: 'deploy' },
            hash: { sha256: '4f1d6b3c0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c' },
            startTimeUnixUs: time,
          },
          parent: { pid: 1, entityId: 'syn-init', name: 'systemd', executable: '/usr/lib/systemd/systemd' },
        },
      };
    case 1:
      return {
        ...base,
        network: {
          kind: v1.NetworkEvent.Kind.KIND_CONNECTION,
          transport: v1.NetworkEvent.Transport.TRANSPORT_TCP,
          ianaNumber: 6,
          direction: v1.NetworkEvent.Direction.DIRECTION_OUTBOUND,
          source: { ip: '10.20.0.15', port: 32_768 + (n % 28_000) },
          destination: { ip: '93.184.216.34', port: 443 },
          process: { pid: 10_000 + (n % 50_000), name: 'curl', entityId: `syn-${n - 1}` },
          state: 'ESTABLISHED',
        },
      };
    case 2:
      return {
        ...base,
        auth: {
          kind: v1.AuthEvent.Kind.KIND_SSH,
          action: v1.AuthEvent.Action.ACTION_LOGON,
          outcome: v1.AuthEvent.Outcome.OUTCOME_FAILURE,
          user: { name: 'admin' },
          source: { ip: '203.0.113.45', port: 40_000 + (n % 20_000) },
          method: 'password',
          service: 'sshd',
          reason: 'invalid user',
          process: { pid: 812, name: 'sshd' },
        },
      };
    case 3:
      return {
        ...base,
        log: {
          original: `Nov 21 10:00:00 web-01 CRON[${n % 30_000}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)`,
          message: '(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)',
          program: 'CRON',
          pid: n % 30_000,
          source: '/var/log/syslog',
        },
      };
    case 4:
      return {
        ...base,
        metric: {
          name: 'system.cpu.utilization',
          value: (n % 100) / 100,
          unit: '1',
          kind: v1.Metric.Kind.KIND_GAUGE,
          attributes: { state: 'user' },
        },
      };
    default:
      return {
        ...base,
        file: {
          action: v1.FileEvent.Action.ACTION_MODIFIED,
          path: `/etc/app/conf.d/${n % 100}.conf`,
          type: 'file',
          hash: { sha256: '9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab' },
          owner: { id: '0', name: 'root' },
          mode: '0644',
          size: 1_024 + (n % 512),
        },
      };
  }
}

/**
 * A load generator in place of the real sensors (`inosec-agent run --synthetic N`): produces a realistic
 * mix of events at a set rate, through the same spool and transport. For benchmarks and no-loss tests.
 */
export class SyntheticSensor implements Sensor {
  readonly name = 'synthetic';
  private produced = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: SyntheticSensorOptions) {}

  start(ctx: SensorContext): Promise<void> {
    this.running = this.loop(ctx).catch((error: unknown) => {
      if (!this.stopped) ctx.log.error({ err: error }, 'Synthetic load stopped');
    });
    return Promise.resolve();
  }

  private async loop(ctx: SensorContext): Promise<void> {
    const { total, rate } = this.options;
    const chunk =
      this.options.chunk ?? (rate > 0 ? Math.max(1, Math.min(1_000, Math.round(rate / 100))) : 1_000);
    const started = performance.now();
    while (!ctx.signal.aborted && (total === 0 || this.produced < total)) {
      const count = total === 0 ? chunk : Math.min(chunk, total - this.produced);
      const events: EventDraft[] = [];
      for (let i = 0; i < count; i++) events.push(syntheticEvent(this.produced + i));
      await ctx.emit(events);
      this.produced += count;
      ctx.counters.inc('synthetic.events', count);
      if (rate > 0) {
        const due = started + (this.produced / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  health(): SensorHealth {
    return { state: 'running', message: `${this.produced} events produced` };
  }
}
