import { InosecError, type ISystemService } from '@inosec/protos';
import type { EventDraft, Sensor, SensorContext, SensorHealth } from '../sensor.js';
import { nowUnixUs } from '../sensor.js';
import { execRunner, type CommandRunner } from './command-runner.js';
import { collectInventory, type InventorySource } from './inventory-collector.js';
import { DEFAULT_MAX_SNAPSHOT_BYTES, encodedSize, splitSnapshot } from './snapshot-splitter.js';

/** The sensor name written to Event.sensor. */
export const INVENTORY_SENSOR_NAME = 'inventory';
/** Snapshot period when the policy sets none: once a day. */
export const DEFAULT_INVENTORY_INTERVAL_SECONDS = 86_400;

/** A policy option that is not a valid value. */
export class InventoryConfigError extends InosecError {
  constructor(message: string) {
    super('inventory_config_invalid', message);
  }
}

/** Construction options; the policy brings the interval and `max_snapshot_bytes`. */
export interface InventorySensorOptions {
  /** Listening sockets as services; the agent wires it to the network sensor. */
  listeningServices?: () => Promise<ISystemService[]>;
  /** Root the host files are read under (tests use a crafted tree); "/" by default. */
  rootDir?: string;
  procRoot?: string;
  sysRoot?: string;
  /** Runs systemctl and rpm; execFile with a timeout by default. */
  run?: CommandRunner;
  /** Directories searched for rpm; the usual bin directories by default. */
  binDirs?: readonly string[];
}

/** Figures of the last snapshot. */
export interface SnapshotStats {
  parts: number;
  encodedBytes: number;
  packages: number;
  users: number;
  services: number;
  interfaces: number;
  cpuMs: number;
  durationMs: number;
}

/**
 * Inventory (`inventory`): at start and every policy interval (default 24 h) one InventorySnapshot event (os,
 * packages, users, services, interfaces, boot time). A snapshot whose encoding exceeds `max_snapshot_bytes`
 * (default 3 MiB) is split by packages into several events emitted together with the same event time.
 */
export class InventorySensor implements Sensor {
  readonly name = INVENTORY_SENSOR_NAME;
  private ctx: SensorContext | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SnapshotStats | undefined> | undefined;
  private first: Promise<unknown> = Promise.resolve();
  private maxBytes = DEFAULT_MAX_SNAPSHOT_BYTES;
  private problems: string[] = [];
  private lastStats: SnapshotStats | undefined;
  private failed: string | undefined;
  private readonly run: CommandRunner;

  constructor(private readonly options: InventorySensorOptions = {}) {
    this.run = options.run ?? execRunner();
  }

  async start(ctx: SensorContext): Promise<void> {
    this.ctx = ctx;
    const raw = ctx.policy.options?.['max_snapshot_bytes'];
    if (raw !== undefined && raw !== '') {
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < 1024) {
        throw new InventoryConfigError(
          `inventory option max_snapshot_bytes must be an integer >= 1024, got "${raw}"`,
        );
      }
      this.maxBytes = n;
    }
    const seconds = ctx.policy.intervalSeconds || DEFAULT_INVENTORY_INTERVAL_SECONDS;
    this.first = this.snapshotNow();
    this.timer = setInterval(() => void this.snapshotNow(), seconds * 1000);
    this.timer.unref();
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** Resolves when the start-up snapshot is emitted. */
  async whenReady(): Promise<void> {
    await this.first;
  }

  /** Figures of the last snapshot, if any. */
  get stats(): SnapshotStats | undefined {
    return this.lastStats;
  }

  /** Collects and emits one snapshot now (a snapshot already running is awaited instead). */
  snapshotNow(): Promise<SnapshotStats | undefined> {
    this.running ??= this.collectAndEmit().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  health(): SensorHealth {
    if (this.failed !== undefined) return { state: 'failed', message: this.failed };
    if (this.problems.length > 0)
      return { state: 'degraded', message: `incomplete: ${this.problems.join('; ')}` };
    return { state: 'running' };
  }

  private async collectAndEmit(): Promise<SnapshotStats | undefined> {
    const ctx = this.ctx;
    if (!ctx) return undefined;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const problems: string[] = [];
    try {
      const snapshot = await collectInventory({
        rootDir: this.options.rootDir ?? '/',
        procRoot: this.options.procRoot ?? '/proc',
        sysRoot: this.options.sysRoot ?? '/sys',
        run: this.run,
        listeningServices: this.options.listeningServices,
        binDirs: this.options.binDirs ?? ['/usr/bin', '/bin', '/usr/sbin', '/sbin'],
        onError: (source: InventorySource, err: unknown) => {
          ctx.counters.inc(`inventory.${source}_errors`);
          // systemctl is absent in containers and on non-systemd hosts: expected, not a fault of the sensor.
          if (source !== 'systemd') problems.push(`${source}: ${String(err)}`);
          ctx.log.debug({ source, err }, 'inventory source failed');
        },
        onBad: (source: InventorySource, count: number) => ctx.counters.inc(`inventory.${source}_bad`, count),
      });
      const parts = splitSnapshot(snapshot, this.maxBytes);
      const sizes = parts.map(encodedSize);
      if (sizes.some((s) => s > this.maxBytes)) ctx.counters.inc('inventory.oversized_snapshots');
      if (parts.length > 1) ctx.counters.inc('inventory.split_snapshots');
      const now = nowUnixUs();
      const events: EventDraft[] = parts.map((inventory) => ({
        sensor: this.name,
        timeUnixUs: now,
        observedTimeUnixUs: now,
        inventory,
      }));
      const d = process.cpuUsage(cpu0);
      const stats: SnapshotStats = {
        parts: parts.length,
        encodedBytes: sizes.reduce((a, b) => a + b, 0),
        packages: snapshot.packages?.length ?? 0,
        users: snapshot.users?.length ?? 0,
        services: snapshot.services?.length ?? 0,
        interfaces: snapshot.interfaces?.length ?? 0,
        cpuMs: Math.round((d.user + d.system) / 1000),
        durationMs: Math.round(performance.now() - t0),
      };
      await ctx.emit(events);
      ctx.counters.inc('inventory.snapshots');
      ctx.log.info({ ...stats }, 'inventory snapshot emitted');
      this.problems = problems;
      this.failed = undefined;
      this.lastStats = stats;
      return stats;
    } catch (err) {
      ctx.counters.inc('inventory.snapshot_errors');
      this.failed = `inventory snapshot failed: ${String(err)}`;
      ctx.log.warn({ err }, 'inventory snapshot failed');
      return undefined;
    }
  }
}

/** A new inventory sensor. */
export function createInventorySensor(options?: InventorySensorOptions): InventorySensor {
  return new InventorySensor(options);
}
