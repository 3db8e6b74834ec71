import { DEFAULT_PROC_ROOT, readProcText } from './proc-files.js';
import { ProcfsParseError, ProcfsReadError } from './procfs-errors.js';

/**
 * USER_HZ, the unit of the tick counts in /proc/<pid>/stat. It is 100 on every mainstream Linux architecture
 * (x86, arm, arm64, riscv; `getconf CLK_TCK` on this machine says 100). The sensors take it as an option
 * rather than spawning getconf.
 */
export const DEFAULT_CLOCK_TICKS = 100;

/** The system-wide counters of /proc/stat the sensors use. */
export interface SystemStat {
  /** Boot time, seconds since the epoch (whole seconds: process start times derived from it share that error). */
  bootTimeSeconds: number;
  /** Forks (processes AND threads created) since boot: the kernel's total_forks. */
  forks: number;
}

/** Parses the btime and processes lines of /proc/stat. */
export function parseSystemStat(text: string, path = 'stat'): SystemStat {
  const btime = /^btime (\d+)$/m.exec(text);
  const processes = /^processes (\d+)$/m.exec(text);
  if (!btime?.[1] || !processes?.[1]) throw new ProcfsParseError(path, 'no btime/processes line');
  return { bootTimeSeconds: Number(btime[1]), forks: Number(processes[1]) };
}

/** Reads /proc/stat. Throws when /proc is not available. */
export function readSystemStat(procRoot: string = DEFAULT_PROC_ROOT): SystemStat {
  const path = `${procRoot}/stat`;
  const text = readProcText(path);
  if (text === null) throw new ProcfsReadError(path);
  return parseSystemStat(text, path);
}

/** The kernel's random boot id (a UUID, new at each boot). Throws when unavailable. */
export function readBootId(procRoot: string = DEFAULT_PROC_ROOT): string {
  const path = `${procRoot}/sys/kernel/random/boot_id`;
  const text = readProcText(path);
  const id = text?.trim();
  if (!id) throw new ProcfsReadError(path);
  return id;
}

/** Converts a start time in clock ticks since boot to microseconds since the epoch. */
export function ticksToUnixUs(
  ticks: number,
  bootTimeSeconds: number,
  clockTicks: number = DEFAULT_CLOCK_TICKS,
): number {
  return bootTimeSeconds * 1_000_000 + Math.round((ticks * 1_000_000) / clockTicks);
}
