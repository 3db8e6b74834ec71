import type { IProcess } from '@inosec/protos';
import {
  type AccountCache,
  DEFAULT_CLOCK_TICKS,
  DEFAULT_PROC_ROOT,
  type PidStat,
  processEntityId,
  readPidCmdline,
  readPidCwd,
  readPidExe,
  readPidStatus,
  ticksToUnixUs,
  ttyName,
} from '../procfs/index.js';

/** What {@link ProcessReader} needs to know about the machine. */
export interface ProcessReaderOptions {
  procRoot?: string;
  bootId: string;
  bootTimeSeconds: number;
  clockTicks?: number;
  /** Mixed into entity ids (the agent id), see processEntityId. */
  entityIdSalt?: string;
  users: AccountCache;
  groups: AccountCache;
}

/** A process as read from /proc, plus what exec() detection compares on the next polls. */
export interface ProcessSnapshot {
  process: IProcess;
  /** readlink(exe) as read, null when unreadable. */
  exeLink: string | null;
  /** The executable was deleted after start (exe link ends in " (deleted)"). */
  exeDeleted: boolean;
}

function baseName(path: string): string {
  const clean = path.endsWith(' (deleted)') ? path.slice(0, -' (deleted)'.length) : path;
  return clean.slice(clean.lastIndexOf('/') + 1);
}

/** Builds the ECS/OCSF-shaped Process record of a pid from its /proc files. */
export class ProcessReader {
  private readonly procRoot: string;
  private readonly clockTicks: number;

  constructor(private readonly options: ProcessReaderOptions) {
    this.procRoot = options.procRoot ?? DEFAULT_PROC_ROOT;
    this.clockTicks = options.clockTicks ?? DEFAULT_CLOCK_TICKS;
  }

  /** The entity id of the process (pid, start ticks) in this boot. */
  entityId(pid: number, startTimeTicks: number): string {
    return processEntityId(this.options.bootId, pid, startTimeTicks, this.options.entityIdSalt);
  }

  /** Microseconds since the epoch of a start time in ticks since boot. */
  startTimeUnixUs(startTimeTicks: number): number {
    return ticksToUnixUs(startTimeTicks, this.options.bootTimeSeconds, this.clockTicks);
  }

  /**
   * Reads the process described by `stat`. Returns null when it vanished while being read (its status file is
   * gone). Unreadable exe/cwd/cmdline (a protected process) leave those fields empty instead.
   */
  read(stat: PidStat): ProcessSnapshot | null {
    const { pid } = stat;
    const status = readPidStatus(pid, this.procRoot);
    if (!status) return null;
    const args = readPidCmdline(pid, this.procRoot) ?? [];
    const exe = readPidExe(pid, this.procRoot);
    const cwd = readPidCwd(pid, this.procRoot);
    const uid = status.uid.effective;
    const gid = status.gid.effective;
    const process: IProcess = {
      pid,
      ppid: stat.ppid,
      entityId: this.entityId(pid, stat.startTimeTicks),
      executable: exe?.path ?? '',
      name: exe ? baseName(exe.path) : stat.comm,
      commandLine: args.join(' '),
      args,
      workingDirectory: cwd ?? '',
      user: { id: String(uid), name: this.options.users.lookup(uid) ?? '' },
      group: { id: String(gid), name: this.options.groups.lookup(gid) ?? '' },
      startTimeUnixUs: this.startTimeUnixUs(stat.startTimeTicks),
      sessionId: stat.session,
      tty: ttyName(stat.ttyNr),
    };
    return { process, exeLink: exe?.path ?? null, exeDeleted: exe?.deleted ?? false };
  }
}
