// One dedicated PostgreSQL connection that LISTENs on a few channels and hands each notification on. It
// reconnects (with backoff, 0.5 s doubling to 30 s) when the connection drops (PostgreSQL restarting, a
// terminated backend, a network cut found by the periodic ping), and says so: notifications sent while it was
// away are lost, so listeners must resynchronise.
import pg from 'pg';
import type { Logger } from 'pino';

/** What the listener reports. */
export interface NotificationHandlers {
  notice(channel: string, payload: string): void;
  /** Listening again after a drop (not called for the first connection). */
  reconnected(): void;
  /** The connection dropped: notifications are lost until `reconnected`. */
  dropped?(): void;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_RETRY_MS = 30_000;
const PING_MS = 30_000;

/** A LISTEN connection that survives PostgreSQL restarts. */
export class NotificationListener {
  private client: pg.Client | undefined;
  private started: Promise<void> | undefined;
  private stopped = false;
  private connectedOnce = false;
  private retryMs = 500;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channels: readonly string[],
    private readonly handlers: NotificationHandlers,
    private readonly logger: Logger,
    /** Who listens: the connection's application_name and the log lines' subject. */
    private readonly name = 'inosec-alert-stream',
  ) {
    for (const channel of channels)
      if (!CHANNEL.test(channel)) throw new Error(`bad channel name ${channel}`);
  }

  /** Connects and listens (once; later calls wait for the first connection). Rejects if it fails. */
  start(): Promise<void> {
    this.started ??= this.open().catch((error: unknown) => {
      this.started = undefined; // the next subscriber tries again
      throw error;
    });
    return this.started;
  }

  /** True while a connection is listening. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Closes the connection for good. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      ...this.config,
      keepAlive: true,
      application_name: this.name,
    });
    client.on('notification', (message) => {
      this.handlers.notice(message.channel, message.payload ?? '');
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, `${this.name}: the LISTEN connection failed`);
      this.drop(client);
    });
    client.on('end', () => this.drop(client));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 500;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      client.query('SELECT 1').catch(() => this.drop(client));
    }, PING_MS);
    this.pingTimer.unref();
    if (this.connectedOnce) this.handlers.reconnected();
    this.connectedOnce = true;
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.pingTimer);
    client.end().catch(() => undefined);
    this.handlers.dropped?.();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open().catch((error: unknown) => {
        this.logger.warn(
          { err: error, retryMs: this.retryMs },
          `${this.name}: reconnecting to PostgreSQL failed`,
        );
        this.scheduleReconnect();
      });
    }, wait);
    this.retryTimer.unref();
  }
}
