import { ProcfsParseError } from './procfs-errors.js';
import { DEFAULT_PROC_ROOT, readProcLink, readProcText, readProcTextIfAllowed } from './proc-files.js';

/** Real and effective ids from a Uid: or Gid: line of /proc/<pid>/status. */
export interface IdPair {
  real: number;
  effective: number;
}

/** The credentials in /proc/<pid>/status. */
export interface PidStatus {
  uid: IdPair;
  gid: IdPair;
}

/** What readlink(/proc/<pid>/exe) says about the executable. */
export interface ExeLink {
  /** The link target as the kernel prints it, " (deleted)" suffix included when the file was unlinked. */
  path: string;
  /** The executable was deleted (or replaced) after the process started it: a classic sign of tampering. */
  deleted: boolean;
}

const DELETED_SUFFIX = ' (deleted)';

function idPair(line: string, path: string): IdPair {
  // "Uid:\t1000\t1000\t1000\t1000": real, effective, saved set, filesystem.
  const fields = line.slice(4).trim().split(/\s+/);
  const real = Number(fields[0]);
  const effective = Number(fields[1]);
  if (fields.length < 2 || !Number.isSafeInteger(real) || !Number.isSafeInteger(effective)) {
    throw new ProcfsParseError(path, `bad line ${JSON.stringify(line)}`);
  }
  return { real, effective };
}

/** Parses the Uid: and Gid: lines of /proc/<pid>/status; throws {@link ProcfsParseError} when either is missing. */
export function parsePidStatus(text: string, path = 'status'): PidStatus {
  let uid: IdPair | undefined;
  let gid: IdPair | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('Uid:')) uid = idPair(line, path);
    else if (line.startsWith('Gid:')) {
      gid = idPair(line, path);
      break; // Gid: follows Uid:; nothing after it is needed.
    }
  }
  if (!uid || !gid) throw new ProcfsParseError(path, 'no Uid:/Gid: line');
  return { uid, gid };
}

/** Reads /proc/<pid>/status; null when the process has gone. */
export function readPidStatus(pid: number, procRoot: string = DEFAULT_PROC_ROOT): PidStatus | null {
  const path = `${procRoot}/${pid}/status`;
  const text = readProcText(path);
  return text === null ? null : parsePidStatus(text, path);
}

/** Splits a NUL-separated argv (the trailing NUL is dropped); [] for kernel threads and zombies. */
export function parseCmdline(raw: string): string[] {
  if (raw === '') return [];
  const args = raw.split('\0');
  if (args[args.length - 1] === '') args.pop();
  return args;
}

/** Reads /proc/<pid>/cmdline as argv; null when gone or refused. */
export function readPidCmdline(pid: number, procRoot: string = DEFAULT_PROC_ROOT): string[] | null {
  const text = readProcTextIfAllowed(`${procRoot}/${pid}/cmdline`);
  return text === null ? null : parseCmdline(text);
}

/** Interprets an exe link target: the " (deleted)" suffix is kept in `path` and flagged. */
export function parseExeLink(target: string): ExeLink {
  return { path: target, deleted: target.endsWith(DELETED_SUFFIX) };
}

/** readlink(/proc/<pid>/exe); null for kernel threads, zombies, gone or protected processes. */
export function readPidExe(pid: number, procRoot: string = DEFAULT_PROC_ROOT): ExeLink | null {
  const target = readProcLink(`${procRoot}/${pid}/exe`);
  return target === null ? null : parseExeLink(target);
}

/** readlink(/proc/<pid>/cwd); null when gone or refused. */
export function readPidCwd(pid: number, procRoot: string = DEFAULT_PROC_ROOT): string | null {
  return readProcLink(`${procRoot}/${pid}/cwd`);
}
