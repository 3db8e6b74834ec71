import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AuditLogController } from './audit-log.controller.js';
import { AuditLogService } from './audit-log.service.js';
import { PermissionsController } from './permissions.controller.js';
import { PlatformController } from './platform.controller.js';
import { PlatformService } from './platform.service.js';
import { RolesController } from './roles.controller.js';
import { RolesService } from './roles.service.js';
import { TenantSettingsController } from './tenant-settings.controller.js';
import { TenantSettingsService } from './tenant-settings.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** The admin API's controllers (listed in the OpenAPI document). */
export const ADMIN_CONTROLLERS = [
  PlatformController,
  TenantSettingsController,
  UsersController,
  RolesController,
  PermissionsController,
  AuditLogController,
];

/** Tenants (platform and own settings), users, roles and the audit log. */
@Module({
  imports: [AuthModule],
  controllers: ADMIN_CONTROLLERS,
  providers: [PlatformService, TenantSettingsService, UsersService, RolesService, AuditLogService],
})
export class AdminModule {}
