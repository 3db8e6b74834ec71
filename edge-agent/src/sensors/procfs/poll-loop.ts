/**
 * Runs `tick` now and then every `intervalMs` after the previous run ENDED (runs never overlap, a slow run
 * delays the next one instead of piling up). The timer is unref'd so it never keeps the process alive, and
 * the loop ends when `signal` aborts or {@link PollLoop.stop} is called. A tick that throws is reported to
 * `onError` and the loop goes on.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly intervalMs: number,
    signal?: AbortSignal,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** Starts the loop: the first tick runs on the next turn of the event loop. */
  start(): void {
    if (this.stopped || this.timer) return;
    this.schedule(0);
  }

  /** Stops scheduling and resolves once the tick in progress (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
