import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { type IProcess, type IProcessEvent, inosec } from '@inosec/protos';
import type { Logger } from 'pino';
import type { EventDraft, SensorCounters } from '../sensor.js';
import {
  DEFAULT_PROC_ROOT,
  type PidStat,
  ProcfsParseError,
  createGroupCache,
  createUserCache,
  isKernelThread,
  listPids,
  readBootId,
  readPidStat,
  readProcLink,
  readProcTextIfAllowed,
  readSystemStat,
} from '../procfs/index.js';
import type { ExecutableHasher, HashResult } from './executable-hasher.js';
import { ProcessReader } from './process-reader.js';

const Action = inosec.v1.ProcessEvent.Action;
/** Pids read between two yields to the event loop. */
const YIELD_EVERY = 256;
/** Ancestors walked at most (guards against cycles in a racy table). */
const MAX_ANCESTORS = 64;

/** Settings of {@link ProcessPoller}. */
export interface ProcessPollerOptions {
  procRoot?: string;
  etcRoot?: string;
  clockTicks?: number;
  entityIdSalt?: string;
  /** Leave out this pid and its descendants (the agent itself). */
  excludePid?: number;
  hasher: ExecutableHasher;
  /** How long a poll's START events wait for executable hashes before going out without them. */
  hashWaitMs: number;
  /** The same for the baseline (first poll), which has many executables to hash. */
  baselineHashWaitMs: number;
  counters: SensorCounters;
  log?: Logger;
  /**
   * How known processes are checked for exec() in place, per poll. Where /proc shows the program image's
   * addresses (the agent runs as root or with CAP_SYS_PTRACE) the stat already read tells it, whatever this says.
   * Elsewhere: `full` (default) compares comm, the exe link and the command line (two extra syscalls per
   * process); `exe` skips the command line (misses a re-exec of the same binary); `comm` uses only the stat
   * (free; misses exec of a same-named binary).
   */
  execCheck?: 'full' | 'exe' | 'comm';
}

/** What one poll found. */
export interface ProcessPollResult {
  events: EventDraft[];
  /** Processes (pid, start time) that appeared, kernel threads included. */
  newIdentities: number;
  /** Estimate of processes that started and exited between two polls (see ProcessPoller). */
  missedShortLived: number;
  /** User-space processes in the table after the poll. */
  processes: number;
}

interface Tracked {
  stat: PidStat;
  /** Kernel thread or excluded: tracked for identity only, never reported. */
  silent: boolean;
  excluded: boolean;
  process?: IProcess;
  exeLink?: string | null;
  cmdline?: string | null;
}

/**
 * Turns successive /proc listings into process START/EXIT events. A process is identified by (pid, start time
 * in ticks): a new identity is a START, a vanished one an EXIT (without exit code: /proc cannot tell it), and a
 * known identity whose comm, executable or command line changed has exec()'d in place, reported as a new START
 * with the same pid and entity id.
 *
 * Limit: processes that start and exit between two polls are never seen. Their number is estimated from the
 * kernel's fork counter (`processes` in /proc/stat, which counts threads too): forks since the last poll minus
 * new processes seen minus the growth of thread counts, clamped at 0. Threads that came and went between two
 * polls inflate the estimate, so it is an upper bound. The auditd sensor closes the gap (exec events from the
 * kernel); this sensor only counts it, as `process.missed_short_lived`.
 */
export class ProcessPoller {
  private readonly procRoot: string;
  private readonly table = new Map<number, Tracked>();
  private readonly reader: ProcessReader;
  private lastForks: number | undefined;
  private polls = 0;
  /** Sum of {@link ProcessPollResult.missedShortLived} since start. */
  missedShortLivedTotal = 0;

  constructor(private readonly options: ProcessPollerOptions) {
    this.procRoot = options.procRoot ?? DEFAULT_PROC_ROOT;
    const system = readSystemStat(this.procRoot);
    this.reader = new ProcessReader({
      procRoot: this.procRoot,
      bootId: readBootId(this.procRoot),
      bootTimeSeconds: system.bootTimeSeconds,
      clockTicks: options.clockTicks,
      entityIdSalt: options.entityIdSalt,
      users: createUserCache(options.etcRoot),
      groups: createGroupCache(options.etcRoot),
    });
  }

