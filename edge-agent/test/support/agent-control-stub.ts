// A stand-in for the control plane's AgentControl gRPC server (control-plane/src/fleet/) for the agent's
// enrollment and heartbeat tests: real TLS with certificates made here (a root CA, a server certificate for
// 127.0.0.1), optional client certificates (Enroll runs over server TLS, the rest over mTLS), certificates
// issued from the agent's CSR, policies signed with an Ed25519 key. Only until the lead's end-to-end test joins
// the agent to the real server.
import 'reflect-metadata';
import { createHash, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import {
  agentControlDefinition,
  Policy,
  type AgentControlHandlers,
  type EnrollRequest,
  type GetPolicyRequest,
  type HeartbeatRequest,
  type IHeartbeatResponse,
  type IPolicy,
  type ISignedPolicy,
} from '@inosec/protos';
import * as x509 from '@peculiar/x509';

const crypto = webcrypto as Parameters<typeof x509.X509CertificateGenerator.create>[1];
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

async function keyPair() {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
}

/** A CA (self-signed root) that issues server and agent certificates. */
export interface TestCa {
  cert: x509.X509Certificate;
  pem: string;
  /** SHA-256 fingerprint of the root, 64 hex digits. */
  sha256: string;
  issue(options: {
    subject: string;
    publicKey: x509.PublicKey | webcrypto.CryptoKey;
    ip?: string;
    server?: boolean;
    notAfter?: Date;
  }): Promise<x509.X509Certificate>;
}

/** Makes a self-signed root CA (or, with `ca: false`, a self-signed certificate that is not a CA). */
export async function createTestCa(name = 'CN=InoSec Test Root CA', ca = true): Promise<TestCa> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      keys,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(ca, undefined, true),
        new x509.KeyUsagesExtension(
          ca
            ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
            : x509.KeyUsageFlags.digitalSignature,
          true,
        ),
      ],
    },
    crypto,
  );
  let serial = 2;
  return {
    cert,
    pem: cert.toString('pem'),
    sha256: createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex'),
    issue: async (options) =>
      x509.X509CertificateGenerator.create(
        {
          serialNumber: (serial++).toString(16).padStart(2, '0'),
          subject: options.subject,
          issuer: cert.subject,
          notBefore: new Date(Date.now() - 60_000),
          notAfter: options.notAfter ?? new Date(Date.now() + 86_400_000),
          signingAlgorithm: EC,
          publicKey: options.publicKey,
          signingKey: keys.privateKey,
          extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
            new x509.ExtendedKeyUsageExtension([
              options.server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
            ]),
            ...(options.ip
              ? [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: options.ip }])]
              : []),
          ],
        },
        crypto,
      ),
  };
}

/** An Ed25519 policy signing key. */
export interface PolicySigner {
  keyId: string;
  publicKeyPem: string;
  privateKey: KeyObject;
}

