// `inosec-agent enroll` against a real gRPC server over real TLS on loopback (test/support/agent-control-stub.ts
// stands in for the control plane): trust through the pinned root CA only, the files and modes it writes, and a
// distinct exit code and one-line message for each failure, with nothing sent to a server that is not pinned.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { inosec } from '@inosec/protos';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentCli } from '../src/cli/agent-cli.js';
import { loadAgentConfig } from '../src/config/agent.config.js';
import { loadStoredPolicy } from '../src/control/policy-store.js';
import {
  createTestCa,
  signPolicy,
  startAgentControlStub,
  type AgentControlStub,
} from './support/agent-control-stub.js';

const TOKEN = 'tenant-0001.Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';
const HOST = { hostname: 'edge-01', name: 'edge-01', id: 'machine-1', ip: ['10.0.0.5'] };

let stub: AgentControlStub;
let dir: string;
let run: number;

async function enroll(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await agentCli(
    ['enroll', ...args],
    { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, host: HOST, timeoutMs: 3_000 } as Parameters<
      typeof agentCli
    >[1],
    pino({ level: 'silent' }),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A fresh state directory and config file for each test. */
function paths() {
  const stateDir = path.join(dir, `state-${run}`);
  const config = path.join(dir, `agent-${run}.env`);
  return { stateDir, config };
}

async function writeConfig(config: string, stateDir: string) {
  await writeFile(config, `# site settings\nINOSEC_AGENT_STATE_DIR=${stateDir}\nLOG_LEVEL=info\n`, {
    mode: 0o600,
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-enroll-'));
  stub = await startAgentControlStub();
}, 20_000);

afterAll(async () => {
  await stub.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  run = (run ?? 0) + 1;
  stub.enrolls.length = 0;
  stub.enrollError = undefined;
  stub.nextAgentId = `agent-${run}`;
  stub.policyAnswer = () => ({ error: grpc.status.NOT_FOUND, details: 'no policy' });
});

describe('inosec-agent enroll', () => {
  it('enrolls through the pinned root CA and writes the key (0600), chain, CA, policy keys, policy and env', async () => {
    const { stateDir, config } = paths();
    await writeConfig(config, stateDir);
    stub.policyAnswer = (request) =>
      signPolicy(
        {
          version: 4,
          agentId: `agent-${run}`,
          tenantId: 'tenant-test',
          sensors: [{ sensor: inosec.v1.Sensor.SENSOR_PROCESS, enabled: true, intervalSeconds: 2 }],
          heartbeatIntervalSeconds: 30,
          ...(request.currentVersion === 0 ? {} : { version: 0 }),
        },
        stub.signer,
      );
    const pin = stub.ca.sha256.toUpperCase().match(/../g)?.join(':') ?? '';
    const result = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-sha256',
      pin,
      '--config',
      config,
    ]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`agent id agent-${run}`);
    expect(result.out).toContain('signed policy version 4 verified and saved');
    expect(result.out).toContain(`inosec-agent run --config ${config}`);
    expect(result.out).not.toContain(TOKEN);

    // What the server received.
    expect(stub.enrolls).toHaveLength(1);
    const request = stub.enrolls[0];
    expect(request?.enrollmentToken).toBe(TOKEN);
    expect(request?.csrPem).toContain('BEGIN CERTIFICATE REQUEST');
    expect(request?.agentKind).toBe(inosec.v1.AgentKind.AGENT_KIND_ENDPOINT);
    expect(request?.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(request?.host?.hostname).toBe('edge-01');

    // Files and modes; the private key matches the certificate's public key.
    const mode = async (name: string) => (await stat(path.join(stateDir, name))).mode & 0o777;
    expect(await mode('agent.key')).toBe(0o600);
    expect(await mode('policy-keys.json')).toBe(0o600);
    expect(await mode('policy.signed')).toBe(0o600);
    expect((await stat(stateDir)).mode & 0o077).toBe(0);
    const key = createPrivateKey(await readFile(path.join(stateDir, 'agent.key')));
    const cert = new X509Certificate(await readFile(path.join(stateDir, 'agent.crt')));
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
    expect(spki(createPublicKey(key)).equals(spki(cert.publicKey))).toBe(true);
    expect(cert.subject).toContain(`CN=agent-${run}`);
    expect(cert.fingerprint256).toBe(
      new X509Certificate(stub.issued.get(`agent-${run}`) ?? '').fingerprint256,
    );
    const ca = await readFile(path.join(stateDir, 'ca.crt'), 'utf8');
    expect(new X509Certificate(ca).fingerprint256.replaceAll(':', '').toLowerCase()).toBe(stub.ca.sha256);
    const keys = JSON.parse(await readFile(path.join(stateDir, 'policy-keys.json'), 'utf8')) as unknown;
    expect(keys).toEqual([{ keyId: stub.signer.keyId, publicKeyPem: stub.signer.publicKeyPem }]);
    const policy = await loadStoredPolicy(stateDir, `agent-${run}`);
    expect(Number(policy?.version)).toBe(4);
    const policyJson = JSON.parse(await readFile(path.join(stateDir, 'policy.json'), 'utf8')) as {
      version: number;
      sensors: Array<{ sensor: string; enabled?: boolean }>;
    };
    expect(policyJson.version).toBe(4);
    expect(policyJson.sensors.filter((s) => s.enabled).map((s) => s.sensor)).toEqual(['SENSOR_PROCESS']);

    // The environment file keeps the site settings and now points at the collector and the control plane.
    const envText = await readFile(config, 'utf8');
    expect(envText).toContain('# site settings');
    const env = parseEnv(envText);
    expect(env.INOSEC_TRANSPORT).toBe('grpcs://127.0.0.1:50051');
    expect(env.INOSEC_CONTROL_URL).toBe(stub.url);
    expect(env.LOG_LEVEL).toBe('info');
    expect(loadAgentConfig(env).INOSEC_CONTROL_URL).toBe(stub.url);
    expect((await stat(config)).mode & 0o777).toBe(0o600);

    // A second enrollment is refused without --force, before anything is sent.
    const again = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-sha256',
      stub.ca.sha256,
      '--config',
      config,
    ]);
    expect(again.code).toBe(73);
    expect(again.err).toMatch(/already enrolled: .*agent\.(key|crt) exists; pass --force/);
    expect(stub.enrolls).toHaveLength(1);

    // With --force it enrolls again; a new agent id retires the old agent's policy.
    stub.nextAgentId = `agent-${run}-b`;
    stub.policyAnswer = () => ({ error: grpc.status.NOT_FOUND, details: 'no policy assigned' });
    const forced = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-sha256',
      stub.ca.sha256,
      '--config',
      config,
      '--force',
    ]);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain(`agent id agent-${run}-b`);
    expect(forced.out).toContain('no policy yet');
    await expect(stat(path.join(stateDir, 'policy.signed'))).rejects.toThrow(/ENOENT/);
    expect(new X509Certificate(await readFile(path.join(stateDir, 'agent.crt'))).subject).toContain(
      `CN=agent-${run}-b`,
    );
  });

  it('refuses a wrong pin before sending the token', async () => {
    const { stateDir, config } = paths();
    await writeConfig(config, stateDir);
    const other = await createTestCa('CN=Someone Else Root CA');
    const result = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-sha256',
      other.sha256,
      '--config',
      config,
    ]);
    expect(result.code).toBe(76);
    expect(result.err).toMatch(
      /^inosec-agent enroll: refusing 127\.0\.0\.1:\d+: none of the 2 certificate\(s\).*nothing was sent$/,
    );
    expect(result.err.split('\n')).toHaveLength(1);
    expect(stub.enrolls).toHaveLength(0);
    await expect(stat(path.join(stateDir, 'agent.key'))).rejects.toThrow(/ENOENT/);
  });

  it("refuses a pin that matches the server's own certificate: it is not a CA", async () => {
    const { stateDir, config } = paths();
    await writeConfig(config, stateDir);
    const result = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-sha256',
      stub.serverSha256,
      '--config',
      config,
    ]);
    expect(result.code).toBe(76);
    expect(result.err).toContain('is not a CA certificate');
    expect(stub.enrolls).toHaveLength(0);
  });

  it('refuses when the server does not present the pinned root in its chain', async () => {
    const bare = await startAgentControlStub({ presentRoot: false });
    try {
      const { stateDir, config } = paths();
      await writeConfig(config, stateDir);
      const result = await enroll([
        '--server',
        bare.url,
        '--token',
        TOKEN,
        '--ca-sha256',
        bare.ca.sha256,
        '--config',
        config,
      ]);
      expect(result.code).toBe(76);
      expect(result.err).toContain('none of the 1 certificate(s)');
      expect(bare.enrolls).toHaveLength(0);
      // The same server is trusted with --ca-file: the root need not be presented then.
      const caFile = path.join(dir, `ca-${run}.pem`);
      await writeFile(caFile, bare.ca.pem);
      const withFile = await enroll([
        '--server',
        bare.url,
        '--token',
        TOKEN,
        '--ca-file',
        caFile,
        '--config',
        config,
      ]);
      expect(withFile.err).toBe('');
      expect(withFile.code).toBe(0);
      expect(bare.enrolls).toHaveLength(1);
    } finally {
      await bare.close();
    }
  });

  it('refuses a --ca-file the server does not chain to, before sending the token', async () => {
    const { stateDir, config } = paths();
    await writeConfig(config, stateDir);
    const caFile = path.join(dir, `other-ca-${run}.pem`);
    await writeFile(caFile, (await createTestCa('CN=Other Root')).pem);
    const result = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-file',
      caFile,
      '--config',
      config,
    ]);
    expect(result.code).toBe(76);
    expect(result.err).toContain('does not verify against the pinned CA');
    expect(stub.enrolls).toHaveLength(0);
    const missing = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-file',
      `${caFile}.nope`,
      '--config',
      config,
    ]);
    expect(missing.code).toBe(66);
  });

  it('reports a refused token with exit code 77 and the server message, without echoing the token', async () => {
    const { stateDir, config } = paths();
    await writeConfig(config, stateDir);
    stub.enrollError = {
      code: grpc.status.PERMISSION_DENIED,
      details: `enrollment token ${TOKEN} was already used\nat 12:00`,
    };
    const result = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-sha256',
      stub.ca.sha256,
      '--config',
      config,
    ]);
    expect(result.code).toBe(77);
    expect(result.err).toBe(
      'inosec-agent enroll: enrollment refused by the control plane (PERMISSION_DENIED): enrollment token [token] was already used at 12:00',
    );
    expect(stub.enrolls).toHaveLength(1);
    await expect(stat(path.join(stateDir, 'agent.key'))).rejects.toThrow(/ENOENT/);

    stub.enrollError = { code: grpc.status.UNAUTHENTICATED, details: 'enrollment token expired' };
    expect(
      (
        await enroll([
          '--server',
          stub.url,
          '--token',
          TOKEN,
          '--ca-sha256',
          stub.ca.sha256,
          '--config',
          config,
        ])
      ).code,
    ).toBe(77);
    stub.enrollError = { code: grpc.status.INVALID_ARGUMENT, details: 'csr_pem: not a PKCS#10 request' };
    const invalid = await enroll([
      '--server',
      stub.url,
      '--token',
      TOKEN,
      '--ca-sha256',
      stub.ca.sha256,
      '--config',
      config,
    ]);
    expect(invalid.code).toBe(65);
    expect(invalid.err).toContain(
      'refused the enrollment request as invalid: csr_pem: not a PKCS#10 request',
    );
    stub.enrollError = { code: grpc.status.RESOURCE_EXHAUSTED, details: 'slow down' };
    expect(
      (
        await enroll([
          '--server',
          stub.url,
          '--token',
          TOKEN,
          '--ca-sha256',
          stub.ca.sha256,
          '--config',
          config,
        ])
      ).code,
    ).toBe(75);
  });

  it('reports an unreachable server with exit code 69', async () => {
    const { stateDir, config } = paths();
    await writeConfig(config, stateDir);
    const port = await closedPort();
    const result = await enroll([
      '--server',
      `grpcs://127.0.0.1:${port}`,
      '--token',
      TOKEN,
      '--ca-sha256',
      stub.ca.sha256,
      '--config',
      config,
    ]);
    expect(result.code).toBe(69);
    expect(result.err).toBe(
      `inosec-agent enroll: cannot reach the control plane at 127.0.0.1:${port}: ECONNREFUSED`,
    );
  });

  it('refuses bad arguments with exit code 64', async () => {
    const bad = async (args: string[]) => (await enroll(args)).code;
    expect(await bad(['--token', TOKEN, '--ca-sha256', stub.ca.sha256])).toBe(64);
    expect(await bad(['--server', stub.url, '--token', TOKEN, '--ca-sha256', 'abcd'])).toBe(64);
    expect(await bad(['--server', stub.url, '--token', TOKEN])).toBe(64);
    expect(
      await bad([
        '--server',
        stub.url.replace('grpcs', 'grpc'),
        '--token',
        TOKEN,
        '--ca-sha256',
        stub.ca.sha256,
      ]),
    ).toBe(64);
    expect(await bad(['--server', stub.url, '--token', 'short', '--ca-sha256', stub.ca.sha256])).toBe(64);
    expect(
      await bad(['--server', stub.url, '--token', TOKEN, '--ca-sha256', stub.ca.sha256, '--bogus']),
    ).toBe(64);
    expect(stub.enrolls).toHaveLength(0);
  });
});
