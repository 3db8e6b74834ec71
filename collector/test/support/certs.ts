// Test PKI made with the openssl CLI: a CA, a collector server certificate for 127.0.0.1, and agent client
// certificates whose subject CN is the agent id — the shape enrollment issues.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pem {
  cert: Buffer;
  key: Buffer;
  certPath: string;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  ca: Pem;
  server: Pem;
  agent(agentId: string): Promise<Pem>;
  /** A CA that is not trusted by the collector, for a forged certificate. */
  foreignAgent(agentId: string): Promise<Pem>;
}

async function pem(dir: string, name: string): Promise<Pem> {
  const certPath = path.join(dir, `${name}.crt`);
  const keyPath = path.join(dir, `${name}.key`);
  return { cert: await readFile(certPath), key: await readFile(keyPath), certPath, keyPath };
}

/** An EC P-256 private key at <dir>/<name>.key. */
async function generateKey(dir: string, name: string): Promise<void> {
  await run('openssl', [
    'ecparam',
    '-name',
    'prime256v1',
    '-genkey',
    '-noout',
    '-out',
    path.join(dir, `${name}.key`),
  ]);
}

async function issue(dir: string, ca: string, name: string, subject: string, ext: string): Promise<Pem> {
  const extFile = path.join(dir, `${name}.ext`);
  await writeFile(extFile, ext);
  await generateKey(dir, name);
  await run('openssl', [
    'req',
    '-new',
    '-key',
    path.join(dir, `${name}.key`),
    '-subj',
    subject,
    '-out',
    path.join(dir, `${name}.csr`),
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    path.join(dir, `${name}.csr`),
    '-CA',
    path.join(dir, `${ca}.crt`),
    '-CAkey',
    path.join(dir, `${ca}.key`),
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    extFile,
    '-out',
    path.join(dir, `${name}.crt`),
  ]);
  return pem(dir, name);
}

async function makeCa(dir: string, name: string): Promise<Pem> {
  await generateKey(dir, name);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    path.join(dir, `${name}.key`),
    '-subj',
    `/CN=${name}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    path.join(dir, `${name}.crt`),
  ]);
  return pem(dir, name);
}

export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-pki-'));
  const ca = await makeCa(dir, 'test-ca');
  await makeCa(dir, 'foreign-ca');
  const server = await issue(
    dir,
    'test-ca',
    'collector',
    '/CN=collector',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  const clientExt = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n';
  return {
    dir,
    ca,
    server,
    agent: (agentId) => issue(dir, 'test-ca', `agent-${agentId}`, `/CN=${agentId}`, clientExt),
    foreignAgent: (agentId) => issue(dir, 'foreign-ca', `foreign-${agentId}`, `/CN=${agentId}`, clientExt),
  };
}

/** The environment of an agent sending to the collector at 127.0.0.1:`port` over gRPC with mTLS, with its certificate from `pki`. */
export async function grpcAgentEnv(
  pki: TestPki,
  agentId: string,
  port: number,
): Promise<Record<string, string>> {
  const pem = await pki.agent(agentId);
  return {
    INOSEC_TRANSPORT: `grpcs://127.0.0.1:${port}`,
    INOSEC_AGENT_TLS_CERT: pem.certPath,
    INOSEC_AGENT_TLS_KEY: pem.keyPath,
    INOSEC_AGENT_TLS_CA: pki.ca.certPath,
  };
}
