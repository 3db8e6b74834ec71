import { createHash } from 'node:crypto';
import type { Http2SecureServer, Http2Server, ServerHttp2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { ingestPushRawDefinition, type IngestPushRawHandlers } from '@inosec/protos';
import type { Logger } from 'pino';
import type { AgentIdentity } from '../ingest/batch-validator.js';
import { StreamAcks, type IngestService } from '../ingest/ingest-service.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { AgentRecord } from '../storage/telemetry.repository.js';

export interface GrpcTlsOptions {
  /** PEM: the CA(s) agent certificates must chain to. */
  ca: Buffer;
  /** PEM: the collector's certificate chain and key. */
  cert: Buffer;
  key: Buffer;
}

export interface GrpcIngestServerOptions {
  host: string;
  port: number;
  /** mTLS. Without it the server is plaintext and takes the agent id from a header: tests and loopback only. */
  tls?: GrpcTlsOptions;
  ingest: IngestService;
  /**
   * Looks an agent up in the enrolment records: its tenant, its enrolled certificate, whether it was revoked and
   * whether its tenant is active. Called once per new stream: do not cache it (a revocation must refuse the
   * agent's next connection).
   */
  findAgent: (agentId: string) => Promise<AgentRecord | undefined>;
  /**
   * Refuse agents registered without an enrolled certificate (legacy rows whose certificate SHA-256 is unknown)
   * instead of accepting them on the certificate chain and subject CN alone. Default false.
   */
  requireEnrolledCert?: boolean;
  metrics: CollectorMetrics;
  logger: Logger;
  /** Hard transport limit: larger messages end the stream (RESOURCE_EXHAUSTED); smaller oversize ones are answered. */
  maxMessageBytes: number;
  /**
   * Batches a stream may have in processing at once (their acks still go out in order); the default matches
   * the agent's send window, so batches that arrive together can share a commit. Past it, HTTP/2 flow
   * control holds the agent back.
   */
  pipelineDepth?: number;
  /**
   * HTTP/2 receive window per stream (the connection's is twice it): how much of a stream the agent may send
   * before the collector has read it. The HTTP/2 default, 64 KiB, made an agent wait for a window update
   * about every 64 KiB of a batch (docs/decisions.md). Default 1 MiB.
   */
  streamWindowBytes?: number;
}

const DEFAULT_STREAM_WINDOW = 1_048_576;

/**
 * grpc-js gives its server no setting for the HTTP/2 receive window, so it is raised on each new session of
 * the server's own HTTP/2 servers (a field grpc-js keeps private; grpc-js is pinned by the lockfile, and the
 * gRPC ingest test checks the window an agent is offered).
 */
function raiseReceiveWindow(server: grpc.Server, bytes: number, logger: Logger): void {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) {
    logger.warn('grpc-js keeps no http2Servers map: the HTTP/2 receive window stays at its 64 KiB default');
    return;
  }
  for (const http2Server of servers.keys() as IterableIterator<Http2Server | Http2SecureServer>) {
    http2Server.on('session', (session: ServerHttp2Session) => {
      session.settings({ initialWindowSize: bytes });
      session.setLocalWindowSize(bytes * 2);
    });
  }
}

export interface GrpcIngestServer {
  port: number;
  /** Stops accepting streams and ends open ones with UNAVAILABLE once their batches in processing are answered. */
  stop(graceMs?: number): Promise<void>;
}

/** Header that names the agent on a plaintext (test/loopback) server; ignored under mTLS. */
export const INSECURE_AGENT_HEADER = 'x-inosec-agent-id';

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TENANT_URI = /^urn:inosec:tenant:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const AGENT_URI = /^urn:inosec:agent:(.+)$/;

