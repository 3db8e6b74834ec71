import { readFileSync, readlinkSync, readdirSync } from 'node:fs';
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
