import { Controller, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, type RouteInput } from '../http/endpoint.js';
import { AgentsService } from './agents.service.js';
import { fleetActorOf } from './fleet-actor.js';
import {
  agentIdParams,
  agentList,
  agentListQuery,
  agentPatchBody,
  agentView,
  revokeBody,
  type AgentView,
} from './fleet-schemas.js';

const TAGS = ['fleet'];
const notFound = { description: 'No such agent (or group) in your tenant' };
type IdParams = { id: string };

/** The fleet: enrolled agents with their health, moving them between groups, revoking them. */
@Controller('api/fleet/agents')
export class AgentsController {
  constructor(@Inject(AgentsService) private readonly agents: AgentsService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listAgents',
    summary: 'List agents by host name, with health (online, queue depth, drops, last seen)',
    tags: TAGS,
    access: 'fleet:read',
    query: agentListQuery,
    responses: { 200: { description: 'A page of agents', schema: agentList } },
  })
  list(
    @Input() input: RouteInput<unknown, z.infer<typeof agentListQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: AgentView[]; nextCursor: string | null }> {
    const { cursor, limit, status, groupId, search, os, version, kind } = input.query;
    return this.agents.list(
      fleetActorOf(auth, request),
      {
        ...(status ? { status } : {}),
        ...(groupId ? { groupId } : {}),
        ...(search ? { search } : {}),
        ...(os ? { os } : {}),
        ...(version ? { version } : {}),
        ...(kind ? { kind } : {}),
      },
      cursor,
      limit,
    );
  }

  @Endpoint({
    method: 'GET',
    path: ':id',
    operationId: 'getAgent',
    summary: 'Read an agent',
    tags: TAGS,
    access: 'fleet:read',
    params: agentIdParams,
    responses: { 200: { description: 'The agent', schema: agentView }, 404: notFound },
  })
  get(
    @Input() input: RouteInput<IdParams>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AgentView> {
    return this.agents.get(fleetActorOf(auth, request), input.params.id);
  }

  @Endpoint({
    method: 'PATCH',
    path: ':id',
    operationId: 'moveAgent',
    summary: 'Move an agent to another group',
    tags: TAGS,
    access: 'fleet:write',
    params: agentIdParams,
    body: agentPatchBody,
    responses: { 200: { description: 'The agent', schema: agentView }, 404: notFound },
  })
  move(
    @Input() input: RouteInput<IdParams, unknown, z.infer<typeof agentPatchBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AgentView> {
    return this.agents.move(fleetActorOf(auth, request), input.params.id, input.body.groupId);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/revoke',
    operationId: 'revokeAgent',
    summary: 'Revoke an agent: its next connection to a collector or the control plane is refused',
    tags: TAGS,
    access: 'fleet:write',
    params: agentIdParams,
    body: revokeBody,
    responses: { 200: { description: 'The revoked agent', schema: agentView }, 404: notFound },
  })
  revoke(
    @Input() input: RouteInput<IdParams, unknown, z.infer<typeof revokeBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AgentView> {
    return this.agents.revoke(fleetActorOf(auth, request), input.params.id, input.body.reason);
  }
}
