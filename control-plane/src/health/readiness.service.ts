import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { appliedVersion } from '@inosec/protos';
import { CONTROL_PLANE_MIGRATIONS } from '../database/migrations.js';
import { PG_POOL, SCHEMA_VERSION } from '../tokens.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  durationMs: number;
}

export interface Readiness {
  ready: boolean;
  checks: CheckResult[];
}

const CHECK_TIMEOUT_MS = 2_000;

/** Decides whether this instance should receive traffic: the database answers and its schema is current. */
@Injectable()
export class ReadinessService {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(SCHEMA_VERSION) private readonly expectedVersion: number,
  ) {}

  private inFlight: Promise<Readiness> | undefined;

  /**
   * Concurrent probes share one check in flight, so a hung database holds at most one pooled
   * connection for readiness, never the whole pool.
   */
  check(): Promise<Readiness> {
    this.inFlight ??= this.runChecks().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runChecks(): Promise<Readiness> {
    const checks = [await this.run('database', () => this.database())];
    return { ready: checks.every((c) => c.ok), checks };
  }

  private async database(): Promise<string> {
    const version = await appliedVersion(this.pool, CONTROL_PLANE_MIGRATIONS.name);
    if (version < this.expectedVersion) {
      throw new Error(`schema version ${version}, expected ${this.expectedVersion}: migrations pending`);
    }
    return `reachable, schema version ${version}`;
  }

  private async run(name: string, fn: () => Promise<string>): Promise<CheckResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      });
      const detail = await Promise.race([fn(), timeout]);
      return { name, ok: true, detail, durationMs: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        name,
        ok: false,
        detail: (error as Error).message,
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
