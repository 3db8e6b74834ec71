import { InosecError, type ISensorPolicy } from '@inosec/protos';
import type { EventDraft, Sensor, SensorContext, SensorHealth } from '../sensor.js';
import { nowUnixUs } from '../sensor.js';
import {
  DEFAULT_HOST_METRICS_SETTINGS,
  HostMetricsCollector,
  type HostMetricsSettings,
} from './host-metrics-collector.js';

/** The sensor name written to Event.sensor. */
export const METRICS_SENSOR_NAME = 'metrics';
/** Poll period when the policy sets none. */
export const DEFAULT_METRICS_INTERVAL_SECONDS = 10;

/** A metrics policy option that is not a valid value. */
export class MetricsConfigError extends InosecError {
  constructor(message: string) {
    super('metrics_config_invalid', message);
  }
}

/** Construction options: where procfs and sysfs are (tests), anything else comes from the policy. */
export interface HostMetricsSensorOptions {
  procRoot?: string;
  sysRoot?: string;
}

/**
 * Resolves the policy's options (strings): `include_pseudo_fs`, `include_remote_fs`, `include_loopback`,
 * `per_cpu` (all false by default), `disk_io` (true), `statfs_timeout_ms` (2000).
 */
export function resolveMetricsSettings(
  policy: ISensorPolicy,
  base: HostMetricsSettings = DEFAULT_HOST_METRICS_SETTINGS,
): HostMetricsSettings {
  const o = policy.options ?? {};
  const timeout = o['statfs_timeout_ms'];
  const timeoutMs = timeout === undefined ? base.statfsTimeoutMs : Number(timeout);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new MetricsConfigError(
      `metrics option statfs_timeout_ms must be a positive integer, got "${timeout}"`,
    );
  }
  return {
    ...base,
    includePseudoFs: bool(o, 'include_pseudo_fs', base.includePseudoFs),
    includeRemoteFs: bool(o, 'include_remote_fs', base.includeRemoteFs),
    includeLoopback: bool(o, 'include_loopback', base.includeLoopback),
    perCpu: bool(o, 'per_cpu', base.perCpu),
    diskIo: bool(o, 'disk_io', base.diskIo),
    statfsTimeoutMs: timeoutMs,
  };
}

function bool(o: Record<string, string>, key: string, fallback: boolean): boolean {
  const raw = o[key];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new MetricsConfigError(`metrics option ${key} must be true or false, got "${raw}"`);
}

/**
 * Host metrics (`metrics`): every policy interval (default 10 s) one Metric event per data point, OpenTelemetry
 * host-metrics names and UCUM units, read from /proc and statfs(2) without spawning processes.
 */
export class HostMetricsSensor implements Sensor {
  readonly name = METRICS_SENSOR_NAME;
  private timer: NodeJS.Timeout | undefined;
  private collector: HostMetricsCollector | undefined;
  private ctx: SensorContext | undefined;
  private polling: Promise<void> | undefined;
  private lastError: string | undefined;
  private failuresInARow = 0;

  constructor(private readonly options: HostMetricsSensorOptions = {}) {}

  async start(ctx: SensorContext): Promise<void> {
    this.ctx = ctx;
    const settings = resolveMetricsSettings(ctx.policy, {
      ...DEFAULT_HOST_METRICS_SETTINGS,
      ...(this.options.procRoot ? { procRoot: this.options.procRoot } : {}),
      ...(this.options.sysRoot ? { sysRoot: this.options.sysRoot } : {}),
    });
    this.collector = new HostMetricsCollector(settings, (source, err) => {
      ctx.counters.inc(`metrics.${source}_errors`);
      this.lastError = `${source}: ${String(err)}`;
      ctx.log.debug({ source, err }, 'metrics source failed');
    });
    this.collector.prime();
    const seconds = ctx.policy.intervalSeconds || DEFAULT_METRICS_INTERVAL_SECONDS;
    this.timer = setInterval(() => {
      if (!this.polling) this.polling = this.pollOnce().finally(() => (this.polling = undefined));
    }, seconds * 1000);
    this.timer.unref();
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** One poll now: collects and emits; resolves once the events are spooled. Also what the timer runs. */
  async pollOnce(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || !this.collector) return;
    this.lastError = undefined;
    try {
      const metrics = await this.collector.collect();
      const now = nowUnixUs();
      const events: EventDraft[] = metrics.map((metric) => ({
        sensor: this.name,
        timeUnixUs: now,
        observedTimeUnixUs: now,
        metric,
      }));
      ctx.counters.inc('metrics.polls');
      ctx.counters.inc('metrics.points', events.length);
      this.failuresInARow = events.length === 0 ? this.failuresInARow + 1 : 0;
      if (events.length > 0) await ctx.emit(events);
    } catch (err) {
      this.failuresInARow++;
      this.lastError = String(err);
      ctx.counters.inc('metrics.poll_errors');
      ctx.log.warn({ err }, 'metrics poll failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  health(): SensorHealth {
    if (this.failuresInARow >= 3)
      return { state: 'failed', message: this.lastError ?? 'no metrics collected' };
    if (this.lastError !== undefined) return { state: 'degraded', message: this.lastError };
    return { state: 'running' };
  }
}

/** A new metrics sensor. */
export function createHostMetricsSensor(options?: HostMetricsSensorOptions): HostMetricsSensor {
  return new HostMetricsSensor(options);
}
