// Role administration within the caller's tenant (FR-RBAC-02..04): custom roles over the closed permission
// catalogue; builtin roles are fixed; nobody adds or removes a permission they do not hold. A change reaches
// every holder within the principal cache's TTL (at once in this process).
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log.js';
import { PrincipalCache } from '../auth/principal-cache.js';
import { TenantDb } from '../database/tenant-db.js';
import { ConflictProblem, NotFoundProblem } from '../http/problems.js';
import { auditingEscalation } from './admin-audit.js';
import { roleDto, type RoleDto } from './admin-schemas.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { isUniqueViolation } from './pg-errors.js';
import { PrivilegeEscalationProblem, permissionsNotHeld } from './privilege-rules.js';
import { auditBy, type RequestActor } from './request-actor.js';
import {
  deleteRole,
  findRole,
  insertRole,
  listRoles,
  roleHolders,
  updateRole,
  type RoleRecord,
} from './roles.repository.js';

const nameCursor = z.tuple([z.string().min(1).max(63)]);

/** 409 builtin_role: the builtin roles cannot be changed or deleted. */
class BuiltinRoleProblem extends ConflictProblem {
  constructor(name: string) {
    super(`the builtin role ${name} cannot be changed or deleted`, 'builtin_role');
  }
}

@Injectable()
export class RolesService {
  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
  ) {}

  private scope(actor: RequestActor) {
    return { tenantId: actor.auth.tenantId, userId: actor.auth.userId };
  }

  /** A page of the tenant's roles, ordered by name. */
  async list(
    actor: RequestActor,
    query: { cursor?: string | undefined; limit: number },
  ): Promise<{ items: RoleDto[]; nextCursor: string | null }> {
    const after = decodeCursor(query.cursor, nameCursor);
    const rows = await this.db.tx(this.scope(actor), (client) =>
      listRoles(client, { afterName: after?.[0], limit: query.limit }),
    );
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(roleDto),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.name]) : null,
    };
  }

  /** One role of the tenant (404 for any other id). */
  async get(actor: RequestActor, roleId: string): Promise<RoleDto> {
    const role = await this.db.tx(this.scope(actor), (client) => findRole(client, roleId));
    if (role === undefined) throw new NotFoundProblem('role');
    return roleDto(role);
  }

  /** Creates a custom role; the caller must hold each of its permissions. */
  async create(
    actor: RequestActor,
    input: { name: string; description?: string | undefined; permissions: string[] },
  ): Promise<RoleDto> {
    const permissions = [...new Set(input.permissions)].sort();
    return auditingEscalation(this.db, actor, { action: 'role.create', resourceType: 'role' }, () =>
      this.db.tx(this.scope(actor), async (client) => {
        this.refuseEscalation(actor, permissions);
        let roleId: string;
        try {
          roleId = await insertRole(client, actor.auth.tenantId, {
            name: input.name,
            description: input.description ?? '',
            permissions,
          });
        } catch (error) {
          if (isUniqueViolation(error)) throw this.nameTaken(input.name);
          throw error;
        }
        await recordAudit(
          client,
          auditBy(actor, {
            action: 'role.create',
            resourceType: 'role',
            resourceId: roleId,
            details: { name: input.name, permissions },
          }),
        );
        return roleDto((await findRole(client, roleId))!);
      }),
    );
  }

  /** Changes a custom role; every permission added or removed must be one the caller holds. */
  async update(
    actor: RequestActor,
    roleId: string,
    change: {
      name?: string | undefined;
      description?: string | undefined;
      permissions?: string[] | undefined;
    },
  ): Promise<RoleDto> {
    const permissions = change.permissions && [...new Set(change.permissions)].sort();
    const { role, holders } = await auditingEscalation(
      this.db,
      actor,
      { action: 'role.update', resourceType: 'role', resourceId: roleId },
      () =>
        this.db.tx(this.scope(actor), async (client) => {
          const before = await this.customRole(client, roleId);
          const details: Record<string, unknown> = { name: before.name };
          if (permissions !== undefined) {
            const added = permissions.filter((p) => !(before.permissions as readonly string[]).includes(p));
            const removed = before.permissions.filter((p) => !permissions.includes(p));
            this.refuseEscalation(actor, [...added, ...removed]);
            details['added'] = added;
            details['removed'] = removed;
          }
          if (change.name !== undefined && change.name !== before.name) details['renamedTo'] = change.name;
          if (change.description !== undefined && change.description !== before.description) {
            details['descriptionChanged'] = true;
          }
          try {
            await updateRole(client, roleId, { ...change, permissions });
          } catch (error) {
            if (isUniqueViolation(error)) throw this.nameTaken(change.name ?? before.name);
            throw error;
          }
          await recordAudit(
            client,
            auditBy(actor, { action: 'role.update', resourceType: 'role', resourceId: roleId, details }),
          );
          return { role: (await findRole(client, roleId))!, holders: await roleHolders(client, roleId) };
        }),
    );
    for (const userId of holders) this.cache.invalidateUser(userId);
    return roleDto(role);
  }

  /** Deletes a custom role (its holders lose it); the caller must hold each of its permissions. */
  async remove(actor: RequestActor, roleId: string): Promise<void> {
    const holders = await auditingEscalation(
      this.db,
      actor,
      { action: 'role.delete', resourceType: 'role', resourceId: roleId },
      () =>
        this.db.tx(this.scope(actor), async (client) => {
          const role = await this.customRole(client, roleId);
          this.refuseEscalation(actor, role.permissions);
          const users = await roleHolders(client, roleId);
          await deleteRole(client, roleId);
          await recordAudit(
            client,
            auditBy(actor, {
              action: 'role.delete',
              resourceType: 'role',
              resourceId: roleId,
              details: { name: role.name, permissions: role.permissions, holders: users.length },
            }),
          );
          return users;
        }),
    );
    for (const userId of holders) this.cache.invalidateUser(userId);
  }

  /** The role, which must exist in the tenant (404) and not be builtin (409). */
  private async customRole(client: Parameters<typeof findRole>[0], roleId: string): Promise<RoleRecord> {
    const role = await findRole(client, roleId);
    if (role === undefined) throw new NotFoundProblem('role');
    if (role.builtin) throw new BuiltinRoleProblem(role.name);
    return role;
  }

  private refuseEscalation(actor: RequestActor, permissions: readonly string[]): void {
    const missing = permissionsNotHeld(actor.auth.permissions, permissions);
    if (missing.length > 0) throw new PrivilegeEscalationProblem(missing);
  }

  private nameTaken(name: string): ConflictProblem {
    return new ConflictProblem(`a role named ${name} already exists`, 'role_name_taken');
  }
}
