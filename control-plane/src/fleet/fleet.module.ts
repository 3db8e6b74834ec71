import { Module } from '@nestjs/common';

/** The fleet API's controllers (listed in the OpenAPI document). */
export const FLEET_CONTROLLERS = [];

@Module({ controllers: FLEET_CONTROLLERS })
export class FleetModule {}
