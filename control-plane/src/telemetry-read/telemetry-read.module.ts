import { Module } from '@nestjs/common';
import { TelemetryReadController } from './telemetry-read.controller.js';
import { TelemetryReadService } from './telemetry-read.service.js';

/** The telemetry read API's controllers (listed in the OpenAPI document). */
export const TELEMETRY_READ_CONTROLLERS = [TelemetryReadController];

@Module({ controllers: TELEMETRY_READ_CONTROLLERS, providers: [TelemetryReadService] })
export class TelemetryReadModule {}
