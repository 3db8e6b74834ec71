import { Controller, Inject } from '@nestjs/common';
import { z } from 'zod';
import { isPermission } from '../auth/permissions.js';
import { Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import { pageOf, roleSchema, type RoleDto } from './admin-schemas.js';
import { Actor, type RequestActor } from './request-actor.js';
import { RolesService } from './roles.service.js';

/** Permissions from the closed catalogue; each unknown one is named in the 400. */
const permissions = z
  .array(z.string().max(100))
  .max(200)
  .superRefine((list, ctx) => {
    list.forEach((p, i) => {
      if (!isPermission(p)) ctx.addIssue({ code: 'custom', path: [i], message: `unknown permission "${p}"` });
    });
  });
const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _; 1-63 characters')
  .describe('unique in the tenant');
const description = z.string().max(500);
const createBody = z.strictObject({ name, description: description.optional(), permissions });
const updateBody = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    permissions: permissions.optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined || b.permissions !== undefined, {
    message: 'give name, description and/or permissions',
  });
const listQuery = z.strictObject({ cursor: schemas.cursor.optional(), limit: schemas.limit(200, 100) });

type Id = z.infer<typeof schemas.idParams>;

/** Roles of the caller's tenant: the builtin ones and custom ones over the permission catalogue. */
@Controller('api/roles')
export class RolesController {
  constructor(@Inject(RolesService) private readonly roles: RolesService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listRoles',
    summary: "List the tenant's roles",
    tags: ['roles'],
    access: 'roles:read',
    query: listQuery,
    responses: { 200: { description: 'A page of roles, ordered by name', schema: pageOf(roleSchema) } },
  })
  list(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, z.infer<typeof listQuery>>,
  ): Promise<{ items: RoleDto[]; nextCursor: string | null }> {
    return this.roles.list(actor, input.query);
  }

  @Endpoint({
    method: 'POST',
    path: '',
    operationId: 'createRole',
    summary: 'Create a custom role',
    tags: ['roles'],
    access: 'roles:write',
    body: createBody,
    status: 201,
    responses: {
      201: { description: 'Created', schema: roleSchema },
      403: { description: 'Missing permission, or the role carries a permission you do not hold' },
      409: { description: 'The name is taken' },
    },
  })
  create(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof createBody>>,
  ): Promise<RoleDto> {
    return this.roles.create(actor, input.body);
  }

  @Endpoint({
    method: 'GET',
    path: ':id',
    operationId: 'getRole',
    summary: 'A role with its permissions',
    tags: ['roles'],
    access: 'roles:read',
    params: schemas.idParams,
    responses: { 200: { description: 'The role', schema: roleSchema } },
  })
  get(@Actor() actor: RequestActor, @Input() input: RouteInput<Id>): Promise<RoleDto> {
    return this.roles.get(actor, input.params.id);
  }

  @Endpoint({
    method: 'PATCH',
    path: ':id',
    operationId: 'updateRole',
    summary: 'Change a custom role (its holders get the change within seconds)',
    tags: ['roles'],
    access: 'roles:write',
    params: schemas.idParams,
    body: updateBody,
    responses: {
      200: { description: 'The changed role', schema: roleSchema },
      403: { description: 'Missing permission, or a permission added or removed is one you do not hold' },
      409: { description: 'A builtin role, or the name is taken' },
    },
  })
  update(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<Id, unknown, z.infer<typeof updateBody>>,
  ): Promise<RoleDto> {
    return this.roles.update(actor, input.params.id, input.body);
  }

  @Endpoint({
    method: 'DELETE',
    path: ':id',
    operationId: 'deleteRole',
    summary: 'Delete a custom role (its holders lose it)',
    tags: ['roles'],
    access: 'roles:write',
    params: schemas.idParams,
    status: 204,
    responses: {
      204: { description: 'Deleted' },
      403: { description: 'Missing permission, or the role carries a permission you do not hold' },
      409: { description: 'A builtin role' },
    },
  })
  async remove(@Actor() actor: RequestActor, @Input() input: RouteInput<Id>): Promise<void> {
    await this.roles.remove(actor, input.params.id);
  }
}
