import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SensorCounters } from '../sensor.js';

/** Handles a batch of journal lines; resolves with the cursor of the last one handed on (persisted then). */
export type JournalLinesHandler = (lines: readonly string[]) => Promise<string | undefined>;

export interface JournalFollowerOptions {
  /** The journalctl executable. */
  readonly command: string;
  /** Match arguments (`SYSLOG_FACILITY=4`, `+`, ...) appended after the output options. */
  readonly matches: readonly string[];
  /** File holding the cursor of the last entry handed on. */
  readonly cursorFile: string;
  readonly onLines: JournalLinesHandler;
  /** With no stored cursor: the whole journal instead of only new entries. */
  readonly fromStart?: boolean;
  /** First delay before restarting an exited journalctl (doubles up to 60 s); default 2000 ms. */
  readonly restartDelayMs?: number;
  readonly maxLineBytes?: number;
  readonly onStatus?: (running: boolean, message?: string) => void;
  readonly counters?: SensorCounters;
  readonly log?: Logger;
}

const MAX_BATCH = 512;
const HIGH_WATER = 4_096;

/**
 * Follows `journalctl -o json -f` as one long-lived child process (spawned once, restarted with backoff if
 * it exits). The cursor of the last entry handed on is kept in a file of the sensor's state dir and given
 * back as `--after-cursor`, so a restart resumes after it. (journalctl's own `--cursor-file` is not used:
 * it records what journalctl printed, which may be ahead of what the agent spooled when the agent dies.)
 */
export class JournalFollower {
  private child: ChildProcess | undefined;
  private partial = '';
  private readonly queue: string[] = [];
  private draining: Promise<void> | undefined;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private readonly initialDelayMs: number;
  private lastError = '';

  constructor(private readonly options: JournalFollowerOptions) {
    this.initialDelayMs = options.restartDelayMs ?? 2_000;
    this.delayMs = this.initialDelayMs;
  }

  /** Spawns journalctl. */
  async start(): Promise<void> {
    await this.spawnChild();
  }

  /** Ends journalctl, hands on what it already printed and resolves when nothing more will be handed on. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    await this.drain();
  }

  private async readCursor(): Promise<string | undefined> {
    try {
      const cursor = (await readFile(this.options.cursorFile, 'utf8')).trim();
      return cursor || undefined;
    } catch {
      return undefined;
    }
  }

  private async writeCursor(cursor: string): Promise<void> {
    const file = this.options.cursorFile;
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, cursor);
    await rename(tmp, file);
  }

  private async spawnChild(): Promise<void> {
    if (this.stopped) return;
    const cursor = await this.readCursor();
    const position = cursor
      ? `--after-cursor=${cursor}`
      : this.options.fromStart
        ? '--lines=all'
        : '--lines=0';
    const args = ['--output=json', '--follow', '--no-pager', '--quiet', position, ...this.options.matches];
    const child = spawn(this.options.command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.lastError = chunk.trim().split('\n').pop() ?? '';
    });
    child.once('error', (error) => {
      this.lastError = error.message;
    });
    child.once('close', (code, signal) => this.onClose(code, signal));
    this.options.onStatus?.(true);
  }

  private onData(chunk: string): void {
    this.delayMs = this.initialDelayMs; // journalctl runs: the next exit restarts quickly again
    const max = this.options.maxLineBytes ?? 65_536;
    let text = this.partial + chunk;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      const line = text.slice(0, nl);
      if (line) this.queue.push(line.length > max ? line.slice(0, max) : line);
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    if (text.length > max) {
      this.options.counters?.inc('journal_lines_truncated');
      text = '';
    }
    this.partial = text;
    if (this.queue.length > HIGH_WATER) this.child?.stdout?.pause();
    void this.drain();
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    this.child = undefined;
    if (this.stopped) return;
    const message = `journalctl exited (${signal ?? `code ${code}`})${this.lastError ? `: ${this.lastError}` : ''}`;
    this.options.counters?.inc('journal_restarts');
    this.options.log?.warn({ code, signal, stderr: this.lastError }, 'journalctl exited; restarting');
    this.options.onStatus?.(false, message);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.drain()
        .then(() => this.spawnChild())
        .catch((error: unknown) => this.options.log?.warn({ err: error }, 'journalctl restart failed'));
    }, this.delayMs);
    this.restartTimer.unref();
    this.delayMs = Math.min(this.delayMs * 2, 60_000);
  }

  /** Hands queued lines on batch by batch (serialised); on failure keeps them and retries later. */
  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    this.draining = (async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, MAX_BATCH);
        try {
          const cursor = await this.options.onLines(batch);
          this.queue.splice(0, batch.length);
          if (cursor) await this.writeCursor(cursor);
        } catch (error) {
          this.options.counters?.inc('journal_errors');
          this.options.log?.warn({ err: error }, 'handing on journal entries failed');
          if (this.stopped) return;
          await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
        }
        if (this.queue.length < HIGH_WATER / 2) this.child?.stdout?.resume();
      }
    })().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }
}
