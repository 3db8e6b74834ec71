// The mTLS side of AgentControl: who is calling (from the client certificate, exactly as a collector decides
// it), Heartbeat and GetPolicy.
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type HeartbeatRequest, type IHeartbeatResponse, type ISignedPolicy } from '@inosec/protos';
import type pg from 'pg';
import { TenantDb } from '../database/tenant-db.js';
import { AgentGroupsService } from './agent-groups.service.js';
import { findAgentIdentity, recordHeartbeat } from './agents.repository.js';
import { AgentAuthError } from './fleet-errors.js';
import { tenantIsActive } from './fleet-pki.repository.js';
import { FleetPki } from './fleet-pki.service.js';
import { sensorName, signPolicy, toProtoPolicy } from './fleet-policy.js';
import type { SensorStatusView } from './fleet-schemas.js';

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TENANT_URI = /^urn:inosec:tenant:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const AGENT_URI = /^urn:inosec:agent:(.+)$/;
const SENSOR_STATES = ['unspecified', 'running', 'degraded', 'failed', 'disabled'] as const;

/** The parts of Node's tls.PeerCertificate the identity is read from. */
export interface PeerCertificateLike {
  subject?: { CN?: string | string[] | undefined };
  subjectaltname?: string;
  raw?: Buffer;
}

/** An authenticated agent: whoever its certificate says, checked against its enrolment. */
export interface AgentSession {
  agentId: string;
  tenantId: string;
  groupId: string;
  policyFloor: number;
}

/** Agent id, tenant and SHA-256 of a client certificate; undefined when it names no single agent and tenant. */
export function certificateClaims(
  cert: PeerCertificateLike | null | undefined,
): { agentId: string; tenantId: string; sha256: Buffer } | undefined {
  if (!cert?.raw || cert.raw.length === 0) return undefined;
  const cn = cert.subject?.CN;
  const uris = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((e) => e.startsWith('URI:'))
    .map((e) => e.slice(4));
  const tenants = uris.flatMap((u) => TENANT_URI.exec(u)?.[1] ?? []);
  const agents = uris.flatMap((u) => AGENT_URI.exec(u)?.[1] ?? []);
  if (typeof cn !== 'string' || !AGENT_ID.test(cn) || tenants.length !== 1) return undefined;
  if (agents.some((a) => a !== cn)) return undefined;
  return {
    agentId: cn,
    tenantId: tenants[0] as string,
    sha256: createHash('sha256').update(cert.raw).digest(),
  };
}

function clampCount(value: number): number {
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

@Injectable()
export class AgentSessionService {
  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(FleetPki) private readonly pki: FleetPki,
    @Inject(AgentGroupsService) private readonly groups: AgentGroupsService,
  ) {}

  /**
   * Authenticates inside the tenant the certificate names: the agent must be enrolled there with exactly this
   * certificate (SHA-256), not revoked, its certificate unexpired and its tenant active.
   */
  private async authenticate(
    client: pg.ClientBase,
    claims: NonNullable<ReturnType<typeof certificateClaims>>,
  ): Promise<AgentSession> {
    const record = await findAgentIdentity(client, claims.agentId);
    if (!record) throw new AgentAuthError('unknown', `agent ${claims.agentId} is not enrolled`);
    if (!record.certSha256.equals(claims.sha256)) {
      throw new AgentAuthError(
        'certificate_mismatch',
        `the certificate is not the one enrolled for agent ${claims.agentId}`,
      );
    }
    if (record.revoked) throw new AgentAuthError('revoked', `agent ${claims.agentId} was revoked`);
    if (record.certNotAfter.getTime() <= Date.now()) {
      throw new AgentAuthError('expired', `the certificate of agent ${claims.agentId} has expired`);
    }
    if (!(await tenantIsActive(client, claims.tenantId))) {
      throw new AgentAuthError('tenant_inactive', 'the tenant is suspended or archived');
    }
    return {
      agentId: claims.agentId,
      tenantId: claims.tenantId,
      groupId: record.groupId,
      policyFloor: record.policyFloor,
    };
  }

  private async inAgentTx<T>(
    cert: PeerCertificateLike | null | undefined,
    fn: (client: pg.ClientBase, session: AgentSession) => Promise<T>,
  ): Promise<T> {
    const claims = certificateClaims(cert);
    if (!claims) {
      throw new AgentAuthError(
        'no_certificate',
        'a client certificate issued at enrollment is required (subject CN = agent id, tenant URI SAN)',
      );
    }
    return this.db.tx({ tenantId: claims.tenantId }, async (client) =>
      fn(client, await this.authenticate(client, claims)),
    );
  }

  /** Records a heartbeat; answers the policy version to run and when to report next. */
  async heartbeat(
    cert: PeerCertificateLike | null | undefined,
    beat: HeartbeatRequest,
  ): Promise<IHeartbeatResponse> {
    return this.inAgentTx(cert, async (client, session) => {
      const current = await this.groups.currentPolicy(client, session.groupId);
      const interval = current?.policy.heartbeatIntervalSeconds ?? 60;
      const now = Date.now();
      const sensors: SensorStatusView[] = beat.sensors.slice(0, 32).map((s) => ({
        sensor: sensorName(s.sensor ?? 0) ?? 'unknown',
        state: SENSOR_STATES[s.state ?? 0] ?? 'unspecified',
        message: (s.message ?? '').slice(0, 300),
        events: clampCount(s.events ?? 0),
      }));
      await recordHeartbeat(client, session.agentId, {
        version: beat.agentVersion.slice(0, 100),
        uptimeSeconds: clampCount(beat.uptimeSeconds),
        clockSkewMs: beat.timeUnixUs > 0 ? Math.round(beat.timeUnixUs / 1000 - now) : null,
        spoolBytes: clampCount(beat.spoolBytes),
        spoolEvents: clampCount(beat.spoolEvents),
        droppedEvents: clampCount(beat.droppedEvents),
        lastSeq: clampCount(beat.lastSeq),
        lastAckedSeq: clampCount(beat.lastAckedSeq),
        cpuPercent: Number.isFinite(beat.cpuPercent) ? Math.max(0, beat.cpuPercent) : 0,
        memoryRssBytes: clampCount(beat.memoryRssBytes),
        policyVersion: clampCount(beat.policyVersion),
        sensors,
        heartbeatIntervalSeconds: interval,
      });
      return {
        desiredPolicyVersion: current ? Math.max(current.version, session.policyFloor) : 0,
        commands: [],
        nextHeartbeatSeconds: interval,
        serverTimeUnixUs: now * 1000,
      };
    });
  }

  /** The agent's current policy, signed with its tenant's policy key. */
  async signedPolicy(cert: PeerCertificateLike | null | undefined): Promise<ISignedPolicy> {
    return this.inAgentTx(cert, async (client, session) => {
      const current = await this.groups.currentPolicy(client, session.groupId);
      if (!current) throw new AgentAuthError('unknown', `agent ${session.agentId} has no group policy`);
      const policy = toProtoPolicy(current.policy, {
        version: Math.max(current.version, session.policyFloor),
        agentId: session.agentId,
        tenantId: session.tenantId,
        issuedUnixUs: Date.now() * 1000,
      });
      return signPolicy(policy, await this.pki.signingKey(client, session.tenantId));
    });
  }
}
