// Helpers of the admin API tests: problem+json assertions and audit look-ups through the superuser pool.
import { expect } from 'vitest';
import type { ApiHarness, ApiResponse } from './api-harness.js';

/** Asserts `res` is a problem+json answer with `status` (and `code` when given). */
export function expectProblem(res: ApiResponse, status: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  if (code !== undefined) expect((res.body as { code?: string }).code).toBe(code);
}

/** The audit rows of a chain (`tenantId` null: the platform chain) with `action`, oldest first. */
export async function auditRows(
  h: ApiHarness,
  tenantId: string | null,
  action: string,
): Promise<
  Array<{
    id: string;
    actor_id: string | null;
    resource_id: string | null;
    outcome: string;
    details: Record<string, unknown>;
  }>
> {
  const { rows } = await h.admin.query(
    `SELECT id::text, actor_id, resource_id, outcome, details FROM inosec.audit_log
      WHERE tenant_id IS NOT DISTINCT FROM $1::uuid AND action = $2 ORDER BY id`,
    [tenantId, action],
  );
  return rows as Array<{
    id: string;
    actor_id: string | null;
    resource_id: string | null;
    outcome: string;
    details: Record<string, unknown>;
  }>;
}

/** The token in an invitation mail's accept link, and the link itself. */
export function inviteLink(text: string): { link: string; token: string } {
  const match = /(https:\/\/console\.inosec\.test\/accept-invite\?token=([^\s]+))/.exec(text);
  if (!match) throw new Error(`no invitation link in: ${text}`);
  return { link: match[1]!, token: decodeURIComponent(match[2]!) };
}
