import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { ConflictProblem, NotFoundProblem } from '../http/problems.js';
import {
  countGroupAgents,
  deleteGroup,
  findDefaultGroup,
  findGroup,
  insertGroup,
  insertGroupPolicy,
  latestGroupPolicy,
  listGroupPolicies,
  listGroups,
  lockGroup,
  updateGroup,
  type GroupPolicyRow,
  type GroupRow,
} from './agent-groups.repository.js';
import { auditBy, type FleetActor } from './fleet-actor.js';
import { cursorKeys, decodeFleetCursor, encodeFleetCursor } from './fleet-cursor.js';
import { DEFAULT_POLICY, parseStoredPolicy, type PolicyDocument } from './fleet-policy.js';
import type { AgentGroupView, GroupPolicyView } from './fleet-schemas.js';

const DEFAULT_GROUP_NAME = 'Default';

function groupView(g: GroupRow): AgentGroupView {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    isDefault: g.isDefault,
    agentCount: g.agentCount,
    policyVersion: g.policyVersion,
    policyRevision: g.policyRevision,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  };
}

function policyView(p: GroupPolicyRow): GroupPolicyView {
  return {
    groupId: p.groupId,
    revision: p.revision,
    version: p.version,
    policy: parseStoredPolicy(p.policy),
    createdAt: p.createdAt.toISOString(),
    createdBy: p.createdBy,
  };
}

/**
 * Agent groups and their versioned policies. Every tenant has a default group (created on first use, with the
 * default policy), which new enrollment tokens use unless told otherwise and which cannot be deleted.
 */
@Injectable()
export class AgentGroupsService {
  constructor(@Inject(TenantDb) private readonly db: TenantDb) {}

  /** The tenant's default group, created with the default policy on first use (inside `client`'s tenant). */
  async ensureDefaultGroup(client: pg.ClientBase, tenantId: string): Promise<GroupRow> {
    const existing = await findDefaultGroup(client);
    if (existing) return existing;
    let id = await insertGroup(client, {
      tenantId,
      name: DEFAULT_GROUP_NAME,
      description: 'Agents enrolled without a group',
      isDefault: true,
    });
    if (id === undefined) {
      // Another transaction created it, or a group took the name: read again, else use a free name.
      const raced = await findDefaultGroup(client);
      if (raced) return raced;
      id = await insertGroup(client, {
        tenantId,
        name: `${DEFAULT_GROUP_NAME} (${Date.now().toString(36)})`,
        description: 'Agents enrolled without a group',
        isDefault: true,
      });
    }
    if (id === undefined) throw new ConflictProblem('the default group could not be created; retry');
    await insertGroupPolicy(client, { tenantId, groupId: id, policy: DEFAULT_POLICY, createdBy: null });
    return (await findGroup(client, id)) as GroupRow;
  }