class StreamAuthError extends Error {
  constructor(
    readonly status: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** What a client certificate says about its holder: subject CN, the inosec URI SANs, its SHA-256. */
export interface PeerCertificateIdentity {
  commonName?: string;
  /** Tenants named by `urn:inosec:tenant:<uuid>` SANs. */
  tenants: string[];
  /** Agents named by `urn:inosec:agent:<id>` SANs. */
  agents: string[];
  /** SHA-256 of the DER certificate, lower-case hex. */
  sha256: string;
}

/** Reads the identity fields of a verified peer certificate (Node's tls.PeerCertificate). */
export function peerCertificateIdentity(cert: {
  subject?: { CN?: string | string[] | undefined };
  subjectaltname?: string;
  raw?: Buffer;
}): PeerCertificateIdentity | undefined {
  if (!cert.raw || cert.raw.length === 0) return undefined;
  const cn = cert.subject?.CN;
  const uris = (cert.subjectaltname ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice(4));
  const tenants: string[] = [];
  const agents: string[] = [];
  for (const uri of uris) {
    const tenant = TENANT_URI.exec(uri)?.[1];
    if (tenant) tenants.push(tenant);
    const agent = AGENT_URI.exec(uri)?.[1];
    if (agent) agents.push(agent);
  }
  return {
    ...(typeof cn === 'string' ? { commonName: cn } : {}),
    tenants,
    agents,
    sha256: createHash('sha256').update(cert.raw).digest('hex'),
  };
}

/**
 * Checks a certificate against the agent's enrolment: an enrolled agent must present exactly the certificate
 * enrollment issued (its SHA-256), whose SANs name the same tenant and agent; a legacy agent (no SHA-256 on
 * record) is accepted on chain and CN unless `requireEnrolled`, and a tenant SAN it carries must still match.
 */
function checkCertificate(
  peer: PeerCertificateIdentity,
  agentId: string,
  agent: AgentRecord,
  requireEnrolled: boolean,
): void {
  const tenantMismatch = peer.tenants.some((tenant) => tenant !== agent.tenantId);
  const agentMismatch = peer.agents.some((id) => id !== agentId);
  if (tenantMismatch || agentMismatch) {
    throw new StreamAuthError(
      grpc.status.PERMISSION_DENIED,
      `the certificate of ${agentId} names another ${tenantMismatch ? 'tenant' : 'agent'} than its enrolment`,
    );
  }
  if (agent.certSha256 === undefined) {
    if (requireEnrolled) {
      throw new StreamAuthError(
        grpc.status.PERMISSION_DENIED,
        `agent ${agentId} has no enrolled certificate: enroll it`,
      );
    }
    return;
  }
  if (peer.sha256 !== agent.certSha256) {
    throw new StreamAuthError(
      grpc.status.UNAUTHENTICATED,
      `the certificate is not the one enrolled for agent ${agentId} (re-issued, replaced or forged)`,
    );
  }
  if (peer.tenants.length !== 1) {
    throw new StreamAuthError(grpc.status.UNAUTHENTICATED, 'the certificate names no tenant');
  }
}

/**
 * The gRPC ingest server: one bidirectional Push stream per agent connection. The agent is whoever its
 * client certificate says (subject CN), its tenant whatever its enrolment says; nothing in the messages
 * can change either. Batches are processed in arrival order with a bounded number in flight per stream, and
 * the stream is read no faster than that, so HTTP/2 flow control holds a fast agent back (bounded memory).
 */
export async function startGrpcIngestServer(options: GrpcIngestServerOptions): Promise<GrpcIngestServer> {
  const { logger, metrics } = options;
  const depth = options.pipelineDepth ?? 16;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': 1_048_576,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });
  // Open streams, each with how to end it once its batches in processing are answered.
  const open = new Map<grpc.ServerDuplexStream<Buffer, unknown>, () => void>();
  let stopping = false;

  async function authenticate(call: grpc.ServerDuplexStream<Buffer, unknown>): Promise<AgentIdentity> {
    let agentId: string | undefined;
    let peer: PeerCertificateIdentity | undefined;
    if (options.tls) {
      // grpc-js verified the chain to the configured CA (checkClientCertificate) before the call got here.
      const cert = call.getAuthContext().sslPeerCertificate;
      peer = cert ? peerCertificateIdentity(cert) : undefined;
      agentId = peer?.commonName;
      if (!peer || !agentId)
        throw new StreamAuthError(
          grpc.status.UNAUTHENTICATED,
          'no client certificate with an agent id (subject CN)',
        );
    } else {
      const header = call.metadata.get(INSECURE_AGENT_HEADER)[0];
      agentId = typeof header === 'string' ? header : undefined;
      if (!agentId)
        throw new StreamAuthError(grpc.status.UNAUTHENTICATED, `no ${INSECURE_AGENT_HEADER} header`);
    }
    if (!AGENT_ID.test(agentId)) throw new StreamAuthError(grpc.status.UNAUTHENTICATED, 'malformed agent id');
    const agent = await options.findAgent(agentId);
    if (!agent) throw new StreamAuthError(grpc.status.PERMISSION_DENIED, `agent ${agentId} is not enrolled`);
    if (agent.revoked)
      throw new StreamAuthError(grpc.status.PERMISSION_DENIED, `agent ${agentId} was revoked`);
    if (peer) checkCertificate(peer, agentId, agent, options.requireEnrolledCert ?? false);
    if (!agent.tenantActive)
      throw new StreamAuthError(
        grpc.status.PERMISSION_DENIED,
        `the tenant of agent ${agentId} is suspended or archived`,
      );
    return { agentId, tenantId: agent.tenantId };
  }

  const push: IngestPushRawHandlers['push'] = (call) => {
    let chain = Promise.resolve();
    open.set(
      call,
      () =>
        void chain.then(() => finish({ code: grpc.status.UNAVAILABLE, details: 'collector shutting down' })),
    );
    metrics.connections.inc({ transport: 'grpc' });
    const peer = call.getPeer();
    let ended = false;
    const finish = (status?: { code: grpc.status; details: string }) => {
      if (ended) return;
      ended = true;
      open.delete(call);
      metrics.connections.dec({ transport: 'grpc' });
      if (status) call.emit('error', status);
      else call.end();
    };
    call.on('error', () => finish());
    call.on('cancelled', () => finish());

    void (async () => {
      let identity: AgentIdentity;
      try {
        identity = await authenticate(call);
      } catch (error) {
        const status = error instanceof StreamAuthError ? error.status : grpc.status.UNAVAILABLE;
        logger.warn({ peer, err: error }, `Ingest stream refused: ${(error as Error).message}`);
        finish({ code: status, details: (error as Error).message });
        return;
      }
      const log = logger.child({ agentId: identity.agentId, peer });
      log.debug('Ingest stream opened');
      const acks = new StreamAcks(identity.agentId);
      // Outcomes in arrival order; at most `depth` in processing while the stream is read. Read with 'data'
      // events and pause/resume, not an async iterator: an iterator destroys the stream when the status is
      // emitted as an 'error' (how grpc-js ends a stream with a status), so a refusal in mid-stream (agent
      // revoked, tenant suspended) or a shutdown never reached the agent, whose stream just went silent.
      const inFlight: Promise<void>[] = [];
      let reading = false;
      const readMore = async (): Promise<void> => {
        while (inFlight.length >= depth) await inFlight.shift();
        // Across all streams: read no further while the collector holds its limit of batch bytes.
        await options.ingest.capacity();
        reading = false;
        if (!ended && !stopping) call.resume();
      };
      await new Promise<void>((resolve) => {
        call.on('data', (bytes: Buffer) => {
          if (ended || stopping) return;
          const outcome = options.ingest.ingest(identity, bytes, 'grpc');
          const answered = (chain = chain.then(async () => {
            const result = await outcome;
            if (ended) return;
            call.write(acks.ack(result));
            if (result.forbidden) {
              finish({ code: grpc.status.PERMISSION_DENIED, details: result.forbidden.message });
            }
          }));
          inFlight.push(answered);
          if (!reading) {
            reading = true;
            call.pause();
            readMore().catch((error: unknown) => {
              log.warn({ err: error }, 'Ingest stream failed');
              finish({ code: grpc.status.UNAVAILABLE, details: 'stream failed' });
            });
          }
        });
        call.once('end', () => resolve());
        call.once('close', () => resolve());
        call.once('error', () => resolve());
        call.resume();
      });
      try {
        await chain;
        if (stopping) finish({ code: grpc.status.UNAVAILABLE, details: 'collector shutting down' });
        else finish();
        log.debug('Ingest stream closed');
      } catch (error) {
        log.warn({ err: error }, 'Ingest stream failed');
        finish({ code: grpc.status.UNAVAILABLE, details: 'stream failed' });
      }
    })();
  };

  server.addService(ingestPushRawDefinition, { push });
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(
        options.tls.ca,
        [{ private_key: options.tls.key, cert_chain: options.tls.cert }],
        true,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  logger.info({ host: options.host, port, tls: options.tls !== undefined }, 'gRPC ingest listening');
  raiseReceiveWindow(server, options.streamWindowBytes ?? DEFAULT_STREAM_WINDOW, logger);

  return {
    port,
    async stop(graceMs = 5_000) {
      stopping = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
        // Each open stream ends with UNAVAILABLE once its batches in processing are answered; the agent
        // reconnects (to another collector) and resends what was not acknowledged.
        for (const close of open.values()) close();
      });
    },
  };
}
