import { Controller, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import { AgentGroupsService } from './agent-groups.service.js';
import { fleetActorOf } from './fleet-actor.js';
import { policyDocumentSchema, type PolicyDocument } from './fleet-policy.js';
import {
  agentGroup,
  groupBody,
  groupList,
  groupListQuery,
  groupPatchBody,
  groupPolicy,
  policyList,
  type AgentGroupView,
  type GroupPolicyView,
} from './fleet-schemas.js';

const TAGS = ['fleet'];
const notFound = { description: 'No such agent group in your tenant' };
type IdParams = { id: string };

/** Agent groups and their versioned, signed policies. */
@Controller('api/fleet/groups')
export class AgentGroupsController {
  constructor(@Inject(AgentGroupsService) private readonly groups: AgentGroupsService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listAgentGroups',
    summary: 'List agent groups by name',
    tags: TAGS,
    access: 'fleet:read',
    query: groupListQuery,
    responses: { 200: { description: 'A page of groups', schema: groupList } },
  })
  list(
    @Input() input: RouteInput<unknown, z.infer<typeof groupListQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: AgentGroupView[]; nextCursor: string | null }> {
    return this.groups.list(fleetActorOf(auth, request), input.query.cursor, input.query.limit);
  }

  @Endpoint({
    method: 'POST',
    path: '',
    operationId: 'createAgentGroup',
    summary: 'Create an agent group with its first policy',
    tags: TAGS,
    access: 'fleet:write',
    body: groupBody,
    status: 201,
    responses: {
      201: { description: 'The group', schema: agentGroup },
      409: { description: 'A group with that name exists' },
    },
  })
  create(
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof groupBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AgentGroupView> {
    const { policy, ...rest } = input.body;
    return this.groups.create(fleetActorOf(auth, request), { ...rest, ...(policy ? { policy } : {}) });
  }

  @Endpoint({
    method: 'GET',
    path: ':id',
    operationId: 'getAgentGroup',
    summary: 'Read an agent group',
    tags: TAGS,
    access: 'fleet:read',
    params: schemas.idParams,
    responses: { 200: { description: 'The group', schema: agentGroup }, 404: notFound },
  })
  get(
    @Input() input: RouteInput<IdParams>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AgentGroupView> {
    return this.groups.get(fleetActorOf(auth, request), input.params.id);
  }

  @Endpoint({
    method: 'PATCH',
    path: ':id',
    operationId: 'updateAgentGroup',
    summary: 'Rename an agent group or change its description',
    tags: TAGS,
    access: 'fleet:write',
    params: schemas.idParams,
    body: groupPatchBody,
    responses: {
      200: { description: 'The group', schema: agentGroup },
      404: notFound,
      409: { description: 'A group with that name exists' },
    },
  })
  update(
    @Input() input: RouteInput<IdParams, unknown, z.infer<typeof groupPatchBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AgentGroupView> {
    const { name, description } = input.body;
    return this.groups.update(fleetActorOf(auth, request), input.params.id, {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
    });
  }

  @Endpoint({
    method: 'DELETE',
    path: ':id',
    operationId: 'deleteAgentGroup',
    summary: 'Delete an agent group without agents (its tokens and policy history go with it)',
    tags: TAGS,
    access: 'fleet:write',
    params: schemas.idParams,
    status: 204,
    responses: {
      204: { description: 'Deleted' },
      404: notFound,
      409: { description: 'The default group, or a group that still has agents' },
    },
  })
  async remove(
    @Input() input: RouteInput<IdParams>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.groups.remove(fleetActorOf(auth, request), input.params.id);
  }

  @Endpoint({
    method: 'PUT',
    path: ':id/policy',
    operationId: 'setAgentGroupPolicy',
    summary: "Store a new version of the group's policy",
    description: 'Agents of the group are told the new version at their next heartbeat and fetch it signed.',
    tags: TAGS,
    access: 'fleet:write',
    params: schemas.idParams,
    body: policyDocumentSchema,
    responses: { 200: { description: 'The new version', schema: groupPolicy }, 404: notFound },
  })
  setPolicy(
    @Input() input: RouteInput<IdParams, unknown, PolicyDocument>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<GroupPolicyView> {
    return this.groups.setPolicy(fleetActorOf(auth, request), input.params.id, input.body);
  }

  @Endpoint({
    method: 'GET',
    path: ':id/policies',
    operationId: 'listAgentGroupPolicies',
    summary: "The group's policy history, newest first",
    tags: TAGS,
    access: 'fleet:read',
    params: schemas.idParams,
    query: groupListQuery,
    responses: { 200: { description: 'A page of versions', schema: policyList }, 404: notFound },
  })
  policies(
    @Input() input: RouteInput<IdParams, z.infer<typeof groupListQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: GroupPolicyView[]; nextCursor: string | null }> {
    return this.groups.policies(
      fleetActorOf(auth, request),
      input.params.id,
      input.query.cursor,
      input.query.limit,
    );
  }
}
