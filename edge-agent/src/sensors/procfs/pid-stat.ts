import { ProcfsParseError } from './procfs-errors.js';
import { DEFAULT_PROC_ROOT, readProcFile } from './proc-files.js';

/** `PF_KTHREAD` in the task flags (include/linux/sched.h): the task is a kernel thread. */
export const PF_KTHREAD = 0x0020_0000;

/** The fields of /proc/<pid>/stat the sensors use (proc_pid_stat(5)). */
export interface PidStat {
  pid: number;
  /** The task's comm (at most 15 bytes; may contain spaces and parentheses). */
  comm: string;
  /** One letter: R, S, D, Z, T, t, X, I... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Controlling terminal as a device number, 0 when none. */
  ttyNr: number;
  /** Kernel task flags (PF_*). */
  flags: number;
  numThreads: number;
  /** Start time in clock ticks since boot: with the pid, the identity of a process (pids are reused). */
  startTimeTicks: number;
  /**
   * Where the process's program image lies: start and end of its code, start of its stack, start and end of its
   * arguments (fields 26-28, 48-49), joined. exec() maps a new image (at new addresses with address space
   * randomisation, and the argument area moves with the new argv), so a change tells an exec without reading
   * anything else. Undefined when the kernel hides these fields (the reader may not ptrace the process: it
   * shows 1, 1, 0...), for kernel threads and zombies (no memory), and on kernels before 3.5.
   */
  image?: string;
}

/**
 * Parses the text of /proc/<pid>/stat. The comm is delimited by the first '(' and the LAST ')', since a
 * comm may itself contain ') (' or spaces. Throws {@link ProcfsParseError} on a malformed line.
 */
export function parsePidStat(text: string, path = 'stat'): PidStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) throw new ProcfsParseError(path, 'no (comm)');
  const pid = Number(text.slice(0, open).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // rest[0] is field 3 (state); field N of proc_pid_stat(5) is rest[N - 3].
  if (!Number.isSafeInteger(pid) || rest.length < 20) throw new ProcfsParseError(path, 'too few fields');
  const num = (field: number): number => {
    const value = Number(rest[field - 3]);
    if (!Number.isFinite(value)) throw new ProcfsParseError(path, `field ${field} is not a number`);
    return value;
  };
  const startStack = rest[28 - 3];
  const image =
    rest.length >= 49 - 2 && startStack !== undefined && startStack !== '0'
      ? `${rest[26 - 3]}:${rest[27 - 3]}:${startStack}:${rest[48 - 3]}:${rest[49 - 3]}`
      : undefined;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '',
    ppid: num(4),
    pgrp: num(5),
    session: num(6),
    ttyNr: num(7),
    flags: num(9),
    numThreads: num(20),
    startTimeTicks: num(22),
    ...(image ? { image } : {}),
  };
}

/** Reads and parses /proc/<pid>/stat; null when the process has gone (a normal race). */
export function readPidStat(pid: number, procRoot: string = DEFAULT_PROC_ROOT): PidStat | null {
  const path = `${procRoot}/${pid}/stat`;
  const text = readProcFile(path);
  if (text === null || text === '') return null;
  return parsePidStat(text, path);
}

/**
 * Kernel threads have no user space: PF_KTHREAD set, or kthreadd (pid 2) itself. The flag is authoritative:
 * a task whose parent is kthreadd (ppid 2) but without PF_KTHREAD is a user-mode helper the kernel exec'd
 * (modprobe, a core-dump pipe handler): a real user-space program worth reporting, so ppid 2 alone does not
 * make a kernel thread.
 */
export function isKernelThread(stat: PidStat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0 || stat.pid === 2;
}

/**
 * Names a controlling terminal from its device number (Documentation/admin-guide/devices.txt):
 * pts/N (majors 136-143), ttyN and ttySN (major 4), tty and console (major 5). "" when none; "MAJOR:MINOR"
 * for devices without a well-known name.
 */
export function ttyName(ttyNr: number): string {
  if (ttyNr === 0) return '';
  const major = (ttyNr >>> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >>> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  if (major === 5 && minor === 0) return 'tty';
  if (major === 5 && minor === 1) return 'console';
  return `${major}:${minor}`;
}
