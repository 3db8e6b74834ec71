import { type BigIntStats, watch, type FSWatcher } from 'node:fs';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SensorCounters } from '../sensor.js';
import { LineBuffer } from './line-buffer.js';
import { loadTailPosition, saveTailPosition, type TailPosition } from './tail-state.js';

/** Where a tailer stands, for the owning sensor's health. */
export type TailStatus =
  | { readonly state: 'starting' }
  | { readonly state: 'following' }
  | { readonly state: 'missing' }
  | { readonly state: 'unreadable'; readonly message: string };

/** Receives complete lines; the offset after them is persisted only once the returned promise resolves. */
export type TailLinesHandler = (lines: readonly string[], source: string) => Promise<void>;

export interface FileTailerOptions {
  /** The path followed (by name: a rotated file is finished and the new one at this path opened). */
  readonly path: string;
  /** JSON file holding the position (inode + offset); see tailStateFileName(). */
  readonly stateFile: string;
  readonly onLines: TailLinesHandler;
  /** With no stored position, read the file from its start instead of its end. */
  readonly fromStart?: boolean;
  /** Stat interval; default 1000 ms. fs.watch on the parent directory wakes the tailer earlier where it works. */
  readonly pollIntervalMs?: number;
  /** Longer lines are cut to this many bytes and counted (logtail_lines_truncated); default 64 KiB. */
  readonly maxLineBytes?: number;
  /** Bytes per read; default 64 KiB. */
  readonly readChunkBytes?: number;
  /** Use fs.watch as a wake-up (default true). */
  readonly watch?: boolean;
  readonly onStatus?: (status: TailStatus) => void;
  readonly counters?: SensorCounters;
  readonly log?: Logger;
}

const DEFAULT_POLL_MS = 1_000;
const DEFAULT_MAX_LINE = 64 * 1024;
const DEFAULT_CHUNK = 64 * 1024;
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z)$/i;

interface OpenFile {
  readonly fh: FileHandle;
  readonly dev: string;
  readonly ino: string;
}

const noCounters: SensorCounters = { inc: () => undefined };

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Follows one file by path like `tail -F`, handing on complete lines and persisting (inode, offset) after
 * each batch was handed on, so a restart resumes exactly where it stopped.
 *
 * - rename rotation (new inode at the path): the old file is read to its end, its unterminated last line
 *   handed on, then the new file is read from 0; a rotation that happened while the agent was down is
 *   finished by finding the old inode among `<name>.*` / `<name>-*` in the same directory.
 * - copytruncate (size below the offset): reading restarts at 0.
 * - a missing file is waited for; a file that appears after the start is read from 0.
 * - first start with no stored position: from the end of the file unless `fromStart`.
 */
export class FileTailer {
  private readonly pollMs: number;
  private readonly lineBuffer: LineBuffer;
  private readonly counters: SensorCounters;
  private current: OpenFile | undefined;
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private newFilesFromStart = false;
  private stored: TailPosition | undefined;
  private statusValue: TailStatus = { state: 'starting' };

  constructor(private readonly options: FileTailerOptions) {
    this.pollMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
    this.lineBuffer = new LineBuffer(
      options.maxLineBytes ?? DEFAULT_MAX_LINE,
      options.readChunkBytes ?? DEFAULT_CHUNK,
    );
    this.counters = options.counters ?? noCounters;
  }

  /** The tailed path. */
  get path(): string {
    return this.options.path;
  }

  get status(): TailStatus {
    return this.statusValue;
  }

  /** Loads the stored position, reads what is already due and starts polling. */
  async start(): Promise<void> {
    this.stored = await loadTailPosition(this.options.stateFile, this.options.path);
    if (this.options.watch !== false) this.startWatch();
    await this.pollNow();
    this.schedule();
  }

