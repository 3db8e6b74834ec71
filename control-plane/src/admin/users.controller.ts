import { Controller, Inject } from '@nestjs/common';
import { z } from 'zod';
import { Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import { pageOf, sessionSchema, userSchema, type SessionDto, type UserDto } from './admin-schemas.js';
import { Actor, type RequestActor } from './request-actor.js';
import { UsersService, type InvitationResult } from './users.service.js';

const listQuery = z.strictObject({
  status: z.enum(['invited', 'active', 'disabled']).optional(),
  roleId: z.uuid().optional().describe('only users holding this role'),
  q: z.string().trim().min(1).max(200).optional().describe('a part of the email or display name'),
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(200, 50),
});
const email = z.string().trim().max(254).pipe(z.email()).describe('the address the invitation goes to');
const displayName = z.string().trim().max(200);
const inviteBody = z.strictObject({
  email,
  displayName: displayName.optional(),
  roleIds: z.array(z.uuid()).min(1).max(50),
});
const updateBody = z
  .strictObject({
    displayName: displayName.optional(),
    status: z.enum(['active', 'disabled']).optional(),
  })
  .refine((b) => b.displayName !== undefined || b.status !== undefined, {
    message: 'give displayName and/or status',
  });
const rolesBody = z.strictObject({ roleIds: z.array(z.uuid()).max(50) });
const sessionsQuery = z.strictObject({
  state: z.enum(['live', 'all']).default('live').describe('live (default): unrevoked and unexpired only'),
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(200, 50),
});
const invitation = z.object({ user: userSchema, invitationSent: z.boolean() });

type Id = z.infer<typeof schemas.idParams>;

/** Users of the caller's tenant: invitation, status, roles and sessions. */
@Controller('api/users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listUsers',
    summary: "List the tenant's users",
    tags: ['users'],
    access: 'users:read',
    query: listQuery,
    responses: { 200: { description: 'A page of users, ordered by email', schema: pageOf(userSchema) } },
  })
  list(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, z.infer<typeof listQuery>>,
  ): Promise<{ items: UserDto[]; nextCursor: string | null }> {
    return this.users.list(actor, input.query);
  }

  @Endpoint({
    method: 'POST',
    path: '',
    operationId: 'inviteUser',
    summary: 'Invite a user: creates them as invited and mails a single-use link (7 days)',
    tags: ['users'],
    access: 'users:write',
    body: inviteBody,
    status: 201,
    responses: {
      201: { description: 'Invited', schema: invitation },
      403: { description: 'Missing permission, or a role carries a permission you do not hold' },
      409: { description: 'A user with this email exists' },
    },
  })
  invite(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof inviteBody>>,
  ): Promise<InvitationResult> {
    return this.users.invite(actor, input.body);
  }

  @Endpoint({
    method: 'GET',
    path: ':id',
    operationId: 'getUser',
    summary: 'A user with their roles, second factor and last login',
    tags: ['users'],
    access: 'users:read',
    params: schemas.idParams,
    responses: { 200: { description: 'The user', schema: userSchema } },
  })
  get(@Actor() actor: RequestActor, @Input() input: RouteInput<Id>): Promise<UserDto> {
    return this.users.get(actor, input.params.id);
  }

  @Endpoint({
    method: 'PATCH',
    path: ':id',
    operationId: 'updateUser',
    summary: 'Change a display name, or disable / re-enable a user (disabling ends their sessions)',
    tags: ['users'],
    access: 'users:write',
    params: schemas.idParams,
    body: updateBody,
    responses: {
      200: { description: 'The changed user', schema: userSchema },
      403: { description: 'Missing permission, or the user holds permissions you do not' },
      409: { description: 'Yourself, the last active admin, or an invitation not accepted yet' },
    },
  })
  update(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<Id, unknown, z.infer<typeof updateBody>>,
  ): Promise<UserDto> {
    return this.users.update(actor, input.params.id, input.body);
  }

  @Endpoint({
    method: 'DELETE',
    path: ':id',
    operationId: 'deleteUser',
    summary: 'Delete a user with their roles, sessions and tokens (audit entries stay)',
    tags: ['users'],
    access: 'users:write',
    params: schemas.idParams,
    status: 204,
    responses: {
      204: { description: 'Deleted' },
      403: { description: 'Missing permission, or the user holds permissions you do not' },
      409: { description: 'Yourself, or the last active admin' },
    },
  })
  async remove(@Actor() actor: RequestActor, @Input() input: RouteInput<Id>): Promise<void> {
    await this.users.remove(actor, input.params.id);
  }

  @Endpoint({
    method: 'PUT',
    path: ':id/roles',
    operationId: 'setUserRoles',
    summary: "Set a user's roles (exactly these)",
    tags: ['users'],
    access: 'users:write',
    params: schemas.idParams,
    body: rolesBody,
    responses: {
      200: { description: 'The user with their roles', schema: userSchema },
      403: {
        description: 'Missing permission, or a role granted or revoked carries a permission you do not hold',
      },
      409: { description: 'The last active admin would lose the admin role' },
    },
  })
  setRoles(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<Id, unknown, z.infer<typeof rolesBody>>,
  ): Promise<UserDto> {
    return this.users.setRoles(actor, input.params.id, input.body);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/invite',
    operationId: 'resendInvitation',
    summary: 'Mail a new invitation link to a user who has not accepted theirs (the old link stops working)',
    tags: ['users'],
    access: 'users:write',
    params: schemas.idParams,
    responses: {
      200: { description: 'Sent', schema: z.object({ invitationSent: z.boolean() }) },
      409: { description: 'The user is not invited (already active or disabled)' },
    },
  })
  resendInvitation(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<Id>,
  ): Promise<{ invitationSent: boolean }> {
    return this.users.resendInvitation(actor, input.params.id);
  }

  @Endpoint({
    method: 'GET',
    path: ':id/sessions',
    operationId: 'listUserSessions',
    summary: "A user's sessions, newest first",
    tags: ['users'],
    access: 'users:read',
    params: schemas.idParams,
    query: sessionsQuery,
    responses: { 200: { description: 'A page of sessions', schema: pageOf(sessionSchema) } },
  })
  sessions(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<Id, z.infer<typeof sessionsQuery>>,
  ): Promise<{ items: SessionDto[]; nextCursor: string | null }> {
    return this.users.sessions(actor, input.params.id, {
      live: input.query.state === 'live',
      cursor: input.query.cursor,
      limit: input.query.limit,
    });
  }

  @Endpoint({
    method: 'POST',
    path: ':id/sessions/revoke',
    operationId: 'revokeUserSessions',
    summary: 'End every session of a user (they must sign in again)',
    tags: ['users'],
    access: 'users:write',
    params: schemas.idParams,
    responses: {
      200: { description: 'How many sessions ended', schema: z.object({ revoked: z.number().int() }) },
    },
  })
  revokeSessions(@Actor() actor: RequestActor, @Input() input: RouteInput<Id>): Promise<{ revoked: number }> {
    return this.users.revokeSessions(actor, input.params.id);
  }
}
