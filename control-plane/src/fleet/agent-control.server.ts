// The AgentControl gRPC service (agent_control.proto) on its own TLS port. The server presents a certificate
// from the platform root; a client certificate is requested but optional at the TLS level, because Enroll runs
// before the agent has one. Heartbeat and GetPolicy then require the certificate enrollment issued: it is pinned
// by its SHA-256 (TLS has proved the caller holds its key), so the chain need not be checked again here.
import * as grpc from '@grpc/grpc-js';
import { agentControlDefinition, type AgentControlHandlers } from '@inosec/protos';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { CONFIG, LOGGER } from '../tokens.js';
import { AgentControlEndpoint } from './agent-control-endpoint.js';
import { AgentSessionService } from './agent-session.service.js';
import { EnrollmentService } from './enrollment.service.js';
import { AgentAuthError, EnrollmentRefusedError } from './fleet-errors.js';
import { FleetPki } from './fleet-pki.service.js';

type CertificateProvider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/**
 * Fixed certificates for grpc-js' certificate-provider credentials (the only way to make client certificates
 * optional). Listeners are answered on the next tick: grpc-js registers its own watcher only after adding them.
 */
class StaticCertificates implements CertificateProvider {
  constructor(
    private readonly ca: Buffer | undefined,
    private readonly identity: { certificate: Buffer; privateKey: Buffer } | undefined,
  ) {}
  addCaCertificateListener(listener: CaListener): void {
    const ca = this.ca;
    if (ca) setImmediate(() => listener({ caCertificate: ca }));
  }
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(listener: IdentityListener): void {
    const identity = this.identity;
    if (identity) setImmediate(() => listener(identity));
  }
  removeIdentityCertificateListener(): void {}
}

/** The status an agent gets for each refusal. */
function statusOf(error: unknown): { code: grpc.status; details: string } | undefined {
  if (error instanceof EnrollmentRefusedError) {
    const code =
      error.reason === 'invalid_request' ||
      error.reason === 'key_request_invalid' ||
      error.reason === 'key_type_unsupported'
        ? grpc.status.INVALID_ARGUMENT
        : error.reason === 'tenant_inactive'
          ? grpc.status.PERMISSION_DENIED
          : grpc.status.UNAUTHENTICATED;
    return { code, details: error.message };
  }
  if (error instanceof AgentAuthError) {
    const code =
      error.reason === 'revoked' || error.reason === 'tenant_inactive'
        ? grpc.status.PERMISSION_DENIED
        : grpc.status.UNAUTHENTICATED;
    return { code, details: error.message };
  }
  return undefined;
}

/** A running AgentControl service. */
export interface AgentControlListening {
  port: number;
  /** The grpcs:// URL agents enroll at. */
  url: string;
}

/**
 * The AgentControl gRPC server. Not started with the Nest application (tests and API-only replicas do not
 * bind it): the composition root calls start() and the application's shutdown stops it.
 */
@Injectable()
export class AgentControlServer implements OnApplicationShutdown {
  private server: grpc.Server | undefined;
  private listening: AgentControlListening | undefined;

  constructor(
    @Inject(CONFIG)
    private readonly config: Pick<
      ControlPlaneConfig,
      'INOSEC_AGENT_CONTROL_HOST' | 'INOSEC_AGENT_CONTROL_PORT'
    >,
    @Inject(LOGGER) private readonly rootLogger: Logger,
    @Inject(FleetPki) private readonly pki: FleetPki,
    @Inject(AgentControlEndpoint) private readonly endpoint: AgentControlEndpoint,
    @Inject(EnrollmentService) private readonly enrollment: EnrollmentService,
    @Inject(AgentSessionService) private readonly sessions: AgentSessionService,
  ) {}

  private get logger(): Logger {
    return this.rootLogger.child({ component: 'agent-control' });
  }

  /** Binds INOSEC_AGENT_CONTROL_HOST:PORT with a fresh server certificate from the root; idempotent. */
  async start(): Promise<AgentControlListening> {
    if (this.listening) return this.listening;
    const root = await this.pki.root();
    const tls = await this.pki.issueServerTls('InoSec AgentControl', this.endpoint.tlsNames());
    // One provider serves both roles: grpc-js 1.14's factory passes its two providers to the constructor in
    // swapped order, so giving the same object for both keeps this right whichever way it ends up.
    const certificates = new StaticCertificates(Buffer.from(root.pem), {
      certificate: Buffer.from(tls.certChainPem),
      privateKey: Buffer.from(tls.keyPem),
    });
    const credentials = grpc.experimental.createCertificateProviderServerCredentials(
      certificates,
      certificates,
      false,
    );
    const server = new grpc.Server({
      'grpc.max_receive_message_length': 262_144,
      'grpc.max_send_message_length': 1_048_576,
    });
    server.addService(agentControlDefinition, this.handlers());
    const { INOSEC_AGENT_CONTROL_HOST: host, INOSEC_AGENT_CONTROL_PORT: wanted } = this.config;
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${wanted}`, credentials, (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    this.server = server;
    this.endpoint.setBoundPort(port);
    this.listening = { port, url: this.endpoint.url() };
    this.logger.info({ host, port }, 'AgentControl listening');
    return this.listening;
  }

  /** Stops the server (open calls get a few seconds to finish). */
  async stop(graceMs = 3_000): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.listening = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private handlers(): AgentControlHandlers {
    const answer = <T>(
      method: string,
      call: grpc.ServerUnaryCall<unknown, T>,
      callback: grpc.sendUnaryData<T>,
      work: () => Promise<T>,
    ) => {
      work().then(
        (response) => callback(null, response),
        (error: unknown) => {
          const status = statusOf(error);
          if (status) {
            this.logger.warn(
              { method, peer: call.getPeer(), code: status.code },
              `${method} refused: ${status.details}`,
            );
            callback(status);
            return;
          }
          this.logger.error({ method, peer: call.getPeer(), err: error }, `${method} failed`);
          callback({ code: grpc.status.UNAVAILABLE, details: 'the control plane could not answer; retry' });
        },
      );
    };
    const peerCert = (call: grpc.ServerUnaryCall<unknown, unknown>) =>
      call.getAuthContext().sslPeerCertificate;
    return {
      enroll: (call, callback) => {
        const request = call.request;
        if (!request.ok) {
          callback({ code: grpc.status.INVALID_ARGUMENT, details: request.error.message });
          return;
        }
        answer('Enroll', call, callback, () => this.enrollment.enroll(request.value, call.getPeer()));
      },
      heartbeat: (call, callback) => {
        const request = call.request;
        if (!request.ok) {
          callback({ code: grpc.status.INVALID_ARGUMENT, details: request.error.message });
          return;
        }
        answer('Heartbeat', call, callback, () => this.sessions.heartbeat(peerCert(call), request.value));
      },
      getPolicy: (call, callback) => {
        const request = call.request;
        if (!request.ok) {
          callback({ code: grpc.status.INVALID_ARGUMENT, details: request.error.message });
          return;
        }
        answer('GetPolicy', call, callback, async () => ({
          policy: await this.sessions.signedPolicy(peerCert(call)),
        }));
      },
    };
  }
}
