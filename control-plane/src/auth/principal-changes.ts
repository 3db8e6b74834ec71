// Hears every change to what the guard caches about sessions, from any replica (migration
// 0008_principal_changes: a trigger NOTIFYs the tenant it touched), and drops that tenant's cached principals.
// While it listens the cache keeps entries a minute; while it does not, a few seconds.
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type pg from 'pg';
import type { Logger } from 'pino';
import { NotificationListener } from '../database/notification-listener.js';
import { LOGGER, PG_POOL } from '../tokens.js';
import { PrincipalCache } from './principal-cache.js';

export const PRINCIPAL_CHANGES_CHANNEL = 'inosec_principal_changes';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

@Injectable()
export class PrincipalChanges implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly listener: NotificationListener;
  private readonly logger: Logger;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'principal-changes' });
    this.listener = new NotificationListener(
      pool.options,
      [PRINCIPAL_CHANGES_CHANNEL],
      {
        notice: (_channel, payload) => this.onChange(payload),
        reconnected: () => this.cache.setAnnounced(true),
        dropped: () => this.cache.setAnnounced(false),
      },
      this.logger,
      'inosec-principal-changes',
    );
  }

  /** Whether changes are heard now. */
  get listening(): boolean {
    return this.listener.listening;
  }

  /** Starts listening in the background: the server does not wait for it (the cache stays short meanwhile). */
  onApplicationBootstrap(): void {
    this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.cache.setAnnounced(false);
    await this.listener.stop();
  }

  private connect(): void {
    this.listener.start().then(
      () => {
        if (this.stopped) return;
        this.retryMs = FIRST_RETRY_MS;
        this.cache.setAnnounced(this.listener.listening);
      },
      (error: unknown) => {
        if (this.stopped) return;
        this.logger.warn(
          { err: error, retryMs: this.retryMs },
          'cannot listen for session changes; cached sessions live 5 s until it can',
        );
        this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
        this.retryTimer.unref();
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      },
    );
  }

  private onChange(payload: string): void {
    if (UUID.test(payload)) this.cache.invalidateTenant(payload);
    else {
      // Not what the trigger sends: be safe, forget everything.
      this.logger.warn(
        { payload: payload.slice(0, 80) },
        'unexpected principal change notice; cache emptied',
      );
      this.cache.clear();
    }
  }
}
