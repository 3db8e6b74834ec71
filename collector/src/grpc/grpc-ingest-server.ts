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
  /** Looks an agent up in the enrolment records: its tenant, and whether it was revoked. */
  findAgent: (agentId: string) => Promise<AgentRecord | undefined>;
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

class StreamAuthError extends Error {
  constructor(
    readonly status: grpc.status,
    message: string,
  ) {
    super(message);
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
    if (options.tls) {
      const cert = call.getAuthContext().sslPeerCertificate;
      const cn = cert?.subject?.CN;
      agentId = Array.isArray(cn) ? undefined : cn;
      if (!agentId)
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
      // Outcomes in arrival order; at most `depth` in processing while the stream is read.
      const inFlight: Promise<void>[] = [];
      try {
        // Not `for await (… of call)`: ending that loop destroys the duplex, and the status never reaches the agent.
        for await (const bytes of call.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
          if (ended) break;
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
          if (inFlight.length >= depth) await inFlight.shift();
          // Across all streams: read no further while the collector holds its limit of batch bytes.
          await options.ingest.capacity();
          if (stopping) break;
        }
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