  /** The entity id this poller gives to (pid, start ticks). */
  entityId(pid: number, startTimeTicks: number): string {
    return this.reader.entityId(pid, startTimeTicks);
  }

  /**
   * Lists /proc and diffs it with the previous poll. On the first poll every existing process is new: it is
   * returned as a START (timeUnixUs = its real start time) when `emitBaseline`, else only remembered.
   */
  async poll(emitBaseline = true): Promise<ProcessPollResult> {
    const first = this.polls === 0;
    this.polls += 1;
    const nowUs = Date.now() * 1000;
    const { counters } = this.options;
    const forks = readSystemStat(this.procRoot).forks;
    const stats = await this.readStats();

    const exits: EventDraft[] = [];
    const fresh: PidStat[] = [];
    const execd: PidStat[] = [];
    let threadGrowth = 0;
    for (const stat of stats.values()) {
      const known = this.table.get(stat.pid);
      if (known && known.stat.startTimeTicks === stat.startTimeTicks) {
        threadGrowth += Math.max(0, stat.numThreads - known.stat.numThreads);
        if (!known.silent && this.hasExeced(known, stat)) execd.push(stat);
        known.stat = stat;
        continue;
      }
      if (known) exits.push(...this.exitEvents(known, nowUs)); // pid reused between two polls
      threadGrowth += Math.max(0, stat.numThreads - 1);
      fresh.push(stat);
    }
    for (const [pid, known] of this.table) {
      if (stats.has(pid)) continue;
      exits.push(...this.exitEvents(known, nowUs));
      this.table.delete(pid);
    }

    // Parents start before their children: in start-time order a new parent is in the table before its child.
    fresh.sort((a, b) => a.startTimeTicks - b.startTimeTicks || a.pid - b.pid);
    const starts: IProcessEvent[] = [];
    for (const stat of fresh) {
      const event = this.track(stat);
      if (event) starts.push(event);
    }
    for (const stat of execd) {
      const event = this.track(stat);
      if (event) starts.push(event);
    }

    let missed = 0;
    if (this.lastForks !== undefined) {
      missed = Math.max(0, forks - this.lastForks - fresh.length - threadGrowth);
      if (missed > 0) counters.inc('process.missed_short_lived', missed);
      this.missedShortLivedTotal += missed;
    }
    this.lastForks = forks;

    const emitStarts = !first || emitBaseline;
    if (emitStarts)
      await this.attachHashes(starts, first ? this.options.baselineHashWaitMs : this.options.hashWaitMs);
    const events = [...exits];
    if (emitStarts) {
      for (const payload of starts) {
        events.push({
          sensor: 'procfs',
          timeUnixUs: payload.process?.startTimeUnixUs ?? nowUs,
          observedTimeUnixUs: nowUs,
          process: payload,
        });
      }
    }
    let processes = 0;
    for (const tracked of this.table.values()) if (!tracked.silent) processes += 1;
    return { events, newIdentities: fresh.length, missedShortLived: missed, processes };
  }

  private async readStats(): Promise<Map<number, PidStat>> {
    const stats = new Map<number, PidStat>();
    const pids = listPids(this.procRoot);
    for (let i = 0; i < pids.length; i += 1) {
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToLoop();
      const pid = pids[i] as number;
      try {
        const stat = readPidStat(pid, this.procRoot);
        if (stat) stats.set(pid, stat);
        else this.options.counters.inc('process.vanished');
      } catch (error) {
        this.options.counters.inc(
          error instanceof ProcfsParseError ? 'process.parse_errors' : 'process.read_errors',
        );
        this.options.log?.debug({ err: error, pid }, 'procfs: cannot read stat');
      }
    }
    return stats;
  }

  /**
   * Comm or program image (both free, from stat), else the exe link or command line changed: the process
   * exec()'d a new image. The image, when /proc shows it, decides alone: it catches an exec of the same binary
   * with the same arguments, which the link and command line miss, and a process rewriting its own command line
   * (setproctitle) is not taken for an exec.
   */
  private hasExeced(known: Tracked, stat: PidStat): boolean {
    if (stat.comm !== known.stat.comm) return true;
    if (stat.image !== undefined && known.stat.image !== undefined) return stat.image !== known.stat.image;
    const mode = this.options.execCheck ?? 'full';
    if (mode === 'comm') return false;
    const exe = readProcLink(`${this.procRoot}/${stat.pid}/exe`);
    if (exe !== null && exe !== known.exeLink) return true;
    if (mode === 'exe') return false;
    const cmdline = readProcTextIfAllowed(`${this.procRoot}/${stat.pid}/cmdline`);
    return cmdline !== null && cmdline !== '' && cmdline !== known.cmdline;
  }