  /** Stops polling and watching, waits for a read in progress and closes the file. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    await this.running;
    await this.closeCurrent();
  }

  /** Runs one poll now (or once more after the one in progress) and resolves when it is done. */
  pollNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pollOnce();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pollNow().finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  private startWatch(): void {
    const dir = path.dirname(this.options.path);
    const base = path.basename(this.options.path);
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename === base) void this.pollNow();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No watch (directory missing, inotify limits): polling alone still works.
      this.watcher = undefined;
    }
  }

  private setStatus(status: TailStatus): void {
    if (status.state === this.statusValue.state) return;
    this.statusValue = status;
    this.options.onStatus?.(status);
  }

  private async pollOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.step();
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EACCES' || code === 'EPERM') {
        if (this.statusValue.state !== 'unreadable') {
          this.options.log?.warn({ path: this.options.path, err: error }, 'log file not readable');
        }
        this.setStatus({ state: 'unreadable', message: `${this.options.path}: permission denied` });
      } else {
        this.counters.inc('logtail_errors');
        this.options.log?.warn({ path: this.options.path, err: error }, 'log tail read failed');
      }
    }
  }

  private async step(): Promise<void> {
    const st = await this.statPath();
    if (!this.current) {
      if (!st) {
        if (this.stored) await this.finishRotated(this.stored);
        this.stored = undefined;
        // A file that appears after this point is new: it is read from its start.
        this.newFilesFromStart = true;
        this.setStatus({ state: 'missing' });
        return;
      }
      await this.openInitial(st);
    } else if (st && (String(st.ino) !== this.current.ino || String(st.dev) !== this.current.dev)) {
      // Rename rotation: finish the old inode, then follow the new file from its start.
      await this.readAvailable(true);
      await this.closeCurrent();
      this.counters.inc('logtail_rotations');
      await this.openFile(0);
      await this.persist();
    } else if (st && st.size < BigInt(this.offset + this.lineBuffer.pending)) {
      // copytruncate: the same inode got shorter.
      this.counters.inc('logtail_truncations');
      this.lineBuffer.reset();
      this.offset = 0;
      await this.persist();
    }
    if (this.current) {
      this.setStatus({ state: 'following' });
      await this.readAvailable(false);
    }
  }

  private async statPath(): Promise<BigIntStats | undefined> {
    try {
      return await stat(this.options.path, { bigint: true });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  /** First open: resume the stored position, or start at the end (first start) or at 0 (file appeared later). */
  private async openInitial(st: BigIntStats): Promise<void> {
    const stored = this.stored;
    this.stored = undefined;
    if (stored && (stored.ino !== String(st.ino) || stored.dev !== String(st.dev))) {
      // Rotated while the agent was down: finish the old file if it is still there, read the new one from 0.
      await this.finishRotated(stored);
      await this.openFile(0);
    } else {
      const opened = await this.openFile(0);
      const size = Number((await opened.fh.stat({ bigint: true })).size);
      if (stored && stored.offset <= size) {
        this.offset = stored.offset;
      } else if (stored) {
        this.counters.inc('logtail_truncations');
      } else if (!this.newFilesFromStart && !this.options.fromStart) {
        this.offset = size;
      }
    }
    this.newFilesFromStart = true;
    await this.persist();
  }

  /** Reads the rest of the file a stored position points to when it now lives under a rotated name. */
  private async finishRotated(stored: TailPosition): Promise<void> {
    const dir = path.dirname(this.options.path);
    const base = path.basename(this.options.path);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!(name.startsWith(`${base}.`) || name.startsWith(`${base}-`)) || COMPRESSED.test(name)) continue;
      const candidate = path.join(dir, name);
      const st = await stat(candidate, { bigint: true }).catch(() => undefined);
      if (!st || String(st.ino) !== stored.ino || String(st.dev) !== stored.dev) continue;
      const fh = await open(candidate, 'r');
      this.current = { fh, dev: stored.dev, ino: stored.ino };
      this.offset = stored.offset <= Number(st.size) ? stored.offset : 0;
      this.counters.inc('logtail_rotations');
      await this.readAvailable(true);
      await this.closeCurrent();
      return;
    }
    this.counters.inc('logtail_rotated_file_lost');
    this.options.log?.warn(
      { path: this.options.path },
      'file rotated while stopped and the old file is gone',
    );
  }

  private async openFile(offset: number): Promise<OpenFile> {
    const fh = await open(this.options.path, 'r');
    try {
      const st = await fh.stat({ bigint: true });
      this.current = { fh, dev: String(st.dev), ino: String(st.ino) };
    } catch (error) {
      await fh.close();
      throw error;
    }
    this.offset = offset;
    this.lineBuffer.reset();
    return this.current;
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    this.lineBuffer.reset();
    await current?.fh.close().catch(() => undefined);
  }

  /** Reads to the end of the open file, handing on lines chunk by chunk. `final`: the file is finished. */
  private async readAvailable(final: boolean): Promise<void> {
    const current = this.current;
    if (!current) return;
    for (;;) {
      if (this.stopped && !final) return;
      const { buffer, offset, length } = this.lineBuffer.writable();
      const position = this.offset + this.lineBuffer.pending;
      const { bytesRead } = await current.fh.read(buffer, offset, length, position);
      if (bytesRead === 0) {
        if (final) {
          const partial = this.lineBuffer.takePartial();
          if (partial) {
            this.counters.inc('logtail_partial_lines_at_rotation');
            await this.handOn([partial.line], partial.consumed, false);
          }
        }
        return;
      }
      const skippingBefore = this.lineBuffer.skippingLongLine;
      const taken = this.lineBuffer.take(bytesRead);
      if (taken.truncated > 0) this.counters.inc('logtail_lines_truncated', taken.truncated);
      if (taken.consumed > 0) await this.handOn(taken.lines, taken.consumed, skippingBefore);
    }
  }

  private async handOn(lines: readonly string[], consumed: number, skippingBefore: boolean): Promise<void> {
    if (lines.length > 0) {
      try {
        await this.options.onLines(lines, this.options.path);
      } catch (error) {
        // Not handed on: forget what was buffered, the next poll reads it again from the committed offset.
        this.lineBuffer.reset(skippingBefore);
        throw error;
      }
      this.counters.inc('logtail_lines_read', lines.length);
    }
    this.offset += consumed;
    await this.persist();
  }

  private async persist(): Promise<void> {
    const current = this.current;
    if (!current) return;
    await saveTailPosition(this.options.stateFile, this.options.path, {
      dev: current.dev,
      ino: current.ino,
      offset: this.offset,
    });
  }
}
