// Checks made before granting or revoking roles, shared by the users service: the roles exist in the tenant,
// and the caller holds every permission they carry (FR-RBAC: no privilege escalation).
import type pg from 'pg';
import { InvalidRequestProblem } from '../http/problems.js';
import { PrivilegeEscalationProblem, permissionsNotHeld } from './privilege-rules.js';
import type { RequestActor } from './request-actor.js';
import { findRolesByIds, type RoleRecord } from './roles.repository.js';
import type { UserRecord } from './users.repository.js';

/** Loads the tenant's roles among `roleIds`; 400 naming each id that is not a role of the tenant. */
export async function rolesOrBadRequest(
  client: pg.ClientBase,
  roleIds: readonly string[],
): Promise<RoleRecord[]> {
  const roles = await findRolesByIds(client, roleIds);
  const known = new Set(roles.map((r) => r.id));
  const unknown = roleIds.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
  if (unknown.length > 0) {
    throw new InvalidRequestProblem(
      `invalid request: unknown role ${unknown.map((u) => u.id).join(', ')}`,
      unknown.map(({ id, i }) => ({ path: `body.roleIds.${i}`, message: `no role ${id} in this tenant` })),
    );
  }
  return roles;
}

/** 403 privilege_escalation unless the caller holds every permission of `roles` (granted or revoked). */
export function refuseGrant(actor: RequestActor, roles: readonly RoleRecord[]): void {
  const missing = permissionsNotHeld(
    actor.auth.permissions,
    roles.flatMap((r) => r.permissions),
  );
  if (missing.length > 0) throw new PrivilegeEscalationProblem(missing);
}

/** 403 privilege_escalation when `user` holds permissions the caller does not (they outrank the caller). */
export async function refuseOutranked(
  actor: RequestActor,
  client: pg.ClientBase,
  user: UserRecord,
): Promise<void> {
  if (user.roles.length === 0) return;
  const roles = await findRolesByIds(
    client,
    user.roles.map((r) => r.id),
  );
  const missing = permissionsNotHeld(
    actor.auth.permissions,
    roles.flatMap((r) => r.permissions),
  );
  if (missing.length > 0) {
    throw new PrivilegeEscalationProblem(
      missing,
      `the user holds permissions you do not hold yourself: ${missing.join(', ')}`,
    );
  }
}
