import { Controller, Inject } from '@nestjs/common';
import { z } from 'zod';
import { Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import {
  auditEntrySchema,
  pageOf,
  tenantSchema,
  type AuditEntryDto,
  type TenantDto,
} from './admin-schemas.js';
import { PlatformService, type CreatedTenant } from './platform.service.js';
import { Actor, type RequestActor } from './request-actor.js';

const status = z.enum(['active', 'suspended', 'archived']);
const listQuery = z.strictObject({
  status: status.optional(),
  q: z.string().trim().min(1).max(200).optional().describe('a part of the slug or name'),
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(500, 100),
});
const createBody = z.strictObject({
  slug: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and -; 2-63 characters')
    .describe('the tenant sign-in name, unique'),
  name: z.string().trim().min(1).max(200),
  adminEmail: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email())
    .describe('the first administrator: receives an invitation'),
});
const statusBody = z
  .strictObject({
    status,
    reason: z.string().trim().min(1).max(500).optional().describe('why; required to suspend or archive'),
  })
  .refine((b) => b.status === 'active' || b.reason !== undefined, {
    message: 'a reason is required to suspend or archive a tenant',
    path: ['reason'],
  });
const auditQuery = z.strictObject({ cursor: schemas.cursor.optional(), limit: schemas.limit(1000, 100) });
const created = z.object({
  tenant: tenantSchema,
  admin: z.object({ id: z.uuid(), email: z.string() }),
  invitationSent: z.boolean(),
});

type Id = z.infer<typeof schemas.idParams>;

/** Platform operations (super admins only): every tenant, their creation and suspension, the platform audit. */
@Controller('api/platform')
export class PlatformController {
  constructor(@Inject(PlatformService) private readonly platform: PlatformService) {}

  @Endpoint({
    method: 'GET',
    path: 'tenants',
    operationId: 'platformListTenants',
    summary: 'List every tenant',
    tags: ['platform'],
    access: 'platform',
    query: listQuery,
    responses: { 200: { description: 'A page of tenants, ordered by slug', schema: pageOf(tenantSchema) } },
  })
  list(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, z.infer<typeof listQuery>>,
  ): Promise<{ items: TenantDto[]; nextCursor: string | null }> {
    return this.platform.listTenants(actor, input.query);
  }

  @Endpoint({
    method: 'POST',
    path: 'tenants',
    operationId: 'platformCreateTenant',
    summary: 'Create a tenant with the builtin roles and invite its first administrator',
    tags: ['platform'],
    access: 'platform',
    body: createBody,
    status: 201,
    responses: {
      201: { description: 'Created', schema: created },
      409: { description: 'The slug is taken' },
    },
  })
  create(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof createBody>>,
  ): Promise<CreatedTenant> {
    return this.platform.createTenant(actor, input.body);
  }

  @Endpoint({
    method: 'GET',
    path: 'tenants/:id',
    operationId: 'platformGetTenant',
    summary: 'One tenant',
    tags: ['platform'],
    access: 'platform',
    params: schemas.idParams,
    responses: { 200: { description: 'The tenant', schema: tenantSchema } },
  })
  get(@Actor() actor: RequestActor, @Input() input: RouteInput<Id>): Promise<TenantDto> {
    return this.platform.getTenant(actor, input.params.id);
  }

  @Endpoint({
    method: 'PATCH',
    path: 'tenants/:id',
    operationId: 'platformSetTenantStatus',
    summary: 'Activate, suspend or archive a tenant (suspension blocks its users and agents, keeps its data)',
    tags: ['platform'],
    access: 'platform',
    params: schemas.idParams,
    body: statusBody,
    responses: {
      200: { description: 'The tenant', schema: tenantSchema },
      409: { description: 'Your own tenant cannot be suspended or archived' },
    },
  })
  setStatus(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<Id, unknown, z.infer<typeof statusBody>>,
  ): Promise<TenantDto> {
    return this.platform.setTenantStatus(actor, input.params.id, input.body);
  }

  @Endpoint({
    method: 'GET',
    path: 'audit',
    operationId: 'platformListAudit',
    summary: 'The platform audit chain (tenant creation, suspension), newest first',
    tags: ['platform'],
    access: 'platform',
    query: auditQuery,
    responses: { 200: { description: 'A page of platform entries', schema: pageOf(auditEntrySchema) } },
  })
  audit(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, z.infer<typeof auditQuery>>,
  ): Promise<{ items: AuditEntryDto[]; nextCursor: string | null }> {
    return this.platform.audit(actor, input.query);
  }
}