export function createPolicySigner(keyId = 'policy-key-1'): PolicySigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { keyId, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/** Encodes and signs a policy as the control plane does. */
export function signPolicy(policy: IPolicy, signer: PolicySigner, keyId = signer.keyId): ISignedPolicy {
  const bytes = Policy.encode(policy).finish();
  return { policy: bytes, signature: sign(null, bytes, signer.privateKey), keyId };
}

export interface HeartbeatSeen {
  request: HeartbeatRequest;
  peer: PeerCertificate | undefined;
}

export interface AgentControlStub {
  url: string;
  ca: TestCa;
  /** SHA-256 fingerprint of the server's own (leaf, not CA) certificate. */
  serverSha256: string;
  signer: PolicySigner;
  enrolls: EnrollRequest[];
  heartbeats: HeartbeatSeen[];
  policyRequests: Array<{ request: GetPolicyRequest; peer: PeerCertificate | undefined }>;
  /** The certificates issued, by agent id (PEM). */
  issued: Map<string, string>;
  /** Set to make Enroll fail with this status. */
  enrollError: { code: grpc.status; details: string } | undefined;
  /** The agent id the next Enroll assigns. */
  nextAgentId: string;
  collectorUrls: string[];
  /** What Heartbeat answers (default: desired version 0, next in 1 s). */
  heartbeatAnswer: (
    request: HeartbeatRequest,
  ) => IHeartbeatResponse | { error: grpc.status; details: string };
  /** What GetPolicy answers. */
  policyAnswer: (request: GetPolicyRequest) => ISignedPolicy | { error: grpc.status; details: string };
  close(): Promise<void>;
}

function peerOf(call: { getAuthContext(): { sslPeerCertificate?: PeerCertificate } }) {
  const peer = call.getAuthContext().sslPeerCertificate;
  return peer && Object.keys(peer).length > 0 ? peer : undefined;
}

/** Starts the stub on 127.0.0.1 (a free port). `presentRoot: false` leaves the root out of the server's chain. */
export async function startAgentControlStub(
  options: { presentRoot?: boolean } = {},
): Promise<AgentControlStub> {
  const ca = await createTestCa();
  const serverKeys = await keyPair();
  const serverCert = await ca.issue({
    subject: 'CN=control.test',
    publicKey: serverKeys.publicKey,
    ip: '127.0.0.1',
    server: true,
  });
  const serverKeyPem = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', serverKeys.privateKey));
  const chain = serverCert.toString('pem') + '\n' + (options.presentRoot === false ? '' : ca.pem);
  const signer = createPolicySigner();
  // OpenSSL completes a server's chain from its trust store (the CA that checks client certificates): to leave
  // the root out of the presented chain, that store must hold another CA.
  const clientCaPem =
    options.presentRoot === false ? (await createTestCa('CN=Unrelated Client CA')).pem : ca.pem;

  // grpc-js registers its watcher after adding these listeners: answer on the next turn of the event loop.
  const caProvider: grpc.experimental.CertificateProvider = {
    addCaCertificateListener: (listener) =>
      setImmediate(() => listener({ caCertificate: Buffer.from(clientCaPem) })),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (listener) =>
      setImmediate(() =>
        listener({ certificate: Buffer.from(chain), privateKey: Buffer.from(serverKeyPem) }),
      ),
    removeIdentityCertificateListener: () => undefined,
  };
  // Client certificates requested but optional: Enroll comes without one, Heartbeat and GetPolicy with one.
  const credentials = grpc.experimental.createCertificateProviderServerCredentials(
    caProvider,
    caProvider,
    false,
  );

  const stub = {
    ca,
    serverSha256: createHash('sha256').update(Buffer.from(serverCert.rawData)).digest('hex'),
    signer,
    enrolls: [],
    heartbeats: [],
    policyRequests: [],
    issued: new Map<string, string>(),
    enrollError: undefined,
    nextAgentId: 'agent-0001',
    collectorUrls: ['grpcs://127.0.0.1:50051'],
    heartbeatAnswer: () => ({ desiredPolicyVersion: 0, nextHeartbeatSeconds: 1 }),
    policyAnswer: () => ({ error: grpc.status.NOT_FOUND, details: 'no policy' }),
  } as unknown as AgentControlStub;

  const handlers: AgentControlHandlers = {
    enroll: (call, callback) => {
      if (!call.request.ok) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'malformed' });
      const request = call.request.value;
      stub.enrolls.push(request);
      if (stub.enrollError) return callback(stub.enrollError);
      void (async () => {
        const csr = new x509.Pkcs10CertificateRequest(request.csrPem);
        if (!(await csr.verify(crypto))) throw new Error('CSR signature does not verify');
        const agentId = stub.nextAgentId;
        const cert = await ca.issue({
          subject: `CN=${agentId}, O=tenant-test`,
          publicKey: await csr.publicKey.export(crypto),
        });
        stub.issued.set(agentId, cert.toString('pem'));
        return {
          agentId,
          certificateChainPem: cert.toString('pem'),
          caCertificatePem: ca.pem,
          certificateExpiresUnixUs: cert.notAfter.getTime() * 1000,
          policySigningKeys: [{ keyId: signer.keyId, publicKeyPem: signer.publicKeyPem }],
          collectorUrls: stub.collectorUrls,
        };
      })().then(
        (response) => callback(null, response),
        (error: unknown) =>
          callback({ code: grpc.status.INVALID_ARGUMENT, details: (error as Error).message }),
      );
    },
    heartbeat: (call, callback) => {
      if (!call.request.ok) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'malformed' });
      const peer = peerOf(call);
      if (!peer)
        return callback({ code: grpc.status.UNAUTHENTICATED, details: 'client certificate required' });
      stub.heartbeats.push({ request: call.request.value, peer });
      const answer = stub.heartbeatAnswer(call.request.value);
      if ('error' in answer) return callback({ code: answer.error, details: answer.details });
      callback(null, answer);
    },
    getPolicy: (call, callback) => {
      if (!call.request.ok) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'malformed' });
      const peer = peerOf(call);
      if (!peer)
        return callback({ code: grpc.status.UNAUTHENTICATED, details: 'client certificate required' });
      stub.policyRequests.push({ request: call.request.value, peer });
      const answer = stub.policyAnswer(call.request.value);
      if ('error' in answer) return callback({ code: answer.error, details: answer.details });
      callback(null, { policy: answer });
    },
  };
  const server = new grpc.Server();
  server.addService(agentControlDefinition, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  stub.url = `grpcs://127.0.0.1:${port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      setTimeout(() => server.forceShutdown(), 1_000).unref();
    });
  return stub;
}
