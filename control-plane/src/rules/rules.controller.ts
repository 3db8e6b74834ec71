// The rules API: the catalogue with switches and alert figures, switching a rule, and the tenant's own
// rule files (upload with validation, read, delete).
import { Controller, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../alerts/request-actor.js';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, type RouteInput } from '../http/endpoint.js';
import { RulesApiService, type RuleFileSummary, type RuleListItem } from './rules-api.service.js';
import { MAX_RULE_FILE_BYTES } from './tenant-rule-validation.js';

const TAGS = ['rules'];
const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, '1 to 63 of a-z, 0-9, _ and -');
const slugParams = z.strictObject({ slug });

const stats = z.object({
  alerts: z.number().int(),
  open: z.number().int(),
  hits: z.number().int(),
  lastSeen: z.string().nullable(),
});
const rule = z.object({
  key: z.string(),
  title: z.string(),
  kind: z.enum(['detection', 'correlation']),
  level: z.string().optional(),
  status: z.string().optional(),
  description: z.string().optional(),
  tags: z.array(z.string()),
  logsource: z
    .object({
      product: z.string().optional(),
      category: z.string().optional(),
      service: z.string().optional(),
    })
    .optional(),
  source: z.enum(['shipped', 'tenant']),
  file: z.string().nullable(),
  enabled: z.boolean(),
  stats,
});
const fileSummary = z.object({
  slug: z.string(),
  ruleKey: z.string(),
  enabled: z.boolean(),
  rules: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const loadedRule = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  title: z.string(),
  kind: z.enum(['detection', 'correlation']),
  level: z.string().optional(),
});
const problem = z.object({ message: z.string(), ruleId: z.string().optional(), key: z.string().optional() });

const listQuery = z.strictObject({
  q: z.string().min(1).max(200).optional(),
  source: z.enum(['shipped', 'tenant']).optional(),
  enabled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
const switchBody = z.strictObject({ ruleKey: z.string().min(1).max(300), enabled: z.boolean() });
const uploadBody = z.strictObject({
  slug,
  text: z.string().min(1).max(MAX_RULE_FILE_BYTES),
  enabled: z.boolean().optional(),
});

@Controller('api/rules')
export class RulesController {
  constructor(@Inject(RulesApiService) private readonly rules: RulesApiService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listRules',
    summary: 'Shipped and tenant rules with their switches and alert figures',
    tags: TAGS,
    access: 'rules:read',
    query: listQuery,
    responses: {
      200: {
        description: 'Every rule (not paged) and the tenant rule files',
        schema: z.object({ items: z.array(rule), files: z.array(fileSummary), nextCursor: z.null() }),
      },
    },
  })
  async list(
    @Input() input: RouteInput<unknown, z.infer<typeof listQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: RuleListItem[]; files: RuleFileSummary[]; nextCursor: null }> {
    return { ...(await this.rules.list(actorOf(auth, request), input.query)), nextCursor: null };
  }

  @Endpoint({
    method: 'POST',
    path: 'switch',
    operationId: 'switchRule',
    summary: 'Switch a rule (or a whole rule file, custom:<slug>) on or off for the tenant',
    tags: TAGS,
    access: 'rules:write',
    body: switchBody,
    responses: {
      200: { description: 'The switch', schema: switchBody },
      404: { description: 'No rule has this key' },
    },
  })
  switch(
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof switchBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ ruleKey: string; enabled: boolean }> {
    return this.rules.setEnabled(actorOf(auth, request), input.body.ruleKey, input.body.enabled);
  }

  @Endpoint({
    method: 'POST',
    path: 'files',
    operationId: 'uploadRuleFile',
    summary: "Upload (or replace) one of the tenant's Sigma rule files",
    tags: TAGS,
    access: 'rules:write',
    body: uploadBody,
    responses: {
      200: {
        description: 'Stored',
        schema: fileSummary.extend({ loaded: z.array(loadedRule), warnings: z.array(problem) }),
      },
      409: { description: 'The tenant holds the most rule files allowed' },
      422: { description: 'Refused: `errors` lists every problem (path: body.text[rule].key)' },
    },
  })
  upload(
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof uploadBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    const { slug: name, text, enabled } = input.body;
    return this.rules.upload(actorOf(auth, request), name, text, enabled ?? true);
  }

  @Endpoint({
    method: 'GET',
    path: 'files/:slug',
    operationId: 'getRuleFile',
    summary: "One of the tenant's rule files, with its text",
    tags: TAGS,
    access: 'rules:read',
    params: slugParams,
    responses: {
      200: {
        description: 'The file',
        schema: fileSummary.extend({
          text: z.string(),
          loaded: z.array(rule.omit({ source: true, file: true, enabled: true, stats: true })),
        }),
      },
      404: { description: 'No such rule file in your tenant' },
    },
  })
  file(
    @Input() input: RouteInput<z.infer<typeof slugParams>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    return this.rules.file(actorOf(auth, request), input.params.slug);
  }

  @Endpoint({
    method: 'DELETE',
    path: 'files/:slug',
    operationId: 'deleteRuleFile',
    summary: "Delete one of the tenant's rule files",
    tags: TAGS,
    access: 'rules:write',
    params: slugParams,
    status: 204,
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such rule file in your tenant' } },
  })
  async remove(
    @Input() input: RouteInput<z.infer<typeof slugParams>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.rules.remove(actorOf(auth, request), input.params.slug);
  }
}
