// The RBAC guard rails (FR-RBAC): nobody grants what they do not hold, and a tenant keeps an administrator.
import type { Permission } from '../auth/permissions.js';
import { ConflictProblem, ForbiddenProblem } from '../http/problems.js';

/** The permissions of `wanted` the caller does not hold, sorted. */
export function permissionsNotHeld(held: ReadonlySet<Permission>, wanted: Iterable<string>): string[] {
  return [...new Set([...wanted].filter((p) => !held.has(p as Permission)))].sort();
}

/** 403 privilege_escalation: the caller tried to grant permissions they do not hold. */
export class PrivilegeEscalationProblem extends ForbiddenProblem {
  constructor(
    readonly missing: readonly string[],
    message = `you cannot grant or revoke permissions you do not hold yourself: ${missing.join(', ')}`,
  ) {
    super(message, 'privilege_escalation');
  }
}

/** 409 last_admin: the change would leave the tenant without an active administrator. */
export class LastAdminProblem extends ConflictProblem {
  constructor() {
    super('the tenant must keep at least one active user holding the admin role', 'last_admin');
  }
}

/** 409 self_change: an administrator cannot disable or delete themselves. */
export class SelfChangeProblem extends ConflictProblem {
  constructor(what: 'disable' | 'delete') {
    super(`you cannot ${what} yourself`, 'self_change');
  }
}
