import type pg from 'pg';

/** An agent group with its current policy version and agent count. */
export interface GroupRow {
  id: string;
  name: string;
  description: string;
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
  agentCount: number;
  policyVersion: number | null;
  policyRevision: number | null;
}

/** One stored version of a group's policy. */
export interface GroupPolicyRow {
  groupId: string;
  revision: number;
  version: number;
  policy: unknown;
  createdAt: Date;
  createdBy: string | null;
}

const GROUP_SELECT = `
  SELECT g.id::text, g.name, g.description, g.is_default, g.created_at, g.updated_at,
         (SELECT count(*)::int FROM inosec.agents a WHERE a.group_id = g.id AND a.revoked_at IS NULL) AS agent_count,
         p.version AS policy_version, p.revision AS policy_revision
    FROM inosec.agent_groups g
    LEFT JOIN LATERAL (SELECT version, revision FROM inosec.agent_group_policies
                        WHERE group_id = g.id ORDER BY revision DESC LIMIT 1) p ON true`;

interface GroupDbRow {
  id: string;
  name: string;
  description: string;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
  agent_count: number;
  policy_version: string | null;
  policy_revision: number | null;
}

function toGroup(r: GroupDbRow): GroupRow {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    isDefault: r.is_default,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    agentCount: r.agent_count,
    policyVersion: r.policy_version === null ? null : Number(r.policy_version),
    policyRevision: r.policy_revision,
  };
}

export async function findGroup(client: pg.ClientBase, id: string): Promise<GroupRow | undefined> {
  const { rows } = await client.query<GroupDbRow>(`${GROUP_SELECT} WHERE g.id = $1`, [id]);
  return rows[0] && toGroup(rows[0]);
}

export async function findDefaultGroup(client: pg.ClientBase): Promise<GroupRow | undefined> {
  const { rows } = await client.query<GroupDbRow>(`${GROUP_SELECT} WHERE g.is_default`);
  return rows[0] && toGroup(rows[0]);
}

/** Groups ordered by (name, id), after the cursor's key. */
export async function listGroups(
  client: pg.ClientBase,
  options: { after?: { name: string; id: string }; limit: number },
): Promise<GroupRow[]> {
  const { rows } = await client.query<GroupDbRow>(
    `${GROUP_SELECT}
      WHERE $1::text IS NULL OR (g.name, g.id) > ($1::text, $2::uuid)
      ORDER BY g.name, g.id LIMIT $3`,
    [options.after?.name ?? null, options.after?.id ?? null, options.limit],
  );
  return rows.map(toGroup);
}

/** Inserts a group; undefined when the name is taken. */
export async function insertGroup(
  client: pg.ClientBase,
  group: { tenantId: string; name: string; description: string; isDefault: boolean },
): Promise<string | undefined> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO inosec.agent_groups (tenant_id, name, description, is_default) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING id::text`,
    [group.tenantId, group.name, group.description, group.isDefault],
  );
  return rows[0]?.id;
}

/** Changes name and/or description; false when the name is taken by another group. */
export async function updateGroup(
  client: pg.ClientBase,
  id: string,
  change: { name?: string; description?: string },
): Promise<boolean> {
  const { rows } = await client.query<{ taken: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM inosec.agent_groups WHERE name = $2 AND id <> $1) AS taken`,
    [id, change.name ?? ''],
  );
  if (change.name !== undefined && rows[0]?.taken) return false;
  await client.query(
    `UPDATE inosec.agent_groups SET name = coalesce($2, name), description = coalesce($3, description),
            updated_at = now() WHERE id = $1`,
    [id, change.name ?? null, change.description ?? null],
  );
  return true;
}

/** Locks a group row for a policy change or a deletion. */
export async function lockGroup(client: pg.ClientBase, id: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM inosec.agent_groups WHERE id = $1 FOR UPDATE', [id]);
  return rowCount === 1;
}

/** Agents of the group, revoked ones included (they keep their group for the record). */
export async function countGroupAgents(client: pg.ClientBase, id: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM inosec.agents WHERE group_id = $1',
    [id],
  );
  return rows[0]?.n ?? 0;
}

export async function deleteGroup(client: pg.ClientBase, id: string): Promise<void> {
  await client.query('DELETE FROM inosec.agent_groups WHERE id = $1', [id]);
}

/** Stores a new version of a group's policy (the group row is locked by the caller). */
export async function insertGroupPolicy(
  client: pg.ClientBase,
  policy: { tenantId: string; groupId: string; policy: unknown; createdBy: string | null },
): Promise<GroupPolicyRow> {
  const { rows } = await client.query<{ revision: number; version: string; created_at: Date }>(
    `INSERT INTO inosec.agent_group_policies (tenant_id, group_id, revision, policy, created_by)
     VALUES ($1, $2, coalesce((SELECT max(revision) FROM inosec.agent_group_policies WHERE group_id = $2), 0) + 1,
             $3, $4)
     RETURNING revision, version, created_at`,
    [policy.tenantId, policy.groupId, JSON.stringify(policy.policy), policy.createdBy],
  );
  const row = rows[0] as { revision: number; version: string; created_at: Date };
  return {
    groupId: policy.groupId,
    revision: row.revision,
    version: Number(row.version),
    policy: policy.policy,
    createdAt: row.created_at,
    createdBy: policy.createdBy,
  };
}

interface PolicyDbRow {
  group_id: string;
  revision: number;
  version: string;
  policy: unknown;
  created_at: Date;
  created_by: string | null;
}

function toPolicy(r: PolicyDbRow): GroupPolicyRow {
  return {
    groupId: r.group_id,
    revision: r.revision,
    version: Number(r.version),
    policy: r.policy,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

const POLICY_SELECT = `SELECT group_id::text, revision, version, policy, created_at, created_by::text
                         FROM inosec.agent_group_policies`;

export async function latestGroupPolicy(
  client: pg.ClientBase,
  groupId: string,
): Promise<GroupPolicyRow | undefined> {
  const { rows } = await client.query<PolicyDbRow>(
    `${POLICY_SELECT} WHERE group_id = $1 ORDER BY revision DESC LIMIT 1`,
    [groupId],
  );
  return rows[0] && toPolicy(rows[0]);
}

/** A group's policy history, newest first, before the cursor's revision. */
export async function listGroupPolicies(
  client: pg.ClientBase,
  groupId: string,
  options: { before?: number; limit: number },
): Promise<GroupPolicyRow[]> {
  const { rows } = await client.query<PolicyDbRow>(
    `${POLICY_SELECT} WHERE group_id = $1 AND ($2::int IS NULL OR revision < $2)
      ORDER BY revision DESC LIMIT $3`,
    [groupId, options.before ?? null, options.limit],
  );
  return rows.map(toPolicy);
}
