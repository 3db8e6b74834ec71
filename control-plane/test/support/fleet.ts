// Fleet test helpers: the API harness with the AgentControl gRPC server started, an agent side of AgentControl
// and of the ingest Push stream over real TLS, agent keys and CSRs made with @peculiar/x509, and a real
// collector (the ingest role) whose server certificate comes from the platform root.
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadCollectorConfig, startCollector, type RunningCollector } from '@inosec/collector';
import {
  EventBatch,
  agentControlDefinition,
  inosec,
  ingestPushRawDefinition,
  type EnrollResponse,
  type GetPolicyResponse,
  type HeartbeatResponse,
  type IEnrollRequest,
  type IHeartbeatRequest,
  type PushAck,
} from '@inosec/protos';
import { pino } from 'pino';
import { AgentControlServer } from '../../src/fleet/agent-control.server.js';
import { x509 } from '../../src/fleet/certificate-authority.js';
import { FleetPki } from '../../src/fleet/fleet-pki.service.js';
import { startApiHarness, type ApiHarness } from './api-harness.js';

export interface FleetHarness extends ApiHarness {
  pki: FleetPki;
  agentControlPort: number;
  rootPem: string;
}

/** The API harness with AgentControl listening on a free loopback port. */
export async function startFleetHarness(env: Record<string, string> = {}): Promise<FleetHarness> {
  const h = await startApiHarness({ INOSEC_AGENT_CONTROL_PORT: '0', ...env });
  const { port } = await h.server.app.get(AgentControlServer).start();
  const pki = h.server.app.get(FleetPki);
  const root = await pki.root();
  return Object.assign(h, { pki, agentControlPort: port, rootPem: root.pem });
}

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** An agent key pair made on the "agent": PKCS#8 PEM of the private key and a CSR (any subject). */
export async function agentKeyAndCsr(
  subject = 'CN=whatever-i-claim',
): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: EC,
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY'), csrPem: csr.toString('pem') };
}

/** A TLS client of AgentControl trusting the root, with an optional client certificate. */
export function agentControlClient(
  port: number,
  rootPem: string,
  identity?: { keyPem: string; certChainPem: string },
): grpc.Client {
  const credentials = identity
    ? grpc.credentials.createSsl(
        Buffer.from(rootPem),
        Buffer.from(identity.keyPem),
        Buffer.from(identity.certChainPem),
      )
    : grpc.credentials.createSsl(Buffer.from(rootPem));
  return new grpc.Client(`localhost:${port}`, credentials);
}

function unary<Req, Res>(
  client: grpc.Client,
  method: {
    path: string;
    requestSerialize: (value: Req) => Buffer;
    responseDeserialize: (bytes: Buffer) => Res;
  },
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      { deadline: Date.now() + 15_000 },
      (error, response) =>
        error || response === undefined ? reject(error ?? new Error('no response')) : resolve(response),
    );
  });
}

export const callEnroll = (client: grpc.Client, request: IEnrollRequest): Promise<EnrollResponse> =>
  unary(client, agentControlDefinition.enroll, request);
export const callHeartbeat = (client: grpc.Client, request: IHeartbeatRequest): Promise<HeartbeatResponse> =>
  unary(client, agentControlDefinition.heartbeat, request);
export const callGetPolicy = (client: grpc.Client): Promise<GetPolicyResponse> =>
  unary(client, agentControlDefinition.getPolicy, { currentVersion: 0 });

