// The suppressions API: list, create (optionally closing the open alerts covered), delete.
import { Controller, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import { CLOSE_REASONS } from './alert-schemas.js';
import { actorOf } from './request-actor.js';
import type { Suppression } from './suppressions.repository.js';
import { SuppressionsService } from './suppressions.service.js';

const suppression = z.object({
  id: z.uuid(),
  ruleId: z.string(),
  hostName: z.string().nullable(),
  reason: z.string(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  active: z.boolean(),
  suppressedCount: z.number().int(),
  lastSuppressedAt: z.string().nullable(),
});

const listQuery = z.strictObject({
  ruleId: z.string().min(1).max(300).optional(),
  includeExpired: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(200, 50),
});

const createBody = z.strictObject({
  ruleId: z.string().trim().min(1).max(300),
  hostName: z.string().trim().min(1).max(255).optional(),
  reason: z.string().trim().min(1).max(2000),
  expiresAt: schemas.timestamp.optional(),
  closeOpen: z.boolean().optional(),
  closeReason: z.enum(CLOSE_REASONS).optional(),
});

const TAGS = ['suppressions'];

@Controller('api/suppressions')
export class SuppressionsController {
  constructor(@Inject(SuppressionsService) private readonly suppressions: SuppressionsService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listSuppressions',
    summary: 'List alert suppressions, newest first',
    tags: TAGS,
    access: 'alerts:read',
    query: listQuery,
    responses: {
      200: {
        description: 'A page of suppressions',
        schema: z.object({ items: z.array(suppression), nextCursor: z.string().nullable() }),
      },
    },
  })
  list(
    @Input() input: RouteInput<unknown, z.infer<typeof listQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: Suppression[]; nextCursor: string | null }> {
    return this.suppressions.list(actorOf(auth, request), input.query);
  }

  @Endpoint({
    method: 'POST',
    path: '',
    operationId: 'createSuppression',
    summary: 'Suppress a rule for a host or the whole tenant',
    tags: TAGS,
    access: 'alerts:write',
    body: createBody,
    status: 201,
    responses: {
      201: {
        description: 'The suppression, and how many open alerts it closed',
        schema: z.object({ suppression, closedAlerts: z.number().int() }),
      },
      409: { description: 'A live suppression of this rule and host exists' },
    },
  })
  create(
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof createBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ suppression: Suppression; closedAlerts: number }> {
    return this.suppressions.create(actorOf(auth, request), input.body);
  }

  @Endpoint({
    method: 'DELETE',
    path: ':id',
    operationId: 'deleteSuppression',
    summary: 'Delete a suppression',
    tags: TAGS,
    access: 'alerts:write',
    params: schemas.idParams,
    status: 204,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'No such suppression in your tenant' },
    },
  })
  async remove(
    @Input() input: RouteInput<{ id: string }>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.suppressions.remove(actorOf(auth, request), input.params.id);
  }
}
