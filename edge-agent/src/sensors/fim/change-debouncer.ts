/** Paths that became due within this margin of the earliest are flushed together (keeps `mv` pairs in one batch). */
const BATCH_SLACK_MS = 50;

/**
 * Per-path debounce: each event pushes the path's deadline to now + delay; when deadlines pass, the due paths are
 * handed to `flush` in one batch. One timer for all paths. `flush` calls never overlap: paths that come due while
 * one runs wait for the next round.
 */
export class ChangeDebouncer {
  private readonly deadlines = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly delayMs: number,
    private readonly flush: (paths: string[]) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of paths waiting. */
  get pending(): number {
    return this.deadlines.size;
  }

  /** Notes an event on `filePath`. */
  touch(filePath: string): void {
    if (this.stopped) return;
    this.deadlines.set(filePath, this.now() + this.delayMs);
    this.schedule();
  }

  /** Cancels the timer; pending paths are dropped (the next rescan covers them). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.deadlines.clear();
  }

  private schedule(): void {
    if (this.timer || this.running || this.stopped || this.deadlines.size === 0) return;
    let earliest = Infinity;
    for (const d of this.deadlines.values()) if (d < earliest) earliest = d;
    this.timer = setTimeout(() => void this.run(), Math.max(0, earliest - this.now()));
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    const limit = this.now() + BATCH_SLACK_MS;
    const due: string[] = [];
    for (const [p, d] of this.deadlines) {
      if (d <= limit) {
        due.push(p);
        this.deadlines.delete(p);
      }
    }
    if (due.length > 0) {
      this.running = true;
      try {
        await this.flush(due);
      } catch {
        // flush reports its own failures; the next rescan covers what it missed
      } finally {
        this.running = false;
      }
    }
    this.schedule();
  }
}
