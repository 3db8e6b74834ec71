import { createHash } from 'node:crypto';
import { statSync, type BigIntStats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { DEFAULT_PROC_ROOT } from '../procfs/index.js';

/** Outcome of hashing an executable. */
export type HashResult =
  { sha256: string } | { sha256?: undefined; reason: 'too_large' | 'unreadable' | 'gone' | 'changed' };

/** Settings of {@link ExecutableHasher}. */
export interface ExecutableHasherOptions {
  /** Files larger than this are not hashed (reason `too_large`). Default 64 MiB. */
  maxBytes?: number;
  /** Entries kept in the LRU cache keyed by (dev, inode, size, mtime). Default 2048. */
  cacheEntries?: number;
  procRoot?: string;
}

const CHUNK_BYTES = 256 * 1024;

function fileKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
}

/**
 * sha256 of process executables, off the poll path. Hashing runs one file at a time (bounded concurrency 1:
 * the agent must not compete with the host's workload for disk), reads in 256 KiB chunks so the event loop
 * keeps turning, skips files above a size cap, and caches results in an LRU keyed by the file's identity
 * (dev, inode, size, mtime), so each binary is read once however many processes run it.
 *
 * The file is read through /proc/<pid>/exe, which reaches the binary even when it was deleted or lives in
 * another mount namespace (a container); when the process has already exited, the exe path is tried instead
 * and used only if it is still the same file (same dev, inode, size, mtime).
 */
export class ExecutableHasher {
  private readonly cache = new Map<string, HashResult>();
  private readonly inFlight = new Map<string, Promise<HashResult>>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly maxBytes: number;
  private readonly cacheEntries: number;
  private readonly procRoot: string;
  /** Files actually read and hashed (cache misses), for tests and stats. */
  filesHashed = 0;

  constructor(options: ExecutableHasherOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.cacheEntries = options.cacheEntries ?? 2048;
    this.procRoot = options.procRoot ?? DEFAULT_PROC_ROOT;
  }

  /**
   * Starts (or joins) hashing the executable of `pid`. Identifies the file synchronously with one stat(2) of
   * /proc/<pid>/exe (cheap), so the identity is captured while the process still exists; the read happens
   * later in the queue. `exePath` is the fallback when the process is gone by then.
   */
  hash(pid: number, exePath?: string): Promise<HashResult> {
    let st: BigIntStats;
    try {
      st = statSync(`${this.procRoot}/${pid}/exe`, { bigint: true });
    } catch {
      return Promise.resolve({ reason: 'gone' });
    }
    if (!st.isFile()) return Promise.resolve({ reason: 'unreadable' });
    const key = fileKey(st);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return Promise.resolve(cached);
    }
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    if (st.size > BigInt(this.maxBytes)) {
      const result: HashResult = { reason: 'too_large' };
      this.remember(key, result);
      return Promise.resolve(result);
    }
    const job = this.queue.then(() => this.read(pid, exePath, key));
    this.queue = job.catch(() => undefined);
    const tracked = job.then(
      (result) => {
        this.inFlight.delete(key);
        if (!('reason' in result) || result.reason !== 'gone') this.remember(key, result);
        return result;
      },
      (): HashResult => {
        this.inFlight.delete(key);
        return { reason: 'unreadable' };
      },
    );
    this.inFlight.set(key, tracked);
    return tracked;
  }

  /** The cached result for a file identity, if any (for tests). */
  get cacheSize(): number {
    return this.cache.size;
  }

  private remember(key: string, result: HashResult): void {
    this.cache.set(key, result);
    if (this.cache.size > this.cacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private async openSame(pid: number, exePath: string | undefined, key: string): Promise<FileHandle | null> {
    const candidates = [`${this.procRoot}/${pid}/exe`];
    if (exePath && !exePath.endsWith(' (deleted)')) candidates.push(exePath);
    for (const path of candidates) {
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch {
        continue;
      }
      const st = await handle.stat({ bigint: true });
      if (fileKey(st) === key) return handle;
      await handle.close();
    }
    return null;
  }

  private async read(pid: number, exePath: string | undefined, key: string): Promise<HashResult> {
    const handle = await this.openSame(pid, exePath, key);
    if (!handle) return { reason: 'gone' };
    try {
      const digest = createHash('sha256');
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let total = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > this.maxBytes) return { reason: 'too_large' };
        digest.update(buffer.subarray(0, bytesRead));
      }
      // A file rewritten while being read would yield a hash of neither version.
      const after = await handle.stat({ bigint: true });
      if (fileKey(after) !== key) return { reason: 'changed' };
      this.filesHashed += 1;
      return { sha256: digest.digest('hex') };
    } catch {
      return { reason: 'unreadable' };
    } finally {
      await handle.close();
    }
  }
}
