import type pg from 'pg';

/** An agent as the fleet view lists it. */
export interface AgentRow {
  id: string;
  groupId: string;
  groupName: string;
  hostName: string;
  hostId: string;
  os: string;
  architecture: string;
  ipAddresses: string[];
  version: string;
  kind: 'endpoint' | 'ot_gateway';
  certSerial: string;
  certSha256: Buffer;
  certNotAfter: Date;
  policyFloor: number;
  enrolledAt: Date;
  lastSeenAt: Date | null;
  heartbeatIntervalSeconds: number;
  online: boolean;
  uptimeSeconds: number | null;
  clockSkewMs: number | null;
  spoolBytes: number | null;
  spoolEvents: number | null;
  droppedEvents: number | null;
  lastSeq: number | null;
  lastAckedSeq: number | null;
  cpuPercent: number | null;
  memoryRssBytes: number | null;
  policyVersion: number | null;
  sensors: unknown;
  revokedAt: Date | null;
  revokedReason: string | null;
}

interface AgentDbRow {
  id: string;
  group_id: string;
  group_name: string;
  host_name: string;
  host_id: string;
  os: string;
  architecture: string;
  ip_addresses: string[];
  version: string;
  kind: 'endpoint' | 'ot_gateway';
  cert_serial: string;
  cert_sha256: Buffer;
  cert_not_after: Date;
  policy_floor: string;
  enrolled_at: Date;
  last_seen_at: Date | null;
  heartbeat_interval_seconds: number;
  online: boolean;
  uptime_seconds: string | null;
  clock_skew_ms: string | null;
  spool_bytes: string | null;
  spool_events: string | null;
  dropped_events: string | null;
  last_seq: string | null;
  last_acked_seq: string | null;
  cpu_percent: number | null;
  memory_rss_bytes: string | null;
  policy_version: string | null;
  sensors: unknown;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

function toAgent(r: AgentDbRow): AgentRow {
  return {
    id: r.id,
    groupId: r.group_id,
    groupName: r.group_name,
    hostName: r.host_name,
    hostId: r.host_id,
    os: r.os,
    architecture: r.architecture,
    ipAddresses: r.ip_addresses,
    version: r.version,
    kind: r.kind,
    certSerial: r.cert_serial,
    certSha256: r.cert_sha256,
    certNotAfter: r.cert_not_after,
    policyFloor: Number(r.policy_floor),
    enrolledAt: r.enrolled_at,
    lastSeenAt: r.last_seen_at,
    heartbeatIntervalSeconds: r.heartbeat_interval_seconds,
    online: r.online,
    uptimeSeconds: num(r.uptime_seconds),
    clockSkewMs: num(r.clock_skew_ms),
    spoolBytes: num(r.spool_bytes),
    spoolEvents: num(r.spool_events),
    droppedEvents: num(r.dropped_events),
    lastSeq: num(r.last_seq),
    lastAckedSeq: num(r.last_acked_seq),
    cpuPercent: r.cpu_percent,
    memoryRssBytes: num(r.memory_rss_bytes),
    policyVersion: num(r.policy_version),
    sensors: r.sensors,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
  };
}

// Online: a heartbeat within three of its intervals, and not revoked.
const ONLINE = `(a.revoked_at IS NULL AND a.last_seen_at > now() - 3 * make_interval(secs => a.heartbeat_interval_seconds))`;

const SELECT = `
  SELECT a.id, a.group_id::text, g.name AS group_name, a.host_name, a.host_id, a.os, a.architecture,
         a.ip_addresses, a.version, a.kind, a.cert_serial, a.cert_sha256, a.cert_not_after, a.policy_floor,
         a.enrolled_at, a.last_seen_at, a.heartbeat_interval_seconds, ${ONLINE} AS online, a.uptime_seconds,
         a.clock_skew_ms, a.spool_bytes, a.spool_events, a.dropped_events, a.last_seq, a.last_acked_seq,
         a.cpu_percent, a.memory_rss_bytes, a.policy_version, a.sensors, a.revoked_at, a.revoked_reason
    FROM inosec.agents a JOIN inosec.agent_groups g ON g.id = a.group_id`;

export async function insertAgent(
  client: pg.ClientBase,
  agent: {
    id: string;
    tenantId: string;
    groupId: string;
    hostName: string;
    hostId: string;
    os: string;
    architecture: string;
    ipAddresses: string[];
    version: string;
    kind: 'endpoint' | 'ot_gateway';
    certSerial: string;
    certSha256: Buffer;
    certNotAfter: Date;
    enrollmentTokenId: string;
    heartbeatIntervalSeconds: number;
  },
): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO inosec.agents (id, tenant_id, group_id, host_name, host_id, os, architecture, ip_addresses, version,
                                kind, cert_serial, cert_sha256, cert_not_after, enrollment_token_id,
                                heartbeat_interval_seconds)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING`,
    [
      agent.id,
      agent.tenantId,
      agent.groupId,
      agent.hostName,
      agent.hostId,
      agent.os,
      agent.architecture,
      agent.ipAddresses,
      agent.version,
      agent.kind,
      agent.certSerial,
      agent.certSha256,
      agent.certNotAfter,
      agent.enrollmentTokenId,
      agent.heartbeatIntervalSeconds,
    ],
  );
  return rowCount === 1;
}

export async function findAgent(client: pg.ClientBase, id: string): Promise<AgentRow | undefined> {
  const { rows } = await client.query<AgentDbRow>(`${SELECT} WHERE a.id = $1`, [id]);
  return rows[0] && toAgent(rows[0]);
}

/** Filters of the agent list. */
export interface AgentFilter {
  status?: Array<'online' | 'offline' | 'revoked'>;
  groupId?: string;
  /** Substring of the host name or agent id, case-insensitive. */
  search?: string;
  os?: string;
  version?: string;
  kind?: 'endpoint' | 'ot_gateway';
}

/** Agents ordered by (host name, id), after the cursor's key. */
export async function listAgents(
  client: pg.ClientBase,
  filter: AgentFilter,
  options: { after?: { hostName: string; id: string }; limit: number },
): Promise<AgentRow[]> {
  const status = filter.status && filter.status.length > 0 ? filter.status : null;
  const { rows } = await client.query<AgentDbRow>(
    `${SELECT}
      WHERE ($1::text IS NULL OR (a.host_name, a.id) > ($1::text, $2::text))
        AND ($3::text[] IS NULL OR (CASE WHEN a.revoked_at IS NOT NULL THEN 'revoked'
                                         WHEN ${ONLINE} THEN 'online' ELSE 'offline' END) = ANY ($3))
        AND ($4::uuid IS NULL OR a.group_id = $4)
        AND ($5::text IS NULL OR strpos(lower(a.host_name), lower($5)) > 0 OR strpos(lower(a.id), lower($5)) > 0)
        AND ($6::text IS NULL OR a.os ILIKE '%' || $6 || '%')
        AND ($7::text IS NULL OR a.version = $7)
        AND ($8::text IS NULL OR a.kind = $8)
      ORDER BY a.host_name, a.id LIMIT $9`,
    [
      options.after?.hostName ?? null,
      options.after?.id ?? null,
      status,
      filter.groupId ?? null,
      filter.search ?? null,
      filter.os?.replace(/[%_\\]/g, (c) => `\\${c}`) ?? null,
      filter.version ?? null,
      filter.kind ?? null,
      options.limit,
    ],
  );
  return rows.map(toAgent);
}

/** Moves an agent to a group, raising its policy floor so the new group's policy is not a rollback. */
export async function moveAgent(client: pg.ClientBase, id: string, groupId: string): Promise<void> {
  await client.query(
    `UPDATE inosec.agents SET group_id = $2, policy_floor = nextval('inosec.policy_version_seq') WHERE id = $1`,
    [id, groupId],
  );
}

export async function revokeAgent(
  client: pg.ClientBase,
  id: string,
  reason: string,
): Promise<Date | undefined> {
  const { rows } = await client.query<{ revoked_at: Date }>(
    `UPDATE inosec.agents SET revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, $2)
      WHERE id = $1 RETURNING revoked_at`,
    [id, reason],
  );
  return rows[0]?.revoked_at;
}

/** Registers the agent with the collectors' schema (telemetry.register_agent checks the tenant). */
export async function registerTelemetryAgent(
  client: pg.ClientBase,
  agentId: string,
  tenantId: string,
  certSha256: Buffer,
): Promise<void> {
  await client.query('SELECT telemetry.register_agent($1, $2, $3)', [agentId, tenantId, certSha256]);
}

export async function revokeTelemetryAgent(client: pg.ClientBase, agentId: string): Promise<void> {
  await client.query('SELECT telemetry.revoke_agent($1)', [agentId]);
}

/** What a heartbeat reports. */
export interface HeartbeatUpdate {
  version: string;
  uptimeSeconds: number;
  clockSkewMs: number | null;
  spoolBytes: number;
  spoolEvents: number;
  droppedEvents: number;
  lastSeq: number;
  lastAckedSeq: number;
  cpuPercent: number;
  memoryRssBytes: number;
  policyVersion: number;
  sensors: unknown[];
  heartbeatIntervalSeconds: number;
}

export async function recordHeartbeat(
  client: pg.ClientBase,
  id: string,
  beat: HeartbeatUpdate,
): Promise<void> {
  await client.query(
    `UPDATE inosec.agents SET last_seen_at = now(), version = $2, uptime_seconds = $3, clock_skew_ms = $4,
            spool_bytes = $5, spool_events = $6, dropped_events = $7, last_seq = $8, last_acked_seq = $9,
            cpu_percent = $10, memory_rss_bytes = $11, policy_version = $12, sensors = $13,
            heartbeat_interval_seconds = $14
      WHERE id = $1`,
    [
      id,
      beat.version,
      beat.uptimeSeconds,
      beat.clockSkewMs,
      beat.spoolBytes,
      beat.spoolEvents,
      beat.droppedEvents,
      beat.lastSeq,
      beat.lastAckedSeq,
      beat.cpuPercent,
      beat.memoryRssBytes,
      beat.policyVersion,
      JSON.stringify(beat.sensors),
      beat.heartbeatIntervalSeconds,
    ],
  );
}

/**
 * What authenticating an agent's mTLS call needs: its enrolled certificate, whether it was revoked, its group
 * and policy floor. Runs in the tenant the certificate names, so another tenant's agent is not found.
 */
export async function findAgentIdentity(
  client: pg.ClientBase,
  id: string,
): Promise<
  | { groupId: string; certSha256: Buffer; certNotAfter: Date; revoked: boolean; policyFloor: number }
  | undefined
> {
  const { rows } = await client.query<{
    group_id: string;
    cert_sha256: Buffer;
    cert_not_after: Date;
    revoked: boolean;
    policy_floor: string;
  }>(
    `SELECT group_id::text, cert_sha256, cert_not_after, revoked_at IS NOT NULL AS revoked, policy_floor
       FROM inosec.agents WHERE id = $1`,
    [id],
  );
  const r = rows[0];
  return (
    r && {
      groupId: r.group_id,
      certSha256: r.cert_sha256,
      certNotAfter: r.cert_not_after,
      revoked: r.revoked,
      policyFloor: Number(r.policy_floor),
    }
  );
}
