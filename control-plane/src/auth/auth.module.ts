import { Module } from '@nestjs/common';

/** The auth API's controllers (listed in the OpenAPI document). */
export const AUTH_CONTROLLERS = [];

@Module({ controllers: AUTH_CONTROLLERS })
export class AuthModule {}
