interface Waiter {
  generation: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writers mark each write with a generation and may wait until a sync covers it. One
 * sync runs at a time; every writer that wrote before it started is served by it, so N concurrent
 * appends waiting for durability cost about two fdatasyncs, not N.
 */
export class GroupCommit {
  private written = 0;
  private synced = 0;
  private waiters: Waiter[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly sync: () => Promise<void>) {}

  /** Records that data was written; returns the generation a later `waitFor` needs. */
  wrote(): number {
    return ++this.written;
  }

  /** True when data was written since the last completed sync. */
  get dirty(): boolean {
    return this.synced < this.written;
  }

  /** Resolves once a sync that started after generation `generation` was written has completed. */
  waitFor(generation: number): Promise<void> {
    if (generation <= this.synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ generation, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves once everything written so far is synced. */
  flush(): Promise<void> {
    return this.waitFor(this.written);
  }

  private async drain(): Promise<void> {
    while (this.waiters.length > 0) {
      const target = this.written;
      let failure: unknown;
      try {
        await this.sync();
        this.synced = Math.max(this.synced, target);
      } catch (error) {
        failure = error;
      }
      const served = this.waiters.filter((waiter) => waiter.generation <= target);
      this.waiters = this.waiters.filter((waiter) => waiter.generation > target);
      for (const waiter of served) {
        if (failure === undefined) waiter.resolve();
        else waiter.reject(failure);
      }
    }
    this.running = undefined;
  }
}
