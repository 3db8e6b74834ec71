// AgentControl.Enroll: an enrollment token and the agent's public key in, an agent id and a certificate signed by
// the tenant's CA out. The token is used atomically, in the tenant it names; the request's subject, if any, is
// ignored: the control plane assigns the agent id and puts it, with the tenant, in the certificate. When agents are
// told to send over NATS, the agent also gets its own NATS user (.creds), whose public key the agent row keeps.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { inosec, type EnrollRequest, type IEnrollResponse } from '@inosec/protos';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/audit-log.js';
import { TenantDb } from '../database/tenant-db.js';
import type { ServerContext } from '../server-context.js';
import { CONFIG, LOGGER, SERVER_CONTEXT } from '../tokens.js';
import { recordAgentNatsUser } from './agent-nats.repository.js';
import { keyFromCsr, keyFromProof, type AgentPublicKey } from './agent-key-request.js';
import { AgentControlEndpoint } from './agent-control-endpoint.js';
import { AgentGroupsService } from './agent-groups.service.js';
import { insertAgent, registerTelemetryAgent } from './agents.repository.js';
import { certificateSha256, issueAgentCertificate } from './certificate-authority.js';
import { describeUnusableToken, consumeEnrollmentToken } from './enrollment-tokens.repository.js';
import { enrollmentTokenDigest, enrollmentTokenTenant } from './enrollment-tokens.service.js';
import { EnrollmentRefusedError } from './fleet-errors.js';
import { tenantIsActive } from './fleet-pki.repository.js';
import { FleetNats, hasNatsCollector, type FleetNatsConfig } from './fleet-nats.js';
import { FleetPki } from './fleet-pki.service.js';

/** Agent certificates are valid one year; agents rotate before (AgentCommand KIND_ROTATE_CERTIFICATE). */
export const AGENT_CERT_DAYS = 365;

