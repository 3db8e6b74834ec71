import type { Logger } from 'pino';

/** Something the supervisor started and must stop. */
export interface Component {
  stop(): Promise<void>;
}

/**
 * Starts components in order and stops them in reverse order, each stop bounded by a timeout; a failed
 * stop is logged and the rest still stop. A start that fails stops what had started.
 */
export class Supervisor {
  private readonly running: { name: string; component: Component; stopTimeoutMs: number }[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly stopTimeoutMs: number,
  ) {}

  /** Starts a component; `stopTimeoutMs` overrides the default for one whose stop has its own escalation. */
  async start<T extends Component>(
    name: string,
    startFn: () => Promise<T>,
    options: { stopTimeoutMs?: number } = {},
  ): Promise<T> {
    if (this.stopping) throw new Error(`cannot start ${name}: the supervisor is stopping`);
    const started = performance.now();
    const component = await startFn();
    this.running.push({ name, component, stopTimeoutMs: options.stopTimeoutMs ?? this.stopTimeoutMs });
    this.logger.info({ unit: name, ms: Math.round(performance.now() - started) }, `${name} started`);
    return component;
  }

  /** Stops everything once; later calls wait for the first. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    for (const { name, component, stopTimeoutMs } of this.running.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          component.stop(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`did not stop within ${stopTimeoutMs} ms`)),
              stopTimeoutMs,
            );
          }),
        ]);
        this.logger.info({ unit: name }, `${name} stopped`);
      } catch (error) {
        this.logger.error({ unit: name, err: error }, `${name} failed to stop cleanly`);
      } finally {
        clearTimeout(timer);
      }
    }
    this.running.length = 0;
  }
}