/** Creates an enrollment token through the API. */
export async function createToken(
  h: ApiHarness,
  token: string,
  body: Record<string, unknown> = {},
): Promise<{ token: string; id: string; installCommand: string; caSha256: string; groupId: string }> {
  const res = await h.request<{
    token: string;
    id: string;
    installCommand: string;
    caSha256: string;
    groupId: string;
  }>('POST', '/api/fleet/enrollment-tokens', { token, body });
  if (res.status !== 201)
    throw new Error(`token creation answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An enrolled agent: its id, key and certificate chain. */
export interface EnrolledAgent {
  agentId: string;
  keyPem: string;
  certChainPem: string;
  response: EnrollResponse;
}

/** Enrolls a new agent with `enrollmentToken` over AgentControl (a fresh key and CSR). */
export async function enrollAgent(
  h: FleetHarness,
  enrollmentToken: string,
  hostname = `host-${randomBytes(3).toString('hex')}`,
): Promise<EnrolledAgent> {
  const { keyPem, csrPem } = await agentKeyAndCsr();
  const client = agentControlClient(h.agentControlPort, h.rootPem);
  try {
    const response = await callEnroll(client, {
      enrollmentToken,
      csrPem,
      host: { hostname, os: { name: 'Debian GNU/Linux', version: '12', family: 'linux' }, ip: ['10.1.2.3'] },
      agentVersion: '0.1.0',
      agentKind: inosec.v1.AgentKind.AGENT_KIND_ENDPOINT,
    });
    return { agentId: response.agentId, keyPem, certChainPem: response.certificateChainPem, response };
  } finally {
    client.close();
  }
}

/** A real collector on the harness database (ingest role), serving mTLS with a certificate from the root. */
export async function startFleetCollector(
  h: FleetHarness,
): Promise<{ collector: RunningCollector; port: number }> {
  const password = randomBytes(12).toString('hex');
  const role = `fleet_ingest_${randomBytes(3).toString('hex')}`;
  await h.admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE inosec_ingest`);
  const url = new URL(h.pg.url);
  url.username = role;
  url.password = password;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-fleet-collector-'));
  const tls = await h.pki.issueServerTls('InoSec collector', ['localhost', '127.0.0.1']);
  const file = (name: string) => path.join(dir, name);
  await writeFile(file('collector.crt'), tls.certChainPem);
  await writeFile(file('collector.key'), tls.keyPem, { mode: 0o600 });
  await writeFile(file('ca.crt'), h.rootPem);
  const config = loadCollectorConfig({
    DATABASE_URL: url.toString(),
    INOSEC_GRPC_PORT: '0',
    INOSEC_GRPC_TLS_CERT: file('collector.crt'),
    INOSEC_GRPC_TLS_KEY: file('collector.key'),
    INOSEC_GRPC_TLS_CA: file('ca.crt'),
    INOSEC_COLLECTOR_ENCODE_THREADS: '0',
    INOSEC_DETECTION_RULE_DIRS: 'none',
  });
  const collector = await startCollector({ config, logger: pino({ level: 'silent' }) });
  return { collector, port: collector.grpcPort };
}

/** A batch of `count` metric events of `agent` from `firstSeq`. */
function metricBatch(agentId: string, firstSeq: number, count: number): Uint8Array {
  const nowUs = Date.now() * 1000;
  const batch = EventBatch.create({
    agentId,
    batchId: `${agentId}:${firstSeq}`,
    firstSeq,
    sentTimeUnixUs: nowUs,
    events: Array.from({ length: count }, (_, i) =>
      inosec.v1.Event.create({
        agentId,
        seq: firstSeq + i,
        timeUnixUs: nowUs - 1_000_000,
        observedTimeUnixUs: nowUs - 999_000,
        sensor: 'metrics',
        metric: {
          name: 'system.cpu.utilization',
          value: 0.5,
          unit: '1',
          kind: inosec.v1.Metric.Kind.KIND_GAUGE,
        },
      }),
    ),
    host: { hostname: 'fleet-test' },
  });
  return EventBatch.encode(batch).finish();
}

/** An open Push stream of `agent` over mTLS: send batches one by one, each answered by its ack or the end. */
export function openPushStream(
  port: number,
  rootPem: string,
  agent: { agentId: string; keyPem: string; certChainPem: string },
): {
  send(firstSeq: number, count?: number): Promise<{ ack?: PushAck; status?: grpc.StatusObject }>;
  close(): void;
} {
  const client = new grpc.Client(
    `localhost:${port}`,
    grpc.credentials.createSsl(
      Buffer.from(rootPem),
      Buffer.from(agent.keyPem),
      Buffer.from(agent.certChainPem),
    ),
  );
  const { push } = ingestPushRawDefinition;
  const call = client.makeBidiStreamRequest(push.path, push.requestSerialize, push.responseDeserialize);
  let waiting: ((answer: { ack?: PushAck; status?: grpc.StatusObject }) => void) | undefined;
  let ended: grpc.StatusObject | undefined;
  call.on('data', (ack: PushAck) => waiting?.({ ack }));
  call.on('error', () => undefined);
  call.on('status', (status: grpc.StatusObject) => {
    ended = status;
    waiting?.({ status });
  });
  call.on('error', () => undefined);
  return {
    send(firstSeq, count = 3) {
      if (ended !== undefined) return Promise.resolve({ status: ended });
      return new Promise((resolve) => {
        waiting = resolve;
        call.write(metricBatch(agent.agentId, firstSeq, count));
      });
    },
    close() {
      call.end();
      client.close();
    },
  };
}

/** Opens a Push stream, sends one batch and answers with its ack, or the stream's status if it ended first. */
export async function pushOneBatch(
  port: number,
  rootPem: string,
  agent: { agentId: string; keyPem: string; certChainPem: string },
  firstSeq: number,
  count = 3,
): Promise<{ ack?: PushAck; status?: grpc.StatusObject }> {
  const stream = openPushStream(port, rootPem, agent);
  try {
    return await stream.send(firstSeq, count);
  } finally {
    stream.close();
  }
}
