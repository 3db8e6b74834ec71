import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard.js';
import { CoreModule, type CoreDependencies } from './core.module.js';
import { API_MODULES, apiControllers } from './api-modules.js';
import { HealthController } from './health/health.controller.js';
import { ReadinessService } from './health/readiness.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { OpenApiController } from './http/openapi.controller.js';

export type AppDependencies = CoreDependencies;

/** The control plane's root module; its dependencies come from the composition root. */
@Module({})
export class AppModule {
  static register(deps: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.register(deps), ...API_MODULES],
      controllers: [HealthController, MetricsController, OpenApiController],
      providers: [ReadinessService, { provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}

export { apiControllers };
