import * as grpc from '@grpc/grpc-js';
import {
  agentControlDefinition,
  type EnrollResponse,
  type GetPolicyResponse,
  type HeartbeatResponse,
  type IEnrollRequest,
  type IGetPolicyRequest,
  type IHeartbeatRequest,
} from '@inosec/protos';
import type { ControlEndpoint } from './control-url.js';

/** TLS material of a control-plane connection: the trust anchors, and the agent's certificate for mTLS. */
export interface ControlTls {
  /** PEM trust anchor(s) the server's certificate must chain to; the only roots trusted. */
  ca: Buffer;
  /** PEM certificate chain and private key of the agent (mTLS); absent for Enroll. */
  cert?: Buffer;
  key?: Buffer;
}

/** A gRPC error as grpc-js reports it: a status code and the server's message. */
export type ControlCallError = grpc.ServiceError;

/** Whether `error` is a grpc-js call error carrying a status code. */
export function isCallError(error: unknown): error is ControlCallError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ControlCallError>).code === 'number' &&
    'details' in error
  );
}

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

type UnaryMethod<Req, Res> = {
  path: string;
  requestSerialize: (value: Req) => Buffer;
  responseDeserialize: (bytes: Buffer) => Res;
};

/**
 * A client of the control plane's AgentControl service (inosec/v1/agent_control.proto) over TLS with full
 * verification: the server's certificate must chain to `tls.ca` (and only to it) and name the URL's host.
 * With `tls.cert`/`tls.key` the connection is mTLS (Heartbeat, GetPolicy); without, server-authenticated TLS
 * (Enroll). Each call has a deadline and fails fast when the server is unreachable (no wait-for-ready).
 */
export class ControlClient {
  private readonly client: grpc.Client;

  constructor(
    readonly endpoint: ControlEndpoint,
    tls: ControlTls,
    private readonly deadlineMs = 15_000,
  ) {
    const credentials =
      tls.cert && tls.key
        ? grpc.credentials.createSsl(tls.ca, tls.key, tls.cert)
        : grpc.credentials.createSsl(tls.ca);
    this.client = new grpc.Client(endpoint.target, credentials, {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // The callers back off between calls themselves.
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5_000,
      'grpc.enable_retries': 0,
    });
  }

  enroll(request: IEnrollRequest): Promise<EnrollResponse> {
    return this.unary(agentControlDefinition.enroll, request);
  }

  heartbeat(request: IHeartbeatRequest): Promise<HeartbeatResponse> {
    return this.unary(agentControlDefinition.heartbeat, request);
  }

  getPolicy(request: IGetPolicyRequest): Promise<GetPolicyResponse> {
    return this.unary(agentControlDefinition.getPolicy, request);
  }

  close(): void {
    this.client.close();
  }

  private unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + this.deadlineMs },
        (error, response) => {
          if (error) reject(error);
          else if (response === undefined) reject(new Error(`${method.path} answered nothing`));
          else resolve(response);
        },
      );
    });
  }
}
