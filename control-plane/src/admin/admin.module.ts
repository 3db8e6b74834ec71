import { Module } from '@nestjs/common';

/** The admin API's controllers (listed in the OpenAPI document). */
export const ADMIN_CONTROLLERS = [];

@Module({ controllers: ADMIN_CONTROLLERS })
export class AdminModule {}
