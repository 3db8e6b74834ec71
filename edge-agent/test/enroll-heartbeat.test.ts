// The enrolled agent's heartbeats and signed policies against a real gRPC server over real mTLS on loopback
// (test/support/agent-control-stub.ts stands in for the control plane): the heartbeat carries the spool figures
// and is sent with the enrolled certificate; a policy with a bad signature, for another agent or older than the
// running one is refused and the running one kept; a good one is saved, the agent asks to restart, and the next
// start runs it; a revoked agent keeps running and logs once.
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { inosec, type IPolicy } from '@inosec/protos';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../src/agent/agent.js';
import { agentCli } from '../src/cli/agent-cli.js';
import { loadAgentConfig } from '../src/config/agent.config.js';
import { loadStoredPolicy } from '../src/control/policy-store.js';
import { SyntheticSensor } from '../src/sensors/synthetic/synthetic-sensor.js';
import {
  createPolicySigner,
  signPolicy,
  startAgentControlStub,
  type AgentControlStub,
} from './support/agent-control-stub.js';

const AGENT = 'agent-hb-1';
const Sensor = inosec.v1.Sensor;
const State = inosec.v1.SensorStatus.State;

let stub: AgentControlStub;
let dir: string;
let stateDir: string;
let envFile: string;
let collectorPort: number;
const logs: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'info' },
  { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
);

