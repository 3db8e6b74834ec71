import { readdirSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  DEFAULT_PROC_ROOT,
  listPids,
  processEntityId,
  readBootId,
  readPidExe,
  readPidStat,
  readProcLink,
} from '../procfs/index.js';

/** The process holding a socket open. */
export interface SocketOwner {
  pid: number;
  /** Executable base name, or the comm when the executable is unreadable. */
  name: string;
  /** readlink(/proc/<pid>/exe), "" when unreadable. */
  executable: string;
  /** The procfs sensor's entity id of the process, so network events join process events. */
  entityId?: string;
}

/** Cost figures of the last fd scan. */
export interface OwnerScanStats {
  /** Wall time of the scan, ms. */
  ms: number;
  processes: number;
  fds: number;
}

/** Pids scanned between two yields to the event loop. */
const YIELD_EVERY = 32;
/** Cached owners at most. */
const MAX_CACHED = 65_536;

/**
 * Maps socket inodes to owning processes by scanning /proc/<pid>/fd links (`socket:[inode]`). This scan is the
 * expensive part of the network sensor (one readlink per open fd on the host), so it runs only for inodes not in
 * the cache, stops as soon as all of them are found, yields to the event loop every 32 pids, and caches what it
 * found until {@link SocketOwnerIndex.prune} drops inodes that no longer exist. Sockets of processes the agent
 * may not inspect (no CAP_SYS_PTRACE / not root) stay unowned.
 */
export class SocketOwnerIndex {
  private readonly cache = new Map<number, SocketOwner>();
  private bootId: string | null | undefined;
  /** Figures of the last scan (undefined before the first). */
  lastScan: OwnerScanStats | undefined;
  /** Number of scans run. */
  scans = 0;

  constructor(readonly procRoot: string = DEFAULT_PROC_ROOT) {}

  /** Owners of `inodes` (inode 0 and unknown inodes are absent from the result). */
  async owners(inodes: Iterable<number>): Promise<Map<number, SocketOwner>> {
    const result = new Map<number, SocketOwner>();
    const missing = new Set<number>();
    for (const inode of inodes) {
      if (inode === 0) continue;
      const cached = this.cache.get(inode);
      if (cached) result.set(inode, cached);
      else missing.add(inode);
    }
    if (missing.size > 0) await this.scan(missing, result);
    return result;
  }

  /** Forgets cached inodes not in `alive` (closed sockets; inode numbers get reused). */
  prune(alive: ReadonlySet<number>): void {
    for (const inode of this.cache.keys()) if (!alive.has(inode)) this.cache.delete(inode);
  }

  private owner(pid: number): SocketOwner | undefined {
    const stat = readPidStat(pid, this.procRoot);
    if (!stat) return undefined;
    const exe = readPidExe(pid, this.procRoot);
    const executable = exe?.path ?? '';
    const clean = executable.endsWith(' (deleted)') ? executable.slice(0, -10) : executable;
    if (this.bootId === undefined) {
      try {
        this.bootId = readBootId(this.procRoot);
      } catch {
        this.bootId = null;
      }
    }
    return {
      pid,
      name: clean ? clean.slice(clean.lastIndexOf('/') + 1) : stat.comm,
      executable,
      entityId: this.bootId ? processEntityId(this.bootId, pid, stat.startTimeTicks) : undefined,
    };
  }

  private async scan(missing: Set<number>, result: Map<number, SocketOwner>): Promise<void> {
    const started = performance.now();
    let processes = 0;
    let fds = 0;
    const pids = listPids(this.procRoot);
    for (let i = 0; i < pids.length && missing.size > 0; i += 1) {
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToLoop();
      const pid = pids[i]!;
      const dir = `${this.procRoot}/${pid}/fd`;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue; // gone, or not ours to inspect
      }
      processes += 1;
      let owner: SocketOwner | undefined;
      for (const name of names) {
        fds += 1;
        let target: string | null;
        try {
          target = readProcLink(`${dir}/${name}`);
        } catch {
          continue;
        }
        if (target === null || !target.startsWith('socket:[')) continue;
        const inode = Number(target.slice(8, -1));
        if (!missing.has(inode)) continue;
        owner ??= this.owner(pid);
        if (!owner) break;
        if (this.cache.size >= MAX_CACHED) this.cache.clear(); // bound memory when nobody prunes
        this.cache.set(inode, owner);
        result.set(inode, owner);
        missing.delete(inode);
      }
    }
    this.scans += 1;
    this.lastScan = { ms: performance.now() - started, processes, fds };
  }
}

const defaultIndexes = new Map<string, SocketOwnerIndex>();

/**
 * Owners of socket inodes, by pid scan of /proc/<pid>/fd (cached per proc root across calls; only unknown
 * inodes trigger a scan). See {@link SocketOwnerIndex}.
 */
export async function socketOwners(
  inodes: Iterable<number>,
  procRoot: string = DEFAULT_PROC_ROOT,
): Promise<Map<number, SocketOwner>> {
  let index = defaultIndexes.get(procRoot);
  if (!index) {
    index = new SocketOwnerIndex(procRoot);
    defaultIndexes.set(procRoot, index);
  }
  return index.owners(inodes);
}