  /** Adds or refreshes the table entry of `stat`; returns the START payload when it is reported. */
  private track(stat: PidStat): IProcessEvent | undefined {
    const candidate = this.table.get(stat.ppid);
    // A parent started after its child is a stale entry of a reused pid.
    const parent = candidate && candidate.stat.startTimeTicks <= stat.startTimeTicks ? candidate : undefined;
    const excluded = stat.pid === this.options.excludePid || parent?.excluded === true;
    const silent = excluded || isKernelThread(stat);
    if (silent) {
      this.table.set(stat.pid, { stat, silent, excluded });
      return undefined;
    }
    let snapshot;
    try {
      snapshot = this.reader.read(stat);
    } catch (error) {
      this.options.counters.inc(
        error instanceof ProcfsParseError ? 'process.parse_errors' : 'process.read_errors',
      );
      this.options.log?.debug({ err: error, pid: stat.pid }, 'procfs: cannot read process');
      snapshot = null;
    }
    if (!snapshot) {
      this.options.counters.inc('process.vanished');
      return undefined;
    }
    if (snapshot.exeDeleted) this.options.counters.inc('process.deleted_executable');
    const cmdline = readProcTextIfAllowed(`${this.procRoot}/${stat.pid}/cmdline`);
    this.table.set(stat.pid, {
      stat,
      silent,
      excluded,
      process: snapshot.process,
      exeLink: snapshot.exeLink,
      cmdline,
    });
    return {
      action: Action.ACTION_START,
      process: snapshot.process,
      parent: parent?.process ?? (stat.ppid > 0 ? { pid: stat.ppid } : undefined),
      ancestorEntityIds: this.ancestors(parent),
    };
  }

  /** The EXIT of a reported process ([] for silent ones); exit_code stays absent: /proc polling cannot know it. */
  private exitEvents(known: Tracked, nowUs: number): EventDraft[] {
    if (known.silent || !known.process) return [];
    const parent = this.table.get(known.stat.ppid);
    return [
      {
        sensor: 'procfs',
        timeUnixUs: nowUs,
        observedTimeUnixUs: nowUs,
        process: {
          action: Action.ACTION_EXIT,
          process: known.process,
          parent: parent?.process ?? (known.stat.ppid > 0 ? { pid: known.stat.ppid } : undefined),
          ancestorEntityIds: this.ancestors(parent),
        },
      },
    ];
  }

  /** entity ids of the parent's ancestors, grandparent first, as far as the table knows them. */
  private ancestors(parent: Tracked | undefined): string[] {
    const ids: string[] = [];
    const seen = new Set<number>();
    let pid = parent?.stat.ppid ?? 0;
    while (pid > 0 && ids.length < MAX_ANCESTORS && !seen.has(pid)) {
      seen.add(pid);
      const entry = this.table.get(pid);
      if (!entry?.process?.entityId) break;
      ids.push(entry.process.entityId);
      pid = entry.stat.ppid;
    }
    return ids;
  }

  /**
   * Starts hashing every START's executable and waits at most `waitMs` for all of them. Events whose hash is not
   * ready by then go out without `hash` (counted as `process.hash_late`); the hash still lands in the cache for
   * the next process running that binary. Files that cannot be hashed count as `process.hash_skipped`.
   */
  private async attachHashes(starts: IProcessEvent[], waitMs: number): Promise<void> {
    const results = new Map<IProcessEvent, HashResult>();
    const jobs: Promise<void>[] = [];
    for (const start of starts) {
      const process = start.process;
      if (!process?.executable || !process.pid) continue;
      jobs.push(
        this.options.hasher.hash(process.pid, process.executable).then((result) => {
          results.set(start, result);
        }),
      );
    }
    if (jobs.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(jobs),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
    for (const start of starts) {
      const process = start.process;
      if (!process?.executable) continue;
      const result = results.get(start);
      if (!result) this.options.counters.inc('process.hash_late');
      else if (result.sha256) process.hash = { sha256: result.sha256 };
      else this.options.counters.inc('process.hash_skipped');
    }
  }
}
