// The caller's tenant's own settings (FR-TENANT-03): name, self-registration and its allowed email domains.
import { Inject, Injectable } from '@nestjs/common';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { NotFoundProblem } from '../http/problems.js';
import { tenantDto, type TenantDto } from './admin-schemas.js';
import { auditBy, type RequestActor } from './request-actor.js';
import { readTenant, updateTenantSettings } from './tenant-settings.repository.js';

/** A change of the tenant's settings; fields left out keep their value. */
export interface TenantSettingsChange {
  name?: string | undefined;
  selfRegistration?: boolean | undefined;
  allowedEmailDomains?: string[] | undefined;
}

@Injectable()
export class TenantSettingsService {
  constructor(@Inject(TenantDb) private readonly db: TenantDb) {}

  /** The caller's tenant. */
  async get(actor: RequestActor): Promise<TenantDto> {
    const tenant = await this.db.tx({ tenantId: actor.auth.tenantId, userId: actor.auth.userId }, readTenant);
    if (tenant === undefined) throw new NotFoundProblem('tenant');
    return tenantDto(tenant);
  }

  /** Changes the caller's tenant's settings and records what changed. */
  async update(actor: RequestActor, change: TenantSettingsChange): Promise<TenantDto> {
    const domains = change.allowedEmailDomains && [...new Set(change.allowedEmailDomains)].sort();
    return this.db.tx({ tenantId: actor.auth.tenantId, userId: actor.auth.userId }, async (client) => {
      const before = await readTenant(client);
      if (before === undefined) throw new NotFoundProblem('tenant');
      await updateTenantSettings(client, { ...change, allowedEmailDomains: domains });
      const after = (await readTenant(client))!;
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (before.name !== after.name) changes['name'] = { from: before.name, to: after.name };
      if (before.selfRegistration !== after.selfRegistration) {
        changes['selfRegistration'] = { from: before.selfRegistration, to: after.selfRegistration };
      }
      if (before.allowedEmailDomains.join(',') !== after.allowedEmailDomains.join(',')) {
        changes['allowedEmailDomains'] = { from: before.allowedEmailDomains, to: after.allowedEmailDomains };
      }
      await recordAudit(
        client,
        auditBy(actor, {
          action: 'tenant.update',
          resourceType: 'tenant',
          resourceId: after.id,
          details: { changes },
        }),
      );
      return tenantDto(after);
    });
  }
}
