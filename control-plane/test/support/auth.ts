// Helpers for the auth API tests: requests from a chosen client address (the harness runs with
// INOSEC_TRUST_PROXY=true, so X-Forwarded-For sets it), tokens out of real mails, problem bodies to compare.
import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { ApiHarness, ApiResponse, CaughtMail } from './api-harness.js';

/** A token pair as the API answers it. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshExpiresAt: string;
  user: {
    id: string;
    tenantId: string;
    email: string;
    displayName: string;
    emailVerified: boolean;
    totpEnabled: boolean;
  };
}

/** A problem+json body. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  instance?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
}

/** A fresh documentation-range address, so each test has its own per-address budget. */
export function randomIp(): string {
  return `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

/** h.request from the address `ip` (a fresh one by default). */
export function call<T = unknown>(
  h: ApiHarness,
  method: string,
  route: string,
  options: { token?: string; body?: unknown; ip?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const { ip, headers, ...rest } = options;
  return h.request<T>(method, route, {
    ...rest,
    headers: { 'x-forwarded-for': ip ?? randomIp(), ...headers },
  });
}

/** POST /api/auth/login. */
export function login<T = Tokens>(
  h: ApiHarness,
  tenant: string,
  email: string,
  password: string,
  ip?: string,
): Promise<ApiResponse<T>> {
  return call<T>(h, 'POST', '/api/auth/login', { body: { tenant, email, password }, ...(ip ? { ip } : {}) });
}

/** The `token` query value of the first link to `path` in a mail. */
export function linkToken(mail: CaughtMail, path: string): string {
  const match = new RegExp(`https://console\\.inosec\\.test${path}\\?token=([A-Za-z0-9._-]+)`).exec(
    mail.text,
  );
  if (match?.[1] === undefined) throw new Error(`no ${path} link in mail "${mail.subject}"`);
  return match[1];
}

/** A problem body without the per-request fields, for comparing two refusals. */
export function comparable(body: unknown): Omit<ProblemBody, 'requestId' | 'instance'> {
  const { requestId: _r, instance: _i, ...rest } = body as ProblemBody;
  return rest;
}

/** Response headers that must match between two refusals (per-request ones left out). */
export function comparableHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (
      !['date', 'x-request-id', 'content-length', 'retry-after', 'connection', 'keep-alive'].includes(name)
    ) {
      out[name] = value;
    }
  });
  return out;
}

/** The TOTP code of a base32 secret at a time (an independent generator: otpauth). */
export function codeAt(secret: string, ms = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: ms,
  });
}

/** Audit rows of an action (superuser read). */
export async function auditRows(
  h: ApiHarness,
  action: string,
  where: { tenantId?: string | null; resourceId?: string } = {},
): Promise<
  Array<{
    tenant_id: string | null;
    actor_type: string;
    actor_id: string | null;
    outcome: string;
    details: Record<string, unknown>;
    resource_id: string | null;
  }>
> {
  const { rows } = await h.admin.query(
    `SELECT tenant_id::text, actor_type, actor_id, outcome, details, resource_id FROM inosec.audit_log
      WHERE action = $1
        AND ($2::boolean IS FALSE OR tenant_id IS NOT DISTINCT FROM $3::uuid)
        AND ($4::text IS NULL OR resource_id = $4)
      ORDER BY id`,
    [action, where.tenantId !== undefined, where.tenantId ?? null, where.resourceId ?? null],
  );
  return rows as Array<{
    tenant_id: string | null;
    actor_type: string;
    actor_id: string | null;
    outcome: string;
    details: Record<string, unknown>;
    resource_id: string | null;
  }>;
}

/** Now, at least 3 s away from the end of a 30-second TOTP step (waits if needed), so codes do not roll over. */
export async function steadyNow(): Promise<number> {
  const into = Date.now() % 30_000;
  if (into > 27_000) await new Promise((resolve) => setTimeout(resolve, 30_100 - into));
  return Date.now();
}
