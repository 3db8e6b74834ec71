import { Controller, Inject } from '@nestjs/common';
import { z } from 'zod';
import { Endpoint, Input, type RouteInput } from '../http/endpoint.js';
import { tenantSchema, type TenantDto } from './admin-schemas.js';
import { Actor, type RequestActor } from './request-actor.js';
import { TenantSettingsService } from './tenant-settings.service.js';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain name such as example.com');
const updateBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    selfRegistration: z.boolean().optional().describe('whether people may register themselves'),
    allowedEmailDomains: z
      .array(domain)
      .max(100)
      .optional()
      .describe('self-registration is open only to addresses of these domains'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'give name, selfRegistration and/or allowedEmailDomains',
  });

/** The caller's tenant's settings. */
@Controller('api/tenant')
export class TenantSettingsController {
  constructor(@Inject(TenantSettingsService) private readonly settings: TenantSettingsService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'getTenant',
    summary: "Your tenant's settings",
    tags: ['tenant'],
    access: 'tenant:read',
    responses: { 200: { description: 'The tenant', schema: tenantSchema } },
  })
  get(@Actor() actor: RequestActor): Promise<TenantDto> {
    return this.settings.get(actor);
  }

  @Endpoint({
    method: 'PATCH',
    path: '',
    operationId: 'updateTenant',
    summary: "Change your tenant's name or self-registration settings",
    tags: ['tenant'],
    access: 'tenant:write',
    body: updateBody,
    responses: { 200: { description: 'The changed tenant', schema: tenantSchema } },
  })
  update(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof updateBody>>,
  ): Promise<TenantDto> {
    return this.settings.update(actor, input.body);
  }
}
