import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { isSameOrBelow } from './path-exclusion.js';

/** Outcome of asking for a watch on one directory. */
export type WatchResult = 'watched' | 'already' | 'limit' | 'error';

/** Callbacks of the WatchManager. */
export interface WatchManagerHooks {
  /** A path below (or equal to) a watched directory may have changed. */
  onPath(filePath: string): void;
  /** The first time the watch limit is met (max_watches, or ENOSPC / EMFILE from the kernel). */
  onLimit(reason: string): void;
  /** A watch could not be added or failed later for another reason (EACCES, ...). */
  onError(dir: string, err: unknown): void;
}

/**
 * One non-recursive inotify watch (node fs.watch) per directory. When the limit is reached (the sensor's own
 * max_watches or the kernel's ENOSPC / EMFILE) it stops adding watches and remembers the directories left
 * unwatched, which the periodic rescan covers; `retryUnwatched` tries them again (e.g. after the admin raised
 * fs.inotify.max_user_watches).
 */
export class WatchManager {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly unwatchedDirs = new Set<string>();
  /** Parent-directory watches that only look for one child name (roots that may appear or be replaced). */
  private readonly anchors = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  private limitReached = false;
  private closed = false;

  constructor(
    private readonly maxWatches: number,
    private readonly hooks: WatchManagerHooks,
  ) {}

  /** Number of inotify watches held (directories plus anchors). */
  get size(): number {
    return this.watchers.size + this.anchors.size;
  }

  /** Directories that want a watch but have none because the limit was reached. */
  get unwatched(): ReadonlySet<string> {
    return this.unwatchedDirs;
  }

  get atLimit(): boolean {
    return this.limitReached;
  }

  /** Directories watched or waiting for a watch. */
  watchedDirs(): string[] {
    return [...this.watchers.keys(), ...this.unwatchedDirs];
  }

  /** Watches `dir` (its entries) unless already watched or the limit was reached. */
  add(dir: string): WatchResult {
    if (this.closed) return 'error';
    if (this.watchers.has(dir)) return 'already';
    if (this.limitReached || (this.maxWatches > 0 && this.size >= this.maxWatches)) {
      this.markLimit(`max_watches=${this.maxWatches} reached`);
      this.unwatchedDirs.add(dir);
      return 'limit';
    }
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => this.onEvent(dir, filename));
      watcher.on('error', (err) => {
        this.hooks.onError(dir, err);
        this.closeOne(dir);
        this.hooks.onPath(dir);
      });
      this.watchers.set(dir, watcher);
      this.unwatchedDirs.delete(dir);
      return 'watched';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE') {
        this.markLimit(`kernel inotify limit (${code}) after ${this.size} watches`);
        this.unwatchedDirs.add(dir);
        return 'limit';
      }
      this.hooks.onError(dir, err);
      return 'error';
    }
  }

  /**
   * Watches the parent of `root` for entries named like it, so a root that is missing, deleted or replaced is
   * noticed in real time. Counts against the limit like any watch.
   */
  addAnchor(root: string): WatchResult {
    const parent = path.posix.dirname(root);
    if (parent === root || this.closed) return 'error';
    const existing = this.anchors.get(parent);
    if (existing) {
      existing.names.add(path.posix.basename(root));
      return 'already';
    }
    if (this.limitReached || (this.maxWatches > 0 && this.size >= this.maxWatches)) return 'limit';
    try {
      const names = new Set([path.posix.basename(root)]);
      const watcher = watch(parent, { persistent: false }, (_event, filename) => {
        if (typeof filename === 'string' && names.has(filename))
          this.hooks.onPath(path.posix.join(parent, filename));
      });
      watcher.on('error', () => {
        watcher.close();
        this.anchors.delete(parent);
      });
      this.anchors.set(parent, { watcher, names });
      return 'watched';
    } catch {
      return 'error';
    }
  }

  /** Closes the watches of `dir` and every directory below it (the subtree vanished or was replaced). */
  removeUnder(dir: string): void {
    for (const watched of [...this.watchers.keys()]) if (isSameOrBelow(watched, dir)) this.closeOne(watched);
    for (const d of [...this.unwatchedDirs]) if (isSameOrBelow(d, dir)) this.unwatchedDirs.delete(d);
  }

  /** Clears the limit flag and tries the unwatched directories again; returns how many are still unwatched. */
  retryUnwatched(): number {
    if (this.unwatchedDirs.size === 0) return 0;
    this.limitReached = false;
    for (const dir of [...this.unwatchedDirs]) {
      this.unwatchedDirs.delete(dir);
      if (this.add(dir) === 'limit') {
        // add() re-queued this one; the rest stay queued without another syscall.
        break;
      }
    }
    return this.unwatchedDirs.size;
  }

  /** Closes every watch; no callback fires afterwards. */
  closeAll(): void {
    this.closed = true;
    for (const dir of [...this.watchers.keys()]) this.closeOne(dir);
    for (const { watcher } of this.anchors.values()) watcher.close();
    this.anchors.clear();
    this.unwatchedDirs.clear();
  }

  private onEvent(dir: string, filename: string | Buffer | null): void {
    if (this.closed) return;
    if (typeof filename !== 'string' || filename === '') {
      this.hooks.onPath(dir);
      return;
    }
    this.hooks.onPath(path.posix.join(dir, filename));
    // inotify reports events on the watched directory itself (IN_ATTRIB, IN_DELETE_SELF) under its own name.
    if (filename === path.posix.basename(dir)) this.hooks.onPath(dir);
  }

  private markLimit(reason: string): void {
    if (this.limitReached) return;
    this.limitReached = true;
    this.hooks.onLimit(reason);
  }

  private closeOne(dir: string): void {
    const watcher = this.watchers.get(dir);
    if (!watcher) return;
    this.watchers.delete(dir);
    try {
      watcher.close();
    } catch {
      // already closed by the kernel (directory removed)
    }
  }
}
