import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import { NotFoundProblem } from '../http/problems.js';
import type { ServerContext } from '../server-context.js';
import { CONFIG, LOGGER, SERVER_CONTEXT } from '../tokens.js';
import { recordAgentNatsRevocation } from './agent-nats.repository.js';
import { findGroup, latestGroupPolicy } from './agent-groups.repository.js';
import {
  findAgent,
  listAgents,
  moveAgent,
  revokeAgent,
  revokeTelemetryAgent,
  type AgentFilter,
  type AgentRow,
} from './agents.repository.js';
import { auditBy, type FleetActor } from './fleet-actor.js';
import { cursorKeys, decodeFleetCursor, encodeFleetCursor } from './fleet-cursor.js';
import { FleetNats, type FleetNatsConfig, type NatsAccountState } from './fleet-nats.js';
import type { AgentView, SensorStatusView } from './fleet-schemas.js';

function sensorsOf(value: unknown): SensorStatusView[] {
  return Array.isArray(value) ? (value as SensorStatusView[]) : [];
}

/** The fleet view of an agent; `desired` is the policy version it should run. */
export function agentView(a: AgentRow, desired: number | null): AgentView {
  return {
    id: a.id,
    groupId: a.groupId,
    groupName: a.groupName,
    hostName: a.hostName,
    hostId: a.hostId,
    os: a.os,
    architecture: a.architecture,
    ipAddresses: a.ipAddresses,
    version: a.version,
    kind: a.kind,
    status: a.revokedAt ? 'revoked' : a.online ? 'online' : 'offline',
    enrolledAt: a.enrolledAt.toISOString(),
    lastSeenAt: a.lastSeenAt?.toISOString() ?? null,
    heartbeatIntervalSeconds: a.heartbeatIntervalSeconds,
    uptimeSeconds: a.uptimeSeconds,
    clockSkewMs: a.clockSkewMs,
    queueDepthEvents: a.spoolEvents,
    spoolBytes: a.spoolBytes,
    droppedEvents: a.droppedEvents,
    backlog: a.lastSeq === null || a.lastAckedSeq === null ? null : Math.max(0, a.lastSeq - a.lastAckedSeq),
    cpuPercent: a.cpuPercent,
    memoryRssBytes: a.memoryRssBytes,
    policyVersion: a.policyVersion,
    desiredPolicyVersion: desired === null ? null : Math.max(desired, a.policyFloor),
    sensors: sensorsOf(a.sensors),
    certificate: {
      serial: a.certSerial,
      sha256: a.certSha256.toString('hex'),
      notAfter: a.certNotAfter.toISOString(),
    },
    revokedAt: a.revokedAt?.toISOString() ?? null,
    revokedReason: a.revokedReason,
  };
}

/** The fleet list and one agent, moving an agent between groups, revoking it. */
@Injectable()
export class AgentsService {
  private readonly nats: FleetNats;

  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(CONFIG) config: FleetNatsConfig,
    @Inject(SERVER_CONTEXT) context: Pick<ServerContext, 'dataDir' | 'secretBox'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.nats = new FleetNats(config, context, logger);
  }

  async list(
    actor: FleetActor,
    filter: AgentFilter,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: AgentView[]; nextCursor: string | null }> {
    const after = cursor ? decodeFleetCursor(cursor, [cursorKeys.text, cursorKeys.text]) : undefined;
    return this.db.tx(actor, async (client) => {
      const rows = await listAgents(client, filter, {
        ...(after ? { after: { hostName: after[0] as string, id: after[1] as string } } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const versions = new Map<string, number | null>();
      for (const groupId of new Set(page.map((a) => a.groupId))) {
        versions.set(groupId, (await latestGroupPolicy(client, groupId))?.version ?? null);
      }
      const last = page.at(-1);
      return {
        items: page.map((a) => agentView(a, versions.get(a.groupId) ?? null)),
        nextCursor: rows.length > limit && last ? encodeFleetCursor([last.hostName, last.id]) : null,
      };
    });
  }

  async get(actor: FleetActor, id: string): Promise<AgentView> {
    return this.db.tx(actor, async (client) => {
      const agent = await findAgent(client, id);
      if (!agent) throw new NotFoundProblem('agent');
      return agentView(agent, (await latestGroupPolicy(client, agent.groupId))?.version ?? null);
    });
  }

  /** Moves an agent to another group of the tenant; it runs that group's policy from its next heartbeat. */
  async move(actor: FleetActor, id: string, groupId: string): Promise<AgentView> {
    return this.db.tx(actor, async (client) => {
      const agent = await findAgent(client, id);
      if (!agent) throw new NotFoundProblem('agent');
      const group = await findGroup(client, groupId);
      if (!group) throw new NotFoundProblem('agent group');
      if (agent.groupId !== groupId) {
        await moveAgent(client, id, groupId);
        await recordAudit(client, {
          ...auditBy(actor),
          action: 'agent.move',
          resourceType: 'agent',
          resourceId: id,
          outcome: 'success',
          details: { from: agent.groupId, to: groupId },
        });
      }
      const moved = (await findAgent(client, id)) as AgentRow;
      return agentView(moved, (await latestGroupPolicy(client, groupId))?.version ?? null);
    });
  }

  /**
   * Revokes an agent in the fleet and in the collectors' records in one transaction: its next connection to a
   * collector or to AgentControl is refused, and an open ingest stream is cut at its next batch. Its NATS user,
   * if it has one, joins the platform's revocation list in the same transaction; after the commit the telemetry
   * account JWT is re-rendered (and INOSEC_NATS_AUTH_CONFIG rewritten): the nats-servers refuse the agent once
   * they load it (a reload, which is the operator's job). A failure there is logged, not returned: the
   * revocation is recorded and the next rendering (natsAccount) includes it.
   */
  async revoke(actor: FleetActor, id: string, reason: string | undefined): Promise<AgentView> {
    const { view, natsUserKey } = await this.db.tx(actor, async (client) => {
      const agent = await findAgent(client, id);
      if (!agent) throw new NotFoundProblem('agent');
      await revokeAgent(client, id, reason ?? 'revoked by an administrator');
      await revokeTelemetryAgent(client, id);
      const natsUserKey = await recordAgentNatsRevocation(client, id);
      if (!agent.revokedAt) {
        await recordAudit(client, {
          ...auditBy(actor),
          action: 'agent.revoke',
          resourceType: 'agent',
          resourceId: id,
          outcome: 'success',
          details: {
            hostName: agent.hostName,
            ...(reason ? { reason } : {}),
            ...(natsUserKey ? { natsUserKey } : {}),
          },
        });
      }
      const revoked = (await findAgent(client, id)) as AgentRow;
      const view = agentView(revoked, (await latestGroupPolicy(client, revoked.groupId))?.version ?? null);
      return { view, natsUserKey };
    });
    if (natsUserKey) {
      await this.natsAccount().catch((error: unknown) =>
        this.logger.error(
          { err: error, agentId: id, natsUserKey },
          'NATS revocation recorded but the account JWT could not be rendered or written',
        ),
      );
    }
    return view;
  }

  /**
   * The telemetry account JWT with every revoked agent's NATS user, and the revocation list, for an operator
   * (or its tooling) to push to the nats-servers; rewrites INOSEC_NATS_AUTH_CONFIG when configured. Platform
   * data: expose it to platform operators only.
   */
  async natsAccount(): Promise<NatsAccountState> {
    return this.db.unscoped((client) => this.nats.accountState(client));
  }
}