  async list(
    actor: FleetActor,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: AgentGroupView[]; nextCursor: string | null }> {
    const after = cursor ? decodeFleetCursor(cursor, [cursorKeys.text, cursorKeys.uuid]) : undefined;
    return this.db.tx(actor, async (client) => {
      await this.ensureDefaultGroup(client, actor.tenantId);
      const rows = await listGroups(client, {
        ...(after ? { after: { name: after[0] as string, id: after[1] as string } } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(groupView),
        nextCursor: rows.length > limit && last ? encodeFleetCursor([last.name, last.id]) : null,
      };
    });
  }

  async get(actor: FleetActor, id: string): Promise<AgentGroupView> {
    return this.db.tx(actor, async (client) => {
      const group = await findGroup(client, id);
      if (!group) throw new NotFoundProblem('agent group');
      return groupView(group);
    });
  }

  async create(
    actor: FleetActor,
    input: { name: string; description: string; policy?: PolicyDocument },
  ): Promise<AgentGroupView> {
    return this.db.tx(actor, async (client) => {
      await this.ensureDefaultGroup(client, actor.tenantId);
      const id = await insertGroup(client, {
        tenantId: actor.tenantId,
        name: input.name,
        description: input.description,
        isDefault: false,
      });
      if (id === undefined) throw new ConflictProblem(`a group named "${input.name}" exists`, 'name_taken');
      const policy = await insertGroupPolicy(client, {
        tenantId: actor.tenantId,
        groupId: id,
        policy: input.policy ?? DEFAULT_POLICY,
        createdBy: actor.userId,
      });
      await recordAudit(client, {
        ...auditBy(actor),
        action: 'agent_group.create',
        resourceType: 'agent_group',
        resourceId: id,
        outcome: 'success',
        details: { name: input.name, policyVersion: policy.version },
      });
      return groupView((await findGroup(client, id)) as GroupRow);
    });
  }

  async update(
    actor: FleetActor,
    id: string,
    change: { name?: string; description?: string },
  ): Promise<AgentGroupView> {
    return this.db.tx(actor, async (client) => {
      const before = await findGroup(client, id);
      if (!before) throw new NotFoundProblem('agent group');
      if (!(await updateGroup(client, id, change))) {
        throw new ConflictProblem(`a group named "${change.name ?? ''}" exists`, 'name_taken');
      }
      await recordAudit(client, {
        ...auditBy(actor),
        action: 'agent_group.update',
        resourceType: 'agent_group',
        resourceId: id,
        outcome: 'success',
        details: {
          ...(change.name !== undefined ? { name: { from: before.name, to: change.name } } : {}),
          ...(change.description !== undefined ? { description: true } : {}),
        },
      });
      return groupView((await findGroup(client, id)) as GroupRow);
    });
  }

  /** Deletes a group without agents (its tokens and policy history go with it); the default group stays. */
  async remove(actor: FleetActor, id: string): Promise<void> {
    await this.db.tx(actor, async (client) => {
      if (!(await lockGroup(client, id))) throw new NotFoundProblem('agent group');
      const group = (await findGroup(client, id)) as GroupRow;
      if (group.isDefault) throw new ConflictProblem('the default group cannot be deleted', 'group_default');
      const agents = await countGroupAgents(client, id);
      if (agents > 0) {
        throw new ConflictProblem(
          `the group still has ${agents} agent(s): move or revoke them first`,
          'group_not_empty',
        );
      }
      await deleteGroup(client, id);
      await recordAudit(client, {
        ...auditBy(actor),
        action: 'agent_group.delete',
        resourceType: 'agent_group',
        resourceId: id,
        outcome: 'success',
        details: { name: group.name },
      });
    });
  }

  /** Stores a new version of the group's policy; its agents pick it up at their next heartbeat. */
  async setPolicy(actor: FleetActor, id: string, policy: PolicyDocument): Promise<GroupPolicyView> {
    return this.db.tx(actor, async (client) => {
      if (!(await lockGroup(client, id))) throw new NotFoundProblem('agent group');
      const stored = await insertGroupPolicy(client, {
        tenantId: actor.tenantId,
        groupId: id,
        policy,
        createdBy: actor.userId,
      });
      await recordAudit(client, {
        ...auditBy(actor),
        action: 'agent_group.policy_update',
        resourceType: 'agent_group',
        resourceId: id,
        outcome: 'success',
        details: {
          revision: stored.revision,
          version: stored.version,
          sensors: policy.sensors.filter((s) => s.enabled).map((s) => s.sensor),
        },
      });
      return policyView(stored);
    });
  }

  async policies(
    actor: FleetActor,
    id: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: GroupPolicyView[]; nextCursor: string | null }> {
    const before = cursor ? decodeFleetCursor(cursor, [cursorKeys.int]) : undefined;
    return this.db.tx(actor, async (client) => {
      if (!(await findGroup(client, id))) throw new NotFoundProblem('agent group');
      const rows = await listGroupPolicies(client, id, {
        ...(before ? { before: before[0] } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(policyView),
        nextCursor: rows.length > limit && last ? encodeFleetCursor([last.revision]) : null,
      };
    });
  }

  /** The group's current policy (inside `client`'s tenant). */
  async currentPolicy(
    client: pg.ClientBase,
    groupId: string,
  ): Promise<{ version: number; policy: PolicyDocument } | undefined> {
    const latest = await latestGroupPolicy(client, groupId);
    return latest && { version: latest.version, policy: parseStoredPolicy(latest.policy) };
  }
}
