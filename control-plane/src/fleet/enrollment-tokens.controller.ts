import { Controller, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import { fleetActorOf } from './fleet-actor.js';
import { createdToken, createTokenBody, tokenList, tokenListQuery } from './fleet-schemas.js';
import type { EnrollmentTokenView } from './fleet-schemas.js';
import { EnrollmentTokensService, type IssuedEnrollmentToken } from './enrollment-tokens.service.js';

const TAGS = ['fleet'];

/** Enrollment tokens: create (shown once, with the install command), list, revoke. */
@Controller('api/fleet/enrollment-tokens')
export class EnrollmentTokensController {
  constructor(@Inject(EnrollmentTokensService) private readonly tokens: EnrollmentTokensService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listEnrollmentTokens',
    summary: 'List enrollment tokens, newest first (never the tokens themselves)',
    tags: TAGS,
    access: 'fleet:read',
    query: tokenListQuery,
    responses: { 200: { description: 'A page of tokens', schema: tokenList } },
  })
  list(
    @Input() input: RouteInput<unknown, z.infer<typeof tokenListQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: EnrollmentTokenView[]; nextCursor: string | null }> {
    return this.tokens.list(fleetActorOf(auth, request), input.query);
  }

  @Endpoint({
    method: 'POST',
    path: '',
    operationId: 'createEnrollmentToken',
    summary: 'Create an enrollment token for an agent group',
    description:
      'The token is in this answer only, with a ready-to-run `inosec-agent enroll` command that pins the platform root CA.',
    tags: TAGS,
    access: 'fleet:write',
    body: createTokenBody,
    status: 201,
    responses: {
      201: { description: 'The token (shown once)', schema: createdToken },
      404: { description: 'No such agent group in your tenant' },
    },
  })
  create(
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof createTokenBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<IssuedEnrollmentToken> {
    const { groupId, ...rest } = input.body;
    return this.tokens.issue(fleetActorOf(auth, request), { ...rest, ...(groupId ? { groupId } : {}) });
  }

  @Endpoint({
    method: 'DELETE',
    path: ':id',
    operationId: 'revokeEnrollmentToken',
    summary: 'Revoke an enrollment token (agents it enrolled stay enrolled)',
    tags: TAGS,
    access: 'fleet:write',
    params: schemas.idParams,
    status: 204,
    responses: {
      204: { description: 'Revoked' },
      404: { description: 'No such token in your tenant' },
    },
  })
  async revoke(
    @Input() input: RouteInput<{ id: string }>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.tokens.revoke(fleetActorOf(auth, request), input.params.id);
  }
}
