import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { recordFromStats, statUnchanged, type FileRecord } from './file-record.js';
import type { HashPool } from './file-hasher.js';
import { depthBelow } from './path-exclusion.js';

/** Entries stat'ed (and hashed) together; bounds thread-pool pressure from one directory. */
const ENTRY_BATCH = 16;

/** What a scan may visit and hash. */
export interface ScanSettings {
  maxDepth: number;
  crossFilesystems: boolean;
  maxFileBytes: number;
  maxFiles: number;
  verifyHashes: 'changed' | 'always';
  isExcluded(filePath: string): boolean;
}

/** Where a scan reports what it meets besides records. */
export interface ScanHooks {
  /** Records of the last baseline: a hash is reused when the stat is unchanged (verify_hashes=changed). */
  previous?: ReadonlyMap<string, FileRecord>;
  /** Called for every directory whose entries are recorded (the sensor watches it). */
  onDirectory?(dir: string): void;
  onError?(kind: 'stat' | 'readdir' | 'readlink' | 'hash', filePath: string, err: unknown): void;
  signal?: AbortSignal;
}

/** Figures of one scan (a baseline, a rescan or a real-time subtree). */
export interface ScanStats {
  files: number;
  directories: number;
  hashed: number;
  hashReused: number;
  bytesHashed: number;
  skippedLarge: number;
  skippedOtherFs: number;
  errors: number;
  /** max_files was reached: the rest of the tree is not in the records. */
  truncated: boolean;
}

/** A fresh, zeroed ScanStats. */
export function emptyScanStats(): ScanStats {
  return {
    files: 0,
    directories: 0,
    hashed: 0,
    hashReused: 0,
    bytesHashed: 0,
    skippedLarge: 0,
    skippedOtherFs: 0,
    errors: 0,
    truncated: false,
  };
}

/**
 * Walks directory trees without following symlinks, within a depth bound and (unless crossFilesystems) on the root's
 * filesystem only, and records every entry (hashing regular files through the shared HashPool).
 */
export class TreeScanner {
  constructor(
    private readonly settings: ScanSettings,
    private readonly pool: HashPool,
  ) {}

  /**
   * Records `start` (which must be `root` or lie below it) and, when it is a directory within the depth bound, its
   * subtree into `out`. A missing `start` records nothing.
   */
  async scan(
    start: string,
    root: string,
    hooks: ScanHooks,
    out: Map<string, FileRecord>,
    stats: ScanStats,
  ): Promise<void> {
    if (this.settings.isExcluded(start) && start !== root) return;
    const rootDev = start === root ? undefined : await this.devOf(root);
    const rec = await this.entry(start, hooks, stats);
    if (rec === null) return;
    this.add(rec, out, stats);
    const depth = depthBelow(start, root);
    if (rec.type === 'dir' && depth < this.settings.maxDepth) {
      if (rootDev !== undefined && rec.dev !== rootDev && !this.settings.crossFilesystems) {
        stats.skippedOtherFs++;
        return;
      }
      await this.walk(start, depth, rootDev ?? rec.dev, hooks, out, stats);
    }
  }

  /** lstat (+ readlink or hash) of one path; null when it is gone or unreadable (reported through onError). */
  async entry(filePath: string, hooks: ScanHooks, stats: ScanStats): Promise<FileRecord | null> {
    let rec: FileRecord;
    try {
      rec = recordFromStats(filePath, await fsp.lstat(filePath, { bigint: true }));
    } catch (err) {
      if (!isMissing(err)) {
        stats.errors++;
        hooks.onError?.('stat', filePath, err);
      }
      return null;
    }
    if (rec.type === 'symlink') {
      try {
        rec.target = await fsp.readlink(filePath);
      } catch (err) {
        if (!isMissing(err)) {
          stats.errors++;
          hooks.onError?.('readlink', filePath, err);
        }
      }
    } else if (rec.type === 'file') {
      await this.hashInto(rec, hooks, stats);
    }
    return rec;
  }

  private async hashInto(rec: FileRecord, hooks: ScanHooks, stats: ScanStats): Promise<void> {
    if (rec.size > this.settings.maxFileBytes) {
      stats.skippedLarge++;
      return;
    }
    const prev = hooks.previous?.get(rec.path);
    if (this.settings.verifyHashes === 'changed' && prev?.sha256 !== undefined && statUnchanged(prev, rec)) {
      rec.sha256 = prev.sha256;
      stats.hashReused++;
      return;
    }
    try {
      const result = await this.pool.hash(rec.path);
      if (result !== null) {
        rec.sha256 = result.sha256;
        stats.hashed++;
        stats.bytesHashed += result.bytes;
      }
    } catch (err) {
      if (!isMissing(err)) {
        stats.errors++;
        hooks.onError?.('hash', rec.path, err);
      }
    }
  }

  private async walk(
    dir: string,
    depth: number,
    rootDev: string,
    hooks: ScanHooks,
    out: Map<string, FileRecord>,
    stats: ScanStats,
  ): Promise<void> {
    hooks.onDirectory?.(dir);
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch (err) {
      if (!isMissing(err)) {
        stats.errors++;
        hooks.onError?.('readdir', dir, err);
      }
      return;
    }
    names.sort();
    const subdirs: FileRecord[] = [];
    for (let i = 0; i < names.length; i += ENTRY_BATCH) {
      hooks.signal?.throwIfAborted();
      if (out.size >= this.settings.maxFiles) {
        stats.truncated = true;
        return;
      }
      const batch = names
        .slice(i, i + ENTRY_BATCH)
        .map((name) => path.posix.join(dir, name))
        .filter((p) => !this.settings.isExcluded(p));
      const recs = await Promise.all(batch.map((p) => this.entry(p, hooks, stats)));
      for (const rec of recs) {
        if (rec === null) continue;
        this.add(rec, out, stats);
        if (rec.type === 'dir') subdirs.push(rec);
      }
    }
    if (depth + 1 >= this.settings.maxDepth) return;
    for (const sub of subdirs) {
      if (sub.dev !== rootDev && !this.settings.crossFilesystems) {
        stats.skippedOtherFs++;
        continue;
      }
      await this.walk(sub.path, depth + 1, rootDev, hooks, out, stats);
    }
  }

  private add(rec: FileRecord, out: Map<string, FileRecord>, stats: ScanStats): void {
    out.set(rec.path, rec);
    if (rec.type === 'dir') stats.directories++;
    else stats.files++;
  }

  private async devOf(root: string): Promise<string | undefined> {
    try {
      return (await fsp.lstat(root, { bigint: true })).dev.toString();
    } catch {
      return undefined;
    }
  }
}

/** ENOENT / ENOTDIR: the path vanished between readdir and lstat, a normal race. */
export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