/** An agent id from the host name: a slug of it and 8 random characters, e.g. `web-01-k3x9q2ma`. */
export function newAgentId(hostName: string): string {
  const slug =
    hostName
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48)
      .replace(/-+$/, '') || 'agent';
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${slug}-${suffix}`;
}

/** The IP address of a grpc-js peer string (`127.0.0.1:5000`, `[::1]:5000`, `ipv4:…`), when it has one. */
export function peerIp(peer: string): string | null {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(bare)?.[1];
  const host = bracketed ?? bare.replace(/:\d+$/, '');
  return net.isIP(host) ? host : null;
}

function clip(value: string | null | undefined, max: number): string {
  return (value ?? '').slice(0, max);
}

function osLabel(os: inosec.v1.Os.$Properties | null | undefined): string {
  if (!os) return '';
  const name = [os.name, os.version].filter(Boolean).join(' ');
  const family = os.family ?? os.platform ?? '';
  return clip(family && name ? `${name} (${family})` : name || family, 200);
}

type Outcome = { ok: true; response: IEnrollResponse } | { ok: false; error: EnrollmentRefusedError };

@Injectable()
export class EnrollmentService {
  private readonly nats: FleetNats;

  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(FleetPki) private readonly pki: FleetPki,
    @Inject(AgentGroupsService) private readonly groups: AgentGroupsService,
    @Inject(AgentControlEndpoint) private readonly endpoint: AgentControlEndpoint,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CONFIG) config: FleetNatsConfig,
    @Inject(SERVER_CONTEXT) context: Pick<ServerContext, 'dataDir' | 'secretBox'>,
  ) {
    this.nats = new FleetNats(config, context, logger);
  }

  /** Enrolls an agent; throws EnrollmentRefusedError with the reason (never naming the token). */
  async enroll(request: EnrollRequest, peer: string): Promise<IEnrollResponse> {
    const ip = peerIp(peer);
    const token = request.enrollmentToken;
    const tenantId = enrollmentTokenTenant(token);
    if (tenantId === undefined) {
      throw new EnrollmentRefusedError(
        'token_invalid',
        'the enrollment token is invalid, used up, expired or revoked',
      );
    }
    // Check the key before spending a use of the token.
    let key: AgentPublicKey;
    if (request.csrPem) key = await keyFromCsr(request.csrPem);
    else if (request.publicKey?.publicKeyPem) {
      key = keyFromProof(
        request.publicKey.publicKeyPem,
        request.publicKey.signature ?? new Uint8Array(),
        token,
      );
    } else {
      throw new EnrollmentRefusedError('invalid_request', 'csr_pem or public_key is required');
    }
    const host = request.host;
    const hostName = clip(host?.hostname || host?.name, 255);
    const agentId = newAgentId(hostName);
    const kind = request.agentKind === inosec.v1.AgentKind.AGENT_KIND_OT_GATEWAY ? 'ot_gateway' : 'endpoint';

    const outcome = await this.db.tx({ tenantId }, async (client): Promise<Outcome> => {
      const refuse = async (
        reason: 'token_invalid' | 'tenant_inactive',
        message: string,
        details: Record<string, unknown>,
        resourceId: string | null,
      ): Promise<Outcome> => {
        await recordAudit(client, {
          tenantId,
          actorType: 'anonymous',
          actorIp: ip,
          action: 'agent.enroll',
          resourceType: 'enrollment_token',
          resourceId,
          outcome: 'denied',
          details: { reason, hostName, ...details },
        });
        return { ok: false, error: new EnrollmentRefusedError(reason, message) };
      };
      const digest = enrollmentTokenDigest(token);
      if (!(await tenantIsActive(client, tenantId))) {
        // An unknown tenant id reads as inactive too; only a real token of a suspended tenant is audited.
        const known = await describeUnusableToken(client, digest);
        if (!known)
          return {
            ok: false,
            error: new EnrollmentRefusedError(
              'token_invalid',
              'the enrollment token is invalid, used up, expired or revoked',
            ),
          };
        return refuse('tenant_inactive', 'the tenant is suspended or archived', {}, known.id);
      }
      const used = await consumeEnrollmentToken(client, digest);
      if (!used) {
        const known = await describeUnusableToken(client, digest);
        const error = new EnrollmentRefusedError(
          'token_invalid',
          'the enrollment token is invalid, used up, expired or revoked',
        );
        // Unknown tokens are not audited (anyone could fill a tenant's log with them); spent ones are.
        if (!known) return { ok: false, error };
        return refuse('token_invalid', error.message, { token: known.why }, known.id);
      }
      const ca = await this.pki.tenantCa(client, tenantId);
      const cert = await issueAgentCertificate({
        ca,
        publicKey: key.key,
        tenantId,
        agentId,
        days: AGENT_CERT_DAYS,
      });
      const sha256 = certificateSha256(cert);
      const policy = await this.groups.currentPolicy(client, used.groupId);
      const inserted = await insertAgent(client, {
        id: agentId,
        tenantId,
        groupId: used.groupId,
        hostName,
        hostId: clip(host?.id, 255),
        os: osLabel(host?.os),
        architecture: clip(host?.architecture, 50),
        ipAddresses: (host?.ip ?? []).filter((a) => net.isIP(a) !== 0).slice(0, 64),
        version: clip(request.agentVersion, 100),
        kind,
        certSerial: cert.serialNumber,
        certSha256: sha256,
        certNotAfter: cert.notAfter,
        enrollmentTokenId: used.id,
        heartbeatIntervalSeconds: policy?.policy.heartbeatIntervalSeconds ?? 60,
      });
      if (!inserted) throw new Error(`agent id ${agentId} collided; the agent retries`);
      await registerTelemetryAgent(client, agentId, tenantId, sha256);
      const collectorUrls = this.endpoint.collectorUrls();
      // The creds (user JWT and seed) go to the agent once, in this response; only the public key is kept.
      const nats = hasNatsCollector(collectorUrls)
        ? await this.nats.issueAgent(tenantId, agentId)
        : undefined;
      if (nats) await recordAgentNatsUser(client, agentId, nats.userPublicKey, nats.expiresAt);
      const keys = await this.pki.policyKeys(client, tenantId);
      const root = await this.pki.root();
      await recordAudit(client, {
        tenantId,
        actorType: 'agent',
        actorId: agentId,
        actorIp: ip,
        action: 'agent.enroll',
        resourceType: 'agent',
        resourceId: agentId,
        outcome: 'success',
        details: {
          hostName,
          groupId: used.groupId,
          tokenId: used.id,
          keyType: key.type,
          certSerial: cert.serialNumber,
          certSha256: sha256.toString('hex'),
          ...(nats ? { natsUserKey: nats.userPublicKey } : {}),
        },
      });
      return {
        ok: true,
        response: {
          agentId,
          certificateChainPem: `${cert.toString('pem')}\n${ca.pem.trim()}\n`,
          caCertificatePem: root.pem,
          certificateExpiresUnixUs: cert.notAfter.getTime() * 1000,
          policySigningKeys: keys.map((k) => ({ keyId: k.keyId, publicKeyPem: k.publicKeyPem })),
          collectorUrls,
          ...(nats ? { natsCredentials: nats.creds } : {}),
        },
      };
    });
    if (!outcome.ok) {
      this.logger.warn({ tenantId, peer, reason: outcome.error.reason }, 'Enrollment refused');
      throw outcome.error;
    }
    this.logger.info({ tenantId, agentId, hostName, peer }, 'Agent enrolled');
    return outcome.response;
  }
}
