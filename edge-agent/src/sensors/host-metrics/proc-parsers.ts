// Parsers for the /proc files the metrics sensor reads. Pure functions over the file text: a garbled line is
// skipped (and reported through `bad` counts), never thrown on.

/** CPU time per state, in clock ticks (USER_HZ, 100 per second on Linux). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** CPU states in the order /proc/stat lists them (guest time is already inside user and nice). */
export const CPU_STATES: readonly (keyof CpuTimes)[] = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
];

/** What /proc/stat gives the metrics sensor. */
export interface ProcStat {
  /** The aggregate `cpu` line. */
  total: CpuTimes | undefined;
  /** `cpuN` lines, keyed "cpu0", "cpu1"... */
  perCpu: Map<string, CpuTimes>;
  /** Boot time in seconds since the epoch (`btime`). */
  bootTimeSeconds: number | undefined;
}

/** Parses /proc/stat. */
export function parseProcStat(text: string): ProcStat {
  const out: ProcStat = { total: undefined, perCpu: new Map(), bootTimeSeconds: undefined };
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu')) {
      const parts = line.trim().split(/\s+/);
      const name = parts[0] ?? '';
      const nums = parts.slice(1, 9).map(Number);
      if (nums.length < 4 || nums.some((n) => !Number.isFinite(n))) continue;
      const times: CpuTimes = {
        user: nums[0] ?? 0,
        nice: nums[1] ?? 0,
        system: nums[2] ?? 0,
        idle: nums[3] ?? 0,
        iowait: nums[4] ?? 0,
        irq: nums[5] ?? 0,
        softirq: nums[6] ?? 0,
        steal: nums[7] ?? 0,
      };
      if (name === 'cpu') out.total = times;
      else if (/^cpu\d+$/.test(name)) out.perCpu.set(name, times);
    } else if (line.startsWith('btime ')) {
      const v = Number(line.slice(6).trim());
      if (Number.isFinite(v)) out.bootTimeSeconds = v;
    }
  }
  return out;
}

/** Sum of all states. */
export function cpuTotal(t: CpuTimes): number {
  let sum = 0;
  for (const s of CPU_STATES) sum += t[s];
  return sum;
}

/**
 * Share of each state between two samples (0..1), and `busy` = 1 - idle - iowait. Undefined when no tick elapsed
 * or a counter went backwards (CPU hot-unplug, wrap).
 */
export function cpuUtilization(
  prev: CpuTimes,
  cur: CpuTimes,
): (Record<keyof CpuTimes, number> & { busy: number }) | undefined {
  const dt = cpuTotal(cur) - cpuTotal(prev);
  if (!(dt > 0)) return undefined;
  const out = { busy: 0 } as Record<keyof CpuTimes, number> & { busy: number };
  for (const s of CPU_STATES) {
    const d = cur[s] - prev[s];
    if (d < 0) return undefined;
    out[s] = d / dt;
  }
  out.busy = Math.max(0, 1 - out.idle - out.iowait);
  return out;
}

/** /proc/loadavg: the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): [number, number, number] | undefined {
  const parts = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return undefined;
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

/** /proc/meminfo as bytes per key ("MemTotal", "SwapFree"...). Values without a unit are kept as they are. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    out.set(m[1] ?? '', m[3] ? value * 1024 : value);
  }
  return out;
}

/** Counters of one interface from /proc/net/dev. */
export interface NetDevCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/** Parses /proc/net/dev (two header lines, then `iface: 8 rx fields 8 tx fields`). */
export function parseNetDev(text: string): Map<string, NetDevCounters> {
  const out = new Map<string, NetDevCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === '' || f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out.set(name, {
      rxBytes: f[0] ?? 0,
      rxPackets: f[1] ?? 0,
      rxErrors: f[2] ?? 0,
      rxDropped: f[3] ?? 0,
      txBytes: f[8] ?? 0,
      txPackets: f[9] ?? 0,
      txErrors: f[10] ?? 0,
      txDropped: f[11] ?? 0,
    });
  }
  return out;
}

/** /proc/uptime: seconds since boot. */
export function parseUptime(text: string): number | undefined {
  const first = text.trim().split(/\s+/)[0] ?? '';
  const v = Number(first);
  return first !== '' && Number.isFinite(v) ? v : undefined;
}

/** One mount from /proc/self/mountinfo. */
export interface MountEntry {
  /** "major:minor" of the mounted device. */
  deviceId: string;
  mountPoint: string;
  fsType: string;
  /** Mount source (device path, "tmpfs", "server:/export"). */
  source: string;
}

/** Parses /proc/self/mountinfo (`id parent maj:min root mountpoint opts [optional...] - fstype source superopts`). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const deviceId = left[2];
    const mountPoint = left[4];
    const fsType = right[0];
    if (!deviceId || !mountPoint || !fsType) continue;
    out.push({
      deviceId,
      mountPoint: unescapeMount(mountPoint),
      fsType,
      source: unescapeMount(right[1] ?? ''),
    });
  }
  return out;
}

/** Mount tables escape space, tab, newline and backslash as \ooo octal. */
export function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Counters of one block device from /proc/diskstats. */
export interface DiskCounters {
  readOps: number;
  readBytes: number;
  writeOps: number;
  writeBytes: number;
  /** Milliseconds spent doing I/O. */
  ioTimeMs: number;
}

/** Parses /proc/diskstats (sectors are always 512 bytes there). */
export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const out = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const name = f[2] ?? '';
    const n = f.slice(3, 13).map(Number);
    if (name === '' || n.some((x) => !Number.isFinite(x))) continue;
    out.set(name, {
      readOps: n[0] ?? 0,
      readBytes: (n[2] ?? 0) * 512,
      writeOps: n[4] ?? 0,
      writeBytes: (n[6] ?? 0) * 512,
      ioTimeMs: n[9] ?? 0,
    });
  }
  return out;
}
