import { Controller, Inject, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import type { AuditFilter } from '../audit/audit.repository.js';
import { Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import { auditEntrySchema, pageOf, type AuditEntryDto } from './admin-schemas.js';
import { AUDIT_EXPORT_MAX_ROWS, AuditLogService } from './audit-log.service.js';
import { Actor, type RequestActor } from './request-actor.js';

const filterFields = {
  action: z
    .string()
    .max(100)
    .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'an action or its prefix, such as user or user.invite')
    .optional()
    .describe('an action (user.invite) or a prefix of whole segments (user)'),
  actorId: z.string().min(1).max(200).optional(),
  resourceType: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/)
    .max(100)
    .optional(),
  resourceId: z.string().min(1).max(300).optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  from: schemas.timestamp.optional().describe('entries at or after this time'),
  to: schemas.timestamp.optional().describe('entries before this time'),
};
const listQuery = z.strictObject({
  ...filterFields,
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(500, 100),
});
const exportQuery = z.strictObject(filterFields);
const verification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBroken: z
    .object({
      id: z.number().int(),
      reason: z.enum([
        'content_changed',
        'previous_missing_or_changed',
        'content_changed_and_previous_missing_or_changed',
      ]),
    })
    .optional(),
  head: z.object({ id: z.number().int(), hash: z.string() }).optional(),
});

function filterOf(query: z.infer<typeof exportQuery>): AuditFilter {
  const { action, actorId, resourceType, resourceId, outcome, from, to } = query;
  return { action, actorId, resourceType, resourceId, outcome, from, to };
}

/** The caller's tenant's audit log. */
@Controller('api/audit')
export class AuditLogController {
  constructor(@Inject(AuditLogService) private readonly audit: AuditLogService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listAudit',
    summary: "The tenant's audit entries, newest first",
    tags: ['audit'],
    access: 'audit:read',
    query: listQuery,
    responses: { 200: { description: 'A page of entries', schema: pageOf(auditEntrySchema) } },
  })
  list(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, z.infer<typeof listQuery>>,
  ): Promise<{ items: AuditEntryDto[]; nextCursor: string | null }> {
    return this.audit.list(actor, filterOf(input.query), input.query);
  }

  @Endpoint({
    method: 'GET',
    path: 'export',
    operationId: 'exportAudit',
    summary: `Export the newest entries matching the filter as CSV (at most ${AUDIT_EXPORT_MAX_ROWS}); the export is itself audited`,
    tags: ['audit'],
    access: 'audit:read',
    query: exportQuery,
    responses: { 200: { description: 'CSV with a header line', contentType: 'text/csv' } },
  })
  async export(
    @Actor() actor: RequestActor,
    @Input() input: RouteInput<unknown, z.infer<typeof exportQuery>>,
  ): Promise<StreamableFile> {
    const stream = await this.audit.export(actor, filterOf(input.query));
    const day = new Date().toISOString().slice(0, 10);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="inosec-audit-${day}.csv"`,
    });
  }

  @Endpoint({
    method: 'GET',
    path: 'verify',
    operationId: 'verifyAudit',
    summary: "Verify the tenant's hash chain and report its first broken link",
    tags: ['audit'],
    access: 'audit:read',
    responses: { 200: { description: 'The verdict', schema: verification } },
  })
  verify(@Actor() actor: RequestActor): Promise<z.infer<typeof verification>> {
    return this.audit.verify(actor);
  }
}