function policy(version: number, extra: Partial<IPolicy> = {}): IPolicy {
  return {
    version,
    agentId: AGENT,
    tenantId: 'tenant-test',
    sensors: [{ sensor: Sensor.SENSOR_METRICS, enabled: false }],
    heartbeatIntervalSeconds: 1,
    ...extra,
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until GetPolicy was called again and a heartbeat followed it (the answer has been handled by then). */
async function nextPolicyRound(): Promise<void> {
  const policies = stub.policyRequests.length;
  await waitFor('a GetPolicy call', () => stub.policyRequests.length > policies);
  const heartbeats = stub.heartbeats.length;
  await waitFor('the heartbeat after it', () => stub.heartbeats.length > heartbeats);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function start(restarts: string[]): Promise<RunningAgent> {
  const env = parseEnv(await readFile(envFile, 'utf8'));
  const config = loadAgentConfig({
    ...env,
    // Nothing listens there: the events stay spooled, and the spool figures are known.
    INOSEC_TRANSPORT: `grpcs://127.0.0.1:${collectorPort}`,
  });
  return startAgent({
    config,
    logger,
    version: '9.9.9',
    sensors: [{ kind: 0, sensor: new SyntheticSensor({ total: 25, rate: 0 }), policy: { enabled: true } }],
    onRestart: (reason) => restarts.push(reason),
    controlTiming: { firstDelayMs: 0, initialBackoffMs: 100, maxBackoffMs: 600 },
    statusIntervalMs: 60_000,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-heartbeat-'));
  stateDir = path.join(dir, 'state');
  envFile = path.join(dir, 'agent.env');
  collectorPort = await closedPort();
  stub = await startAgentControlStub();
  stub.nextAgentId = AGENT;
  stub.policyAnswer = () => signPolicy(policy(3), stub.signer);
  const err: string[] = [];
  const code = await agentCli(
    [
      'enroll',
      '--server',
      stub.url,
      '--token',
      'tenant-1.token-for-heartbeat-tests',
      '--ca-sha256',
      stub.ca.sha256,
      '--config',
      envFile,
    ],
    { out: () => undefined, err: (t) => err.push(t), env: { INOSEC_AGENT_STATE_DIR: stateDir } },
    pino({ level: 'silent' }),
  );
  expect(err).toEqual([]);
  expect(code).toBe(0);
}, 20_000);

afterAll(async () => {
  await stub?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('heartbeats and signed policies', () => {
  it('reports the spool over mTLS with the enrolled certificate, refuses bad policies and applies a good one', async () => {
    const restarts: string[] = [];
    stub.heartbeatAnswer = () => ({ desiredPolicyVersion: 3, nextHeartbeatSeconds: 1 });
    const agent = await start(restarts);
    try {
      // 1. The heartbeat: spool figures, policy version, sensors, over mTLS with the certificate enroll wrote.
      const seen = await waitFor('a heartbeat with the 25 spooled events', () =>
        stub.heartbeats.find((h) => Number(h.request.spoolEvents) === 25),
      );
      const request = seen.request;
      expect(request.agentId).toBe(AGENT);
      expect(request.agentVersion).toBe('9.9.9');
      expect(Number(request.lastSeq)).toBe(25);
      expect(Number(request.lastAckedSeq)).toBe(0);
      expect(Number(request.droppedEvents)).toBe(0);
      expect(Number(request.spoolBytes)).toBeGreaterThan(0);
      expect(Number(request.memoryRssBytes)).toBeGreaterThan(10_000_000);
      expect(Number(request.policyVersion)).toBe(3);
      expect(Math.abs(Number(request.timeUnixUs) / 1000 - Date.now())).toBeLessThan(10_000);
      expect(request.sensors.map((s) => [s.sensor, s.state])).toEqual([
        [Sensor.SENSOR_METRICS, State.STATE_DISABLED],
      ]);
      const enrolled = new X509Certificate(await readFile(path.join(stateDir, 'agent.crt')));
      expect(seen.peer?.fingerprint256).toBe(enrolled.fingerprint256);
      expect(seen.peer?.subject.CN).toBe(AGENT);
      expect(stub.policyRequests).toHaveLength(1); // the one made by enroll: 3 is already running

      const signedBefore = await readFile(path.join(stateDir, 'policy.signed'));

      // 2. A bad signature (another key under the known key id), asked for by a REFRESH_POLICY command.
      const impostor = createPolicySigner(stub.signer.keyId);
      stub.policyAnswer = () => signPolicy(policy(5), impostor);
      let sent = false;
      stub.heartbeatAnswer = () => {
        const commands = sent
          ? []
          : [{ id: 'cmd-refresh-1', kind: inosec.v1.AgentCommand.Kind.KIND_REFRESH_POLICY }];
        sent = true;
        return { desiredPolicyVersion: 5, nextHeartbeatSeconds: 1, commands };
      };
      const reported = await waitFor('the refresh command result', () =>
        stub.heartbeats.flatMap((h) => h.request.commandResults).find((r) => r.commandId === 'cmd-refresh-1'),
      );
      expect(reported.success).toBe(false);
      expect(reported.message).toContain('signature does not verify');
      expect(logs.some((l) => l.reason === 'bad_signature')).toBe(true);

      // 3. Another agent's policy, properly signed.
      stub.policyAnswer = () => signPolicy(policy(5, { agentId: 'agent-someone-else' }), stub.signer);
      await nextPolicyRound();
      expect(logs.some((l) => l.reason === 'wrong_agent')).toBe(true);

      // 4. An older version than the running one (a rollback).
      stub.policyAnswer = () => signPolicy(policy(2), stub.signer);
      await nextPolicyRound();
      expect(logs.some((l) => l.reason === 'rollback')).toBe(true);

      // 5. Expired.
      stub.policyAnswer = () =>
        signPolicy(policy(5, { expiresUnixUs: (Date.now() - 1_000) * 1000 }), stub.signer);
      await nextPolicyRound();
      expect(logs.some((l) => l.reason === 'expired')).toBe(true);

      // None of them replaced the running policy.
      expect(restarts).toEqual([]);
      expect((await readFile(path.join(stateDir, 'policy.signed'))).equals(signedBefore)).toBe(true);
      expect(Number(stub.heartbeats.at(-1)?.request.policyVersion)).toBe(3);
      // Each refusal is logged once, not once per heartbeat.
      expect(logs.filter((l) => l.reason === 'wrong_agent')).toHaveLength(1);

      // 6. A good one: saved, then the agent asks to restart.
      stub.policyAnswer = () =>
        signPolicy(policy(5, { sensors: [{ sensor: Sensor.SENSOR_PROCESS, enabled: false }] }), stub.signer);
      await waitFor('a restart request', () => restarts.length > 0);
      expect(restarts).toEqual(['policy version 5']);
      expect(Number((await loadStoredPolicy(stateDir, AGENT))?.version)).toBe(5);
      const json = JSON.parse(await readFile(path.join(stateDir, 'policy.json'), 'utf8')) as {
        version: number;
      };
      expect(json.version).toBe(5);
    } finally {
      await agent.stop();
    }
  }, 20_000);

  it('runs the saved policy after the restart, and a revoked agent keeps running and logs once', async () => {
    const restarts: string[] = [];
    stub.heartbeatAnswer = () => ({ desiredPolicyVersion: 5, nextHeartbeatSeconds: 1 });
    const before = stub.heartbeats.length;
    const agent = await start(restarts);
    try {
      const first = await waitFor('a heartbeat', () => stub.heartbeats[before]);
      expect(Number(first.request.policyVersion)).toBe(5);
      expect(first.request.sensors.map((s) => [s.sensor, s.state])).toEqual([
        [Sensor.SENSOR_PROCESS, State.STATE_DISABLED],
      ]);

      logs.length = 0;
      stub.heartbeatAnswer = () => ({ error: grpc.status.PERMISSION_DENIED, details: 'agent revoked' });
      const refused = stub.heartbeats.length;
      await waitFor('three refused heartbeats', () => stub.heartbeats.length >= refused + 3);
      expect(logs.filter((l) => String(l.msg).includes('refuses this agent'))).toHaveLength(1);
      expect(agent.status().running).toBe(true);
      expect(restarts).toEqual([]);

      // Un-revoked (or a transient refusal): heartbeats go on.
      stub.heartbeatAnswer = () => ({ desiredPolicyVersion: 5, nextHeartbeatSeconds: 1 });
      const resumed = stub.heartbeats.length;
      await waitFor('a heartbeat after the refusals', () => stub.heartbeats.length > resumed);
    } finally {
      await agent.stop();
    }
  }, 20_000);
});
