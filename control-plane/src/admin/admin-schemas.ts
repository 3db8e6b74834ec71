// Response shapes of the admin API (zod: they document the OpenAPI responses and type what controllers
// return), and the mapping of repository records to them.
import { z } from 'zod';
import type { AuditRecord } from '../audit/audit.repository.js';
import type { RoleRecord } from './roles.repository.js';
import type { TenantRecord } from './tenant-settings.repository.js';
import type { SessionRecord, UserRecord } from './users.repository.js';

const at = z.iso.datetime({ offset: true });

/** A page of a list: its items and the cursor of the next page (null on the last). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  status: z.enum(['active', 'suspended', 'archived']),
  statusReason: z.string().nullable(),
  statusChangedAt: at.nullable(),
  selfRegistration: z.boolean(),
  allowedEmailDomains: z.array(z.string()),
  createdAt: at,
  updatedAt: at,
});
export type TenantDto = z.infer<typeof tenantSchema>;

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  status: z.enum(['invited', 'active', 'disabled']),
  emailVerified: z.boolean(),
  totpEnabled: z.boolean(),
  superAdmin: z.boolean(),
  platformOperator: z
    .boolean()
    .describe(
      "a platform operator working in this tenant (the tenant switcher); signs in only through the operator's own session",
    ),
  passwordSet: z.boolean(),
  roles: z.array(z.object({ id: z.uuid(), name: z.string() })),
  lastLoginAt: at.nullable(),
  createdAt: at,
  updatedAt: at,
});
export type UserDto = z.infer<typeof userSchema>;

export const roleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  permissions: z.array(z.string()),
  builtin: z.boolean(),
  userCount: z.number().int(),
  createdAt: at,
  updatedAt: at,
});
export type RoleDto = z.infer<typeof roleSchema>;

export const sessionSchema = z.object({
  id: z.uuid(),
  createdAt: at,
  lastUsedAt: at,
  expiresAt: at,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  mfa: z.boolean(),
  revokedAt: at.nullable(),
  revokedReason: z.string().nullable(),
});
export type SessionDto = z.infer<typeof sessionSchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  tenantId: z.uuid().nullable(),
  at,
  actorType: z.enum(['user', 'agent', 'system', 'anonymous']),
  actorId: z.string().nullable(),
  actorIp: z.string().nullable(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntryDto = z.infer<typeof auditEntrySchema>;

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function tenantDto(t: TenantRecord): TenantDto {
  return {
    ...t,
    statusChangedAt: iso(t.statusChangedAt),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

export function userDto(u: UserRecord): UserDto {
  return {
    ...u,
    lastLoginAt: iso(u.lastLoginAt),
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

export function roleDto(r: RoleRecord): RoleDto {
  return { ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() };
}

export function sessionDto(s: SessionRecord): SessionDto {
  return {
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    ip: s.ip,
    userAgent: s.userAgent,
    mfa: s.mfa,
    revokedAt: iso(s.revokedAt),
    revokedReason: s.revokedReason,
  };
}

export function auditEntryDto(a: AuditRecord): AuditEntryDto {
  return { ...a, at: a.at.toISOString() };
}
