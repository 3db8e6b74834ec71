import { Module } from '@nestjs/common';

/** The alerts API's controllers (listed in the OpenAPI document). */
export const ALERTS_CONTROLLERS = [];

@Module({ controllers: ALERTS_CONTROLLERS })
export class AlertsModule {}
