import { type DynamicModule, Module } from '@nestjs/common';
import type pg from 'pg';
import { HealthController } from './health/health.controller.js';
import { ReadinessService } from './health/readiness.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import type { ControlPlaneMetrics } from './metrics/metrics.registry.js';
import { METRICS, PG_POOL, SCHEMA_VERSION } from './tokens.js';

export interface AppDependencies {
  pool: pg.Pool;
  metrics: ControlPlaneMetrics;
  /** The schema version this build expects (its newest migration); readiness fails below it. */
  schemaVersion: number;
}

/** The control plane's root module; its dependencies come from the composition root. */
@Module({})
export class AppModule {
  static register(deps: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PG_POOL, useValue: deps.pool },
        { provide: METRICS, useValue: deps.metrics },
        { provide: SCHEMA_VERSION, useValue: deps.schemaVersion },
        ReadinessService,
      ],
    };
  }
}
