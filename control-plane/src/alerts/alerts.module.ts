import { Module } from '@nestjs/common';
import type pg from 'pg';
import { RulesController } from '../rules/rules.controller.js';
import { RulesApiService } from '../rules/rules-api.service.js';
import { TenantRulesService } from '../rules/tenant-rules.service.js';
import { PG_POOL } from '../tokens.js';
import { AlertStreamController } from './alert-stream.controller.js';
import { AlertStreamService } from './alert-stream.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsService } from './incidents.service.js';
import { ProcessTreeService } from './process-tree.service.js';
import { SuppressionsController } from './suppressions.controller.js';
import { SuppressionsService } from './suppressions.service.js';

/** The alerts API's controllers (listed in the OpenAPI document): alerts, live stream, suppressions, incidents, rules. */
export const ALERTS_CONTROLLERS = [
  AlertStreamController,
  AlertsController,
  SuppressionsController,
  IncidentsController,
  RulesController,
];

@Module({
  controllers: ALERTS_CONTROLLERS,
  providers: [
    AlertsService,
    ProcessTreeService,
    AlertStreamService,
    SuppressionsService,
    IncidentsService,
    RulesApiService,
    {
      provide: TenantRulesService,
      inject: [PG_POOL],
      useFactory: (pool: pg.Pool) => new TenantRulesService(pool),
    },
  ],
  exports: [AlertStreamService],
})
export class AlertsModule {}
