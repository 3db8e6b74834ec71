// Request and response schemas of the fleet API (zod): the same declarations validate and document.
import { z } from 'zod';
import { schemas } from '../http/endpoint.js';
import { policyDocumentSchema, SENSOR_NAMES } from './fleet-policy.js';

/** An agent id: assigned at enrollment, the subject CN of its certificate. */
export const agentId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);
export const agentIdParams = z.strictObject({ id: agentId });

const time = z.iso.datetime({ offset: true });
const nullableTime = time.nullable();

// ---- enrollment tokens ----
export const createTokenBody = z.strictObject({
  groupId: schemas.uuid.optional().describe('the group enrolled agents join (default: the default group)'),
  description: z.string().max(200).default(''),
  ttlSeconds: z
    .number()
    .int()
    .min(300)
    .max(30 * 86_400)
    .default(86_400)
    .describe('seconds 300-2592000 the token stays usable (default 86400)'),
  maxUses: z.number().int().min(1).max(10_000).default(1).describe('enrollments it allows (default 1)'),
});

export const enrollmentToken = z.object({
  id: z.uuid(),
  groupId: z.uuid(),
  groupName: z.string(),
  description: z.string(),
  maxUses: z.number().int(),
  uses: z.number().int(),
  expiresAt: time,
  revokedAt: nullableTime,
  lastUsedAt: nullableTime,
  createdAt: time,
  createdBy: z.uuid().nullable(),
  status: z.enum(['active', 'used', 'expired', 'revoked']),
});
export type EnrollmentTokenView = z.infer<typeof enrollmentToken>;

export const createdToken = enrollmentToken.extend({
  token: z.string().describe('the token: shown once, never stored'),
  installCommand: z.string().describe('the command that enrolls an agent with this token'),
  server: z.string().describe('the grpcs:// URL agents enroll at'),
  caSha256: z.string().describe("SHA-256 of the platform root CA's certificate, hex"),
});

export const tokenListQuery = z.strictObject({
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export const tokenList = z.object({ items: z.array(enrollmentToken), nextCursor: z.string().nullable() });

// ---- groups and policies ----
export const groupBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).default(''),
  policy: policyDocumentSchema.optional().describe('the first policy (default: the default policy)'),
});

export const groupPatchBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(500).optional(),
  })
  .refine((b) => b.name !== undefined || b.description !== undefined, 'name or description is required');

export const agentGroup = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  isDefault: z.boolean(),
  agentCount: z.number().int(),
  policyVersion: z.number().int().nullable(),
  policyRevision: z.number().int().nullable(),
  createdAt: time,
  updatedAt: time,
});
export type AgentGroupView = z.infer<typeof agentGroup>;

export const groupListQuery = z.strictObject({ cursor: schemas.cursor.optional(), limit: schemas.limit() });
export const groupList = z.object({ items: z.array(agentGroup), nextCursor: z.string().nullable() });

export const groupPolicy = z.object({
  groupId: z.uuid(),
  revision: z.number().int(),
  version: z.number().int().describe('the version agents see (grows across all groups)'),
  policy: policyDocumentSchema,
  createdAt: time,
  createdBy: z.uuid().nullable(),
});
export type GroupPolicyView = z.infer<typeof groupPolicy>;
export const policyList = z.object({ items: z.array(groupPolicy), nextCursor: z.string().nullable() });

// ---- agents ----
const sensorStatus = z.object({
  sensor: z.enum([...SENSOR_NAMES, 'unknown']),
  state: z.enum(['unspecified', 'running', 'degraded', 'failed', 'disabled']),
  message: z.string(),
  events: z.number().int(),
});
export type SensorStatusView = z.infer<typeof sensorStatus>;

export const agentView = z.object({
  id: agentId,
  groupId: z.uuid(),
  groupName: z.string(),
  hostName: z.string(),
  hostId: z.string(),
  os: z.string(),
  architecture: z.string(),
  ipAddresses: z.array(z.string()),
  version: z.string(),
  kind: z.enum(['endpoint', 'ot_gateway']),
  status: z.enum(['online', 'offline', 'revoked']),
  enrolledAt: time,
  lastSeenAt: nullableTime,
  heartbeatIntervalSeconds: z.number().int(),
  uptimeSeconds: z.number().int().nullable(),
  clockSkewMs: z.number().int().nullable(),
  queueDepthEvents: z.number().int().nullable().describe('events waiting in the agent spool'),
  spoolBytes: z.number().int().nullable(),
  droppedEvents: z.number().int().nullable(),
  backlog: z.number().int().nullable().describe('highest seq assigned minus highest seq acknowledged'),
  cpuPercent: z.number().nullable(),
  memoryRssBytes: z.number().int().nullable(),
  policyVersion: z.number().int().nullable(),
  desiredPolicyVersion: z.number().int().nullable(),
  sensors: z.array(sensorStatus),
  certificate: z.object({ serial: z.string(), sha256: z.string(), notAfter: time }),
  revokedAt: nullableTime,
  revokedReason: z.string().nullable(),
});
export type AgentView = z.infer<typeof agentView>;

export const agentListQuery = z.strictObject({
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(),
  status: schemas.list(z.enum(['online', 'offline', 'revoked']), 3).optional(),
  groupId: schemas.uuid.optional(),
  search: z.string().min(1).max(200).optional().describe('part of the host name or agent id'),
  os: z.string().min(1).max(200).optional(),
  version: z.string().min(1).max(100).optional(),
  kind: z.enum(['endpoint', 'ot_gateway']).optional(),
});
export const agentList = z.object({ items: z.array(agentView), nextCursor: z.string().nullable() });

export const agentPatchBody = z.strictObject({ groupId: schemas.uuid });
export const revokeBody = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
  .optional()
  .transform((b) => b ?? {});
