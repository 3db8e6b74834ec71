import { readdirSync, readFileSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { inosec, type IMetric } from '@inosec/protos';
import { selectMounts, statFilesystem } from './filesystem-usage.js';
import {
  CPU_STATES,
  cpuUtilization,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMountinfo,
  parseNetDev,
  parseProcStat,
  parseUptime,
  type CpuTimes,
  type NetDevCounters,
} from './proc-parsers.js';

const Kind = inosec.v1.Metric.Kind;
/** USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture. */
const TICKS_PER_SECOND = 100;
const DISK_LIST_TTL_MS = 60_000;

/** What the collector reads and reports. */
export interface HostMetricsSettings {
  /** Root of procfs (tests point it at crafted files). */
  procRoot: string;
  /** Root of sysfs. */
  sysRoot: string;
  includePseudoFs: boolean;
  includeRemoteFs: boolean;
  includeLoopback: boolean;
  perCpu: boolean;
  diskIo: boolean;
  statfsTimeoutMs: number;
}

/** Default settings: the real /proc and /sys, real filesystems, no loopback, aggregate CPU only. */
export const DEFAULT_HOST_METRICS_SETTINGS: HostMetricsSettings = {
  procRoot: '/proc',
  sysRoot: '/sys',
  includePseudoFs: false,
  includeRemoteFs: false,
  includeLoopback: false,
  perCpu: false,
  diskIo: true,
  statfsTimeoutMs: 2000,
};

/** A part of the poll that failed (counted as `metrics.<source>_errors`). */
export type MetricsSource =
  'stat' | 'loadavg' | 'meminfo' | 'netdev' | 'uptime' | 'mounts' | 'statfs' | 'diskstats';

/**
 * Reads /proc and statfs(2) and turns them into OpenTelemetry host-metrics data points. Keeps the previous CPU
 * and network sample: CPU utilisation is the share of each state since the previous `collect` (or since `prime`),
 * network rates the bytes per second since then. No process is spawned.
 */
export class HostMetricsCollector {
  private prevCpu: CpuTimes | undefined;
  private prevPerCpu = new Map<string, CpuTimes>();
  private prevNet: { atMs: number; counters: Map<string, NetDevCounters> } | undefined;
  private bootUs = 0;
  private disks: { at: number; names: Set<string> } | undefined;

  constructor(
    private readonly settings: HostMetricsSettings = DEFAULT_HOST_METRICS_SETTINGS,
    private readonly onError: (source: MetricsSource, err: unknown) => void = () => undefined,
  ) {}

  /** Takes the first CPU and network sample, so that the first collect() has rates to report. */
  prime(): void {
    const stat = this.readCpu();
    this.prevCpu = stat?.total;
    if (stat) this.prevPerCpu = new Map(stat.perCpu);
    const net = this.readNet();
    if (net) this.prevNet = { atMs: Date.now(), counters: net };
  }

  /** One poll: every metric as an IMetric (the sensor wraps each into an event). */
  async collect(): Promise<IMetric[]> {
    const out: IMetric[] = [];
    const nowMs = Date.now();
    this.cpuMetrics(out);
    this.loadMetrics(out);
    this.memoryMetrics(out);
    this.networkMetrics(out, nowMs);
    if (this.settings.diskIo) this.diskMetrics(out, nowMs);
    const uptime = this.read('uptime', 'uptime', parseUptime);
    if (uptime !== undefined) out.push(gauge('system.uptime', uptime, 's'));
    await this.filesystemMetrics(out);
    return out;
  }

  private read<T>(source: MetricsSource, file: string, parse: (text: string) => T): T | undefined {
    try {
      return parse(readFileSync(path.join(this.settings.procRoot, file), 'utf8'));
    } catch (err) {
      this.onError(source, err);
      return undefined;
    }
  }

  private readCpu(): ReturnType<typeof parseProcStat> | undefined {
    const stat = this.read('stat', 'stat', parseProcStat);
    if (stat?.bootTimeSeconds !== undefined) this.bootUs = stat.bootTimeSeconds * 1_000_000;
    return stat;
  }

  private cpuMetrics(out: IMetric[]): void {
    const stat = this.readCpu();
    if (!stat?.total) {
      if (stat) this.onError('stat', new Error('no aggregate cpu line in /proc/stat'));
      return;
    }
    const cur = stat.total;
    out.push(gauge('system.cpu.logical.count', stat.perCpu.size, '{cpu}'));
    for (const s of CPU_STATES) {
      out.push(counter('system.cpu.time', cur[s] / TICKS_PER_SECOND, 's', this.bootUs, { state: s }));
    }
    if (this.prevCpu) {
      const u = cpuUtilization(this.prevCpu, cur);
      if (u) {
        out.push(gauge('system.cpu.utilization', u.busy, '1'));
        for (const s of CPU_STATES) out.push(gauge('system.cpu.utilization', u[s], '1', { state: s }));
      }
    }
    this.prevCpu = cur;
    if (this.settings.perCpu) {
      for (const [cpu, times] of stat.perCpu) {
        const prev = this.prevPerCpu.get(cpu);
        const u = prev ? cpuUtilization(prev, times) : undefined;
        if (u) out.push(gauge('system.cpu.utilization', u.busy, '1', { cpu }));
        this.prevPerCpu.set(cpu, times);
      }
    }
  }

  private loadMetrics(out: IMetric[]): void {
    const load = this.read('loadavg', 'loadavg', parseLoadavg);
    if (!load) return;
    out.push(gauge('system.cpu.load_average.1m', load[0], '{thread}'));
    out.push(gauge('system.cpu.load_average.5m', load[1], '{thread}'));
    out.push(gauge('system.cpu.load_average.15m', load[2], '{thread}'));
  }

  private memoryMetrics(out: IMetric[]): void {
    const mem = this.read('meminfo', 'meminfo', parseMeminfo);
    const total = mem?.get('MemTotal');
    if (!mem || total === undefined || total <= 0) return;
    const free = mem.get('MemFree') ?? 0;
    const buffered = mem.get('Buffers') ?? 0;
    const cached = mem.get('Cached') ?? 0;
    const slabReclaimable = mem.get('SReclaimable') ?? 0;
    const used = Math.max(0, total - free - buffered - cached - slabReclaimable);
    const states: [string, number][] = [
      ['used', used],
      ['free', free],
      ['buffered', buffered],
      ['cached', cached],
      ['slab_reclaimable', slabReclaimable],
    ];
    for (const [state, v] of states) out.push(gauge('system.memory.usage', v, 'By', { state }));
    for (const [state, v] of states) out.push(gauge('system.memory.utilization', v / total, '1', { state }));
    out.push(gauge('system.memory.limit', total, 'By'));
    const available = mem.get('MemAvailable');
    if (available !== undefined) out.push(gauge('system.linux.memory.available', available, 'By'));
    const swapTotal = mem.get('SwapTotal') ?? 0;
    const swapFree = mem.get('SwapFree') ?? 0;
    out.push(gauge('system.paging.usage', swapTotal - swapFree, 'By', { state: 'used' }));
    out.push(gauge('system.paging.usage', swapFree, 'By', { state: 'free' }));
    if (swapTotal > 0) {
      out.push(
        gauge('system.paging.utilization', (swapTotal - swapFree) / swapTotal, '1', { state: 'used' }),
      );
    }
  }

  private readNet(): Map<string, NetDevCounters> | undefined {
    return this.read('netdev', 'net/dev', parseNetDev);
  }

  private networkMetrics(out: IMetric[], nowMs: number): void {
    const net = this.readNet();
    if (!net) return;
    const prev = this.prevNet;
    const dtS = prev ? (nowMs - prev.atMs) / 1000 : 0;
    for (const [device, c] of net) {
      if (device === 'lo' && !this.settings.includeLoopback) continue;
      const pairs: [string, string, number, number][] = [
        ['system.network.io', 'By', c.rxBytes, c.txBytes],
        ['system.network.packets', '{packet}', c.rxPackets, c.txPackets],
        ['system.network.errors', '{error}', c.rxErrors, c.txErrors],
        ['system.network.dropped', '{packet}', c.rxDropped, c.txDropped],
      ];
      for (const [name, unit, rx, tx] of pairs) {
        out.push(counter(name, rx, unit, this.bootUs, { device, direction: 'receive' }));
        out.push(counter(name, tx, unit, this.bootUs, { device, direction: 'transmit' }));
      }
      const before = prev?.counters.get(device);
      if (before && dtS > 0 && c.rxBytes >= before.rxBytes && c.txBytes >= before.txBytes) {
        out.push(
          gauge('system.network.io.rate', (c.rxBytes - before.rxBytes) / dtS, 'By/s', {
            device,
            direction: 'receive',
          }),
        );
        out.push(
          gauge('system.network.io.rate', (c.txBytes - before.txBytes) / dtS, 'By/s', {
            device,
            direction: 'transmit',
          }),
        );
      }
    }
    this.prevNet = { atMs: nowMs, counters: net };
  }

  private diskMetrics(out: IMetric[], nowMs: number): void {
    const stats = this.read('diskstats', 'diskstats', parseDiskstats);
    if (!stats) return;
    const disks = this.wholeDisks(nowMs);
    for (const [device, d] of stats) {
      if (!disks.has(device)) continue;
      out.push(counter('system.disk.io', d.readBytes, 'By', this.bootUs, { device, direction: 'read' }));
      out.push(counter('system.disk.io', d.writeBytes, 'By', this.bootUs, { device, direction: 'write' }));
      out.push(
        counter('system.disk.operations', d.readOps, '{operation}', this.bootUs, {
          device,
          direction: 'read',
        }),
      );
      out.push(
        counter('system.disk.operations', d.writeOps, '{operation}', this.bootUs, {
          device,
          direction: 'write',
        }),
      );
      out.push(counter('system.disk.io_time', d.ioTimeMs / 1000, 's', this.bootUs, { device }));
    }
  }

  /** Whole block devices (not partitions, loop or RAM disks), from /sys/block, cached for a minute. */
  private wholeDisks(nowMs: number): Set<string> {
    if (this.disks && nowMs - this.disks.at < DISK_LIST_TTL_MS) return this.disks.names;
    let names: string[] = [];
    try {
      names = readdirSync(path.join(this.settings.sysRoot, 'block')).filter(
        (n) => !/^(loop|ram|fd)\d*/.test(n),
      );
    } catch (err) {
      this.onError('diskstats', err);
    }
    this.disks = { at: nowMs, names: new Set(names) };
    return this.disks.names;
  }

  private async filesystemMetrics(out: IMetric[]): Promise<void> {
    let text: string;
    try {
      text = await fsp.readFile(path.join(this.settings.procRoot, 'self/mountinfo'), 'utf8');
    } catch (err) {
      this.onError('mounts', err);
      return;
    }
    const mounts = selectMounts(parseMountinfo(text), {
      includePseudo: this.settings.includePseudoFs,
      includeRemote: this.settings.includeRemoteFs,
    });
    const usages = await Promise.all(
      mounts.map((m) => statFilesystem(m.mountPoint, this.settings.statfsTimeoutMs)),
    );
    mounts.forEach((m, i) => {
      const u = usages[i];
      if (!u) {
        this.onError('statfs', new Error(`statfs ${m.mountPoint} failed or timed out`));
        return;
      }
      const attrs = { device: m.source, mountpoint: m.mountPoint, type: m.fsType };
      out.push(gauge('system.filesystem.usage', u.usedBytes, 'By', { ...attrs, state: 'used' }));
      out.push(gauge('system.filesystem.usage', u.freeBytes, 'By', { ...attrs, state: 'free' }));
      out.push(gauge('system.filesystem.usage', u.reservedBytes, 'By', { ...attrs, state: 'reserved' }));
      const denominator = u.usedBytes + u.freeBytes;
      if (denominator > 0)
        out.push(gauge('system.filesystem.utilization', u.usedBytes / denominator, '1', attrs));
      out.push(gauge('system.filesystem.inodes.usage', u.usedInodes, '{inode}', { ...attrs, state: 'used' }));
      out.push(gauge('system.filesystem.inodes.usage', u.freeInodes, '{inode}', { ...attrs, state: 'free' }));
    });
  }
}

function gauge(name: string, value: number, unit: string, attributes?: Record<string, string>): IMetric {
  const m: IMetric = { name, value, unit, kind: Kind.KIND_GAUGE };
  if (attributes) m.attributes = attributes;
  return m;
}

function counter(
  name: string,
  value: number,
  unit: string,
  startTimeUnixUs: number,
  attributes?: Record<string, string>,
): IMetric {
  const m: IMetric = { name, value, unit, kind: Kind.KIND_COUNTER, startTimeUnixUs };
  if (attributes) m.attributes = attributes;
  return m;
}
