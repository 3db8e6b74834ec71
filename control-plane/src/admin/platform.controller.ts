import { Controller, Inject } from '@nestjs/common';
import { z } from 'zod';
import { tokenPair, type TokenPair } from '../auth/auth.schemas.js';
import { Client, type ClientInfo } from '../auth/client-info.js';
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

const entered = tokenPair.extend({
  tenant: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }).describe('the tenant entered'),
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
    method: 'POST',
    path: 'tenants/:id/enter',
    operationId: 'platformEnterTenant',
    summary: 'Work inside another tenant (the tenant switcher): a session there as your delegate user',
    description:
      "Opens a session in the tenant for the caller's delegate user there (created with the tenant's admin role on " +
      "the first entry; the tenant's administrators see it and may restrict or disable it). The session lives only " +
      "while the caller's own session does and the caller stays an active super admin. Audited in the platform " +
      "chain and in the tenant's chain.",
    tags: ['platform'],
    access: 'platform',
    params: schemas.idParams,
    responses: {
      200: { description: 'Tokens of the session in the tenant', schema: entered },
      403: { description: "Not a super admin, or the tenant's administrators disabled your access" },
      404: { description: 'No such tenant' },
      409: { description: 'Your own tenant, or a suspended or archived one' },
    },
  })
  enter(
    @Actor() actor: RequestActor,
    @Client() client: ClientInfo,
    @Input() input: RouteInput<Id>,
  ): Promise<TokenPair & z.infer<typeof entered>> {
    return this.platform.enterTenant(actor, input.params.id, client);
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
