import { closeSync, openSync, readFileSync, readSync, readlinkSync, readdirSync } from 'node:fs';
import { ProcfsReadError } from './procfs-errors.js';

/** Where /proc is mounted; every reader takes a root so tests can use a crafted directory tree. */
export const DEFAULT_PROC_ROOT = '/proc';

/** errno codes meaning "the process (or file) is gone": a normal race when reading /proc, not an error. */
const GONE = new Set(['ENOENT', 'ESRCH', 'ENOTDIR']);
/** errno codes meaning "not allowed": normal for an unprivileged agent or a protected process. */
const DENIED = new Set(['EACCES', 'EPERM']);

function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** True when the error means the file or process vanished (ENOENT, ESRCH). */
export function isGone(error: unknown): boolean {
  const code = errno(error);
  return code !== undefined && GONE.has(code);
}

/** True when the error means access was refused (EACCES, EPERM). */
export function isDenied(error: unknown): boolean {
  const code = errno(error);
  return code !== undefined && DENIED.has(code);
}

/**
 * Reads a small /proc file in one syscall sequence (readFileSync is the cheapest way for files of a page or two).
 * Returns null when the file or its process has gone; throws {@link ProcfsReadError} for any other failure.
 */
export function readProcText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isGone(error)) return null;
    throw new ProcfsReadError(path, { cause: error });
  }
}

/** One buffer for every read below: the agent reads /proc from its one JavaScript thread. */
let shared: Buffer | undefined;
const SHARED_BYTES = 65_536;

/**
 * The kernel's seq_file buffer starts at a page (4 KiB, or more with bigger pages). A read that returned less
 * than a page minus the longest table line ended because the table did: had the buffer filled, the next line
 * would not have fit, and at most a line's width would be left over.
 */
const SEQ_PAGE = 4_096;
const SEQ_MAX_LINE = 512;

function readOpen(path: string, table: boolean): string {
  shared ??= Buffer.allocUnsafeSlow(SHARED_BYTES);
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    let chunks: Buffer[] | undefined;
    for (;;) {
      // Always offer at least a page, so that a short read means the file's end and not a small buffer.
      if (SHARED_BYTES - length < SEQ_PAGE) {
        (chunks ??= []).push(Buffer.from(shared.subarray(0, length)));
        length = 0;
      }
      const room = SHARED_BYTES - length;
      const n = readSync(fd, shared, length, room, null);
      length += n;
      if (n === 0 || (table ? n <= SEQ_PAGE - SEQ_MAX_LINE : n < room)) break;
    }
    if (!chunks) return shared.toString('utf8', 0, length);
    chunks.push(shared.subarray(0, length));
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a small /proc file that the kernel renders in one go (/proc/<pid>/stat, status...): open, one read,
 * close. readFileSync also asks fstat for a size /proc does not have and reads once more to see the end.
 * Returns null when the file or its process has gone; throws {@link ProcfsReadError} for any other failure.
 */
export function readProcFile(path: string): string | null {
  try {
    return readOpen(path, false);
  } catch (error) {
    if (isGone(error)) return null;
    throw new ProcfsReadError(path, { cause: error });
  }
}

/**
 * Reads a /proc table rendered by seq_file (/proc/net/tcp, tcp6, udp, udp6) without the read that finds its
 * end, when that is known without it. Reading /proc/net/tcp walks the kernel's whole TCP hash table (hundreds of
 * thousands of buckets on a host with much memory: milliseconds even with no socket at all), and the read that
 * returns 0 at the end walks it once more (seq_file starts over to find its position). A read that returns
 * less than a page minus a line's width is the end (see SEQ_PAGE), so a table that fits one page costs one walk
 * instead of two; a longer one is read to its end as before.
 * Returns null when the file does not exist; throws {@link ProcfsReadError} for any other failure.
 */
export function readProcTable(path: string): string | null {
  try {
    return readOpen(path, true);
  } catch (error) {
    if (isGone(error)) return null;
    throw new ProcfsReadError(path, { cause: error });
  }
}

/** Like {@link readProcText} but also returns null when access is refused. */
export function readProcTextIfAllowed(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isGone(error) || isDenied(error)) return null;
    throw new ProcfsReadError(path, { cause: error });
  }
}

/** Reads a /proc symlink (exe, cwd, fd/N); null when gone or refused (kernel threads have no exe). */
export function readProcLink(path: string): string | null {
  try {
    return readlinkSync(path, 'utf8');
  } catch (error) {
    if (isGone(error) || isDenied(error)) return null;
    throw new ProcfsReadError(path, { cause: error });
  }
}

/** The numeric entries of the /proc root: one per process (thread group leader). */
export function listPids(procRoot: string = DEFAULT_PROC_ROOT): number[] {
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch (error) {
    throw new ProcfsReadError(procRoot, { cause: error });
  }
  const pids: number[] = [];
  for (const name of names) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(name);
    if (Number.isSafeInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}
