// Enrollment end to end with real servers: token → CSR → certificate from the tenant CA → mTLS Push to a real
// collector; the certificate pins the agent (a forged one for the same id is refused), revocation refuses the next
// connection while other agents keep streaming, spent tokens and other tenants' tokens are refused, heartbeats
// reach the fleet list, and policies verify with the published key.
import { createHash, createPublicKey, verify, webcrypto } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { decodePolicy, inosec } from '@inosec/protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '@inosec/collector';
import { TenantDb } from '../src/database/tenant-db.js';
import { issueAgentCertificate, x509 } from '../src/fleet/certificate-authority.js';
import {
  agentControlClient,
  agentKeyAndCsr,
  callEnroll,
  callGetPolicy,
  callHeartbeat,
  createToken,
  enrollAgent,
  openPushStream,
  pushOneBatch,
  startFleetCollector,
  startFleetHarness,
  type EnrolledAgent,
  type FleetHarness,
} from './support/fleet.js';
import type { SeededTenant } from './support/api-harness.js';

let h: FleetHarness;
let collector: RunningCollector;
let collectorPort: number;
let tenantA: SeededTenant;
let tenantB: SeededTenant;
let adminA: string;
let adminB: string;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  h = await startFleetHarness();
  tenantA = await h.seedTenant();
  tenantB = await h.seedTenant();
  adminA = await h.tokenFor(await h.seedUser(tenantA));
  adminB = await h.tokenFor(await h.seedUser(tenantB));
  ({ collector, port: collectorPort } = await startFleetCollector(h));
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await collector?.stop();
  await h?.close();
});

function client(identity?: { keyPem: string; certChainPem: string }): grpc.Client {
  const c = agentControlClient(h.agentControlPort, h.rootPem, identity);
  clients.push(c);
  return c;
}

async function grpcError(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('the call succeeded');
}

async function storedEvents(agentId: string): Promise<number> {
  const { rows } = await h.admin.query<{ n: string }>(
    'SELECT count(*) AS n FROM telemetry.metrics WHERE agent_id = $1',
    [agentId],
  );
  return Number(rows[0]?.n);
}

describe('enrollment', () => {
  let agent: EnrolledAgent;

  it('issues a tenant-CA certificate whose identity the control plane assigned, and the agent streams over mTLS', async () => {
    const token = await createToken(h, adminA, { description: 'web servers' });
    expect(token.installCommand).toBe(
      `inosec-agent enroll --server grpcs://127.0.0.1:${h.agentControlPort} --token ${token.token} --ca-sha256 ${token.caSha256}`,
    );
    expect(token.caSha256).toBe(
      createHash('sha256')
        .update(Buffer.from(new x509.X509Certificate(h.rootPem).rawData))
        .digest('hex'),
    );
    agent = await enrollAgent(h, token.token, 'Web-01.example.net');
    expect(agent.agentId).toMatch(/^web-01-example-net-[a-z0-9]{8}$/);

    const [leafPem, caPem] = agent.certChainPem
      .split(/(?<=-----END CERTIFICATE-----)\s*/)
      .filter((p) => p.trim());
    const leaf = new x509.X509Certificate(leafPem ?? '');
    const tenantCa = new x509.X509Certificate(caPem ?? '');
    const root = new x509.X509Certificate(h.rootPem);
    // The CSR asked for CN=whatever-i-claim: ignored.
    expect(leaf.subjectName.getField('CN')).toEqual([agent.agentId]);
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.names.items.map((n) => n.value).sort()).toEqual(
      [`urn:inosec:agent:${agent.agentId}`, `urn:inosec:tenant:${tenantA.id}`].sort(),
    );
    expect(leaf.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([
      x509.ExtendedKeyUsage.clientAuth,
    ]);
    expect(leaf.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    const days = (leaf.notAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(366);
    expect(agent.response.certificateExpiresUnixUs).toBe(leaf.notAfter.getTime() * 1000);
    // Chain: leaf ← tenant CA ← root.
    expect(await leaf.verify({ publicKey: tenantCa.publicKey, signatureOnly: true })).toBe(true);
    expect(await tenantCa.verify({ publicKey: root.publicKey, signatureOnly: true })).toBe(true);
    expect(tenantCa.getExtension(x509.BasicConstraintsExtension)?.pathLength).toBe(0);
    expect(await root.isSelfSigned()).toBe(true);
    expect(agent.response.caCertificatePem).toBe(h.rootPem);
    expect(agent.response.collectorUrls).toEqual(['grpcs://127.0.0.1:50051']);
    expect(agent.response.policySigningKeys).toHaveLength(1);

    const { rows } = await h.admin.query<{ cert_sha256: Buffer; tenant_id: string }>(
      'SELECT cert_sha256, tenant_id::text FROM telemetry.agents WHERE agent_id = $1',
      [agent.agentId],
    );
    expect(rows[0]?.tenant_id).toBe(tenantA.id);
    expect(rows[0]?.cert_sha256.toString('hex')).toBe(
      createHash('sha256').update(Buffer.from(leaf.rawData)).digest('hex'),
    );

    const pushed = await pushOneBatch(collectorPort, h.rootPem, agent, 1, 3);
    expect(pushed.status).toBeUndefined();
    expect(pushed.ack?.status).toBe(inosec.v1.PushAck.Status.STATUS_STORED);
    expect(await storedEvents(agent.agentId)).toBe(3);

    const audit = await h.admin.query<{ outcome: string; actor_id: string }>(
      `SELECT outcome, actor_id FROM inosec.audit_log WHERE action = 'agent.enroll' AND resource_id = $1`,
      [agent.agentId],
    );
    expect(audit.rows).toEqual([{ outcome: 'success', actor_id: agent.agentId }]);
  });

  it('refuses a certificate the tenant CA signed for an existing agent id with another key (fingerprint pin)', async () => {
    // Only someone holding the tenant CA key could make this; it still must not pass as the agent.
    const client = await h.server.app
      .get(TenantDb)
      .tx({ tenantId: tenantA.id }, (c) => h.pki.tenantCa(c, tenantA.id));
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const forged = await issueAgentCertificate({
      ca: client,
      publicKey: await x509.PublicKey.create(keys.publicKey),
      tenantId: tenantA.id,
      agentId: agent.agentId,
      days: 30,
    });
    const keyPem = x509.PemConverter.encode(
      await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
      'PRIVATE KEY',
    );
    const forgedAgent = {
      agentId: agent.agentId,
      keyPem,
      certChainPem: `${forged.toString('pem')}\n${client.pem}`,
    };
    const pushed = await pushOneBatch(collectorPort, h.rootPem, forgedAgent, 100, 1);
    expect(pushed.status?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(pushed.status?.details).toMatch(/not the one enrolled/);
    const beat = await grpcError(callHeartbeat(clientWith(forgedAgent), { agentId: agent.agentId }));
    expect(beat.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await storedEvents(agent.agentId)).toBe(3);
  });

  it('refuses a certificate from an untrusted CA at the TLS handshake', async () => {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const selfSigned = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=${agent.agentId}`,
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
    });
    const keyPem = x509.PemConverter.encode(
      await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
      'PRIVATE KEY',
    );
    const pushed = await pushOneBatch(
      collectorPort,
      h.rootPem,
      { agentId: agent.agentId, keyPem, certChainPem: selfSigned.toString('pem') },
      200,
      1,
    );
    expect(pushed.ack).toBeUndefined();
    expect(pushed.status?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('records heartbeats in the fleet list and answers the desired policy version', async () => {
    const answer = await callHeartbeat(clientWith(agent), {
      agentId: 'someone-else',
      agentVersion: '0.2.0',
      uptimeSeconds: 120,
      timeUnixUs: Date.now() * 1000,
      spoolBytes: 4096,
      spoolEvents: 17,
      droppedEvents: 2,
      lastSeq: 40,
      lastAckedSeq: 23,
      cpuPercent: 1.5,
      memoryRssBytes: 50_000_000,
      policyVersion: 0,
      sensors: [
        {
          sensor: inosec.v1.Sensor.SENSOR_PROCESS,
          state: inosec.v1.SensorStatus.State.STATE_DEGRADED,
          message: 'no eBPF',
          events: 9,
        },
      ],
    });
    expect(answer.nextHeartbeatSeconds).toBe(60);
    expect(answer.desiredPolicyVersion).toBeGreaterThan(0);
    const list = await h.request<{ items: Array<Record<string, unknown>> }>(
      'GET',
      '/api/fleet/agents?status=online',
      {
        token: adminA,
      },
    );
    expect(list.status).toBe(200);
    const row = list.body.items.find((a) => a['id'] === agent.agentId);
    expect(row).toMatchObject({
      status: 'online',
      version: '0.2.0',
      os: 'Debian GNU/Linux 12 (linux)',
      hostName: 'Web-01.example.net',
      queueDepthEvents: 17,
      droppedEvents: 2,
      backlog: 17,
      policyVersion: 0,
      desiredPolicyVersion: answer.desiredPolicyVersion,
      sensors: [{ sensor: 'process', state: 'degraded', message: 'no eBPF', events: 9 }],
    });
    // The other tenant sees none of it.
    const other = await h.request<{ items: unknown[] }>('GET', '/api/fleet/agents', { token: adminB });
    expect(other.body.items).toEqual([]);
  });

  it('serves the group policy signed with the published key, for this agent and tenant', async () => {
    const got = await callGetPolicy(clientWith(agent));
    const signed = got.policy;
    expect(signed).toBeTruthy();
    const published = agent.response.policySigningKeys.find((k) => k.keyId === signed?.keyId);
    expect(published).toBeDefined();
    const key = createPublicKey(published?.publicKeyPem as string);
    expect(verify(null, signed?.policy as Uint8Array, key, signed?.signature as Uint8Array)).toBe(true);
    const tampered = Buffer.from(signed?.policy as Uint8Array);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    expect(verify(null, tampered, key, signed?.signature as Uint8Array)).toBe(false);
    const policy = decodePolicy(signed?.policy as Uint8Array);
    expect(policy.agentId).toBe(agent.agentId);
    expect(policy.tenantId).toBe(tenantA.id);
    expect(policy.heartbeatIntervalSeconds).toBe(60);
    expect(policy.sensors.map((s) => s.sensor)).toContain(inosec.v1.Sensor.SENSOR_PROCESS);

    // A new group policy version reaches the agent, and the version only grows.
    const groups = await h.request<{ items: Array<{ id: string; isDefault: boolean }> }>(
      'GET',
      '/api/fleet/groups',
      {
        token: adminA,
      },
    );
    const groupId = groups.body.items.find((g) => g.isDefault)?.id as string;
    const put = await h.request<{ version: number; revision: number }>(
      'PUT',
      `/api/fleet/groups/${groupId}/policy`,
      {
        token: adminA,
        body: {
          sensors: [{ sensor: 'metrics', enabled: true, intervalSeconds: 30 }],
          spoolMaxBytes: 268_435_456,
          batchMaxEvents: 500,
          batchMaxBytes: 262_144,
          batchMaxDelayMs: 500,
          heartbeatIntervalSeconds: 30,
        },
      },
    );
    expect(put.status).toBe(200);
    expect(put.body.revision).toBe(2);
    expect(put.body.version).toBeGreaterThan(Number(policy.version));
    const beat = await callHeartbeat(clientWith(agent), { policyVersion: Number(policy.version) });
    expect(beat.desiredPolicyVersion).toBe(put.body.version);
    expect(beat.nextHeartbeatSeconds).toBe(30);
    const next = decodePolicy((await callGetPolicy(clientWith(agent))).policy?.policy as Uint8Array);
    expect(Number(next.version)).toBe(put.body.version);
    expect(next.sensors).toHaveLength(1);
    expect(next.spoolMaxBytes).toBe(268_435_456);

    // Moving the agent to a group whose latest version is lower still raises the version it sees.
    const created = await h.request<{ id: string }>('POST', '/api/fleet/groups', {
      token: adminA,
      body: { name: 'moved' },
    });
    const older = await h.request<{ version: number }>('PUT', `/api/fleet/groups/${groupId}/policy`, {
      token: adminA,
      body: {
        sensors: [],
        spoolMaxBytes: 1_048_576,
        batchMaxEvents: 1,
        batchMaxBytes: 1024,
        batchMaxDelayMs: 10,
        heartbeatIntervalSeconds: 10,
      },
    });
    expect(older.body.version).toBeGreaterThan(put.body.version);
    const moved = await h.request<{ desiredPolicyVersion: number; groupId: string }>(
      'PATCH',
      `/api/fleet/agents/${agent.agentId}`,
      {
        token: adminA,
        body: { groupId: created.body.id },
      },
    );
    expect(moved.status).toBe(200);
    const afterMove = decodePolicy((await callGetPolicy(clientWith(agent))).policy?.policy as Uint8Array);
    expect(Number(afterMove.version)).toBeGreaterThan(older.body.version);
    expect(moved.body.desiredPolicyVersion).toBe(Number(afterMove.version));
  });

  it('refuses a revoked agent at its next connection while another agent keeps streaming', async () => {
    const token = await createToken(h, adminA, { maxUses: 2 });
    const doomed = await enrollAgent(h, token.token, 'doomed');
    const survivor = await enrollAgent(h, token.token, 'survivor');
    expect((await pushOneBatch(collectorPort, h.rootPem, doomed, 1, 2)).ack?.status).toBe(
      inosec.v1.PushAck.Status.STATUS_STORED,
    );
    const revoked = await h.request<{ status: string; revokedAt: string }>(
      'POST',
      `/api/fleet/agents/${doomed.agentId}/revoke`,
      {
        token: adminA,
        body: { reason: 'laptop stolen' },
      },
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const refused = await pushOneBatch(collectorPort, h.rootPem, doomed, 3, 2);
    expect(refused.status?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(refused.status?.details).toMatch(/revoked/);
    const beat = await grpcError(callHeartbeat(clientWith(doomed), {}));
    expect(beat.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await pushOneBatch(collectorPort, h.rootPem, survivor, 1, 2)).ack?.status).toBe(
      inosec.v1.PushAck.Status.STATUS_STORED,
    );
    expect(await storedEvents(doomed.agentId)).toBe(2);
    const audit = await h.admin.query(
      `SELECT 1 FROM inosec.audit_log WHERE action = 'agent.revoke' AND resource_id = $1`,
      [doomed.agentId],
    );
    expect(audit.rowCount).toBe(1);
  });

  it('refuses ingest and heartbeats of a suspended tenant, and accepts them again once active', async () => {
    const token = await createToken(h, adminB);
    const agentB = await enrollAgent(h, token.token, 'b-host');
    await h.admin.query(`UPDATE inosec.tenants SET status = 'suspended' WHERE id = $1`, [tenantB.id]);
    try {
      const refused = await pushOneBatch(collectorPort, h.rootPem, agentB, 1, 1);
      expect(refused.status?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect((await grpcError(callHeartbeat(clientWith(agentB), {}))).code).toBe(
        grpc.status.PERMISSION_DENIED,
      );
    } finally {
      await h.admin.query(`UPDATE inosec.tenants SET status = 'active' WHERE id = $1`, [tenantB.id]);
    }
    expect((await pushOneBatch(collectorPort, h.rootPem, agentB, 1, 1)).ack?.status).toBe(
      inosec.v1.PushAck.Status.STATUS_STORED,
    );
  });

  it('a stream opened before the suspension stores nothing after it', async () => {
    const token = await createToken(h, adminB);
    const agentB = await enrollAgent(h, token.token, 'b-open-stream');
    const stream = openPushStream(collectorPort, h.rootPem, agentB);
    try {
      expect((await stream.send(1, 2)).ack?.status).toBe(inosec.v1.PushAck.Status.STATUS_STORED);
      await h.admin.query(`UPDATE inosec.tenants SET status = 'suspended' WHERE id = $1`, [tenantB.id]);
      const refused = await stream.send(3, 2);
      expect(refused.ack?.status).toBe(inosec.v1.PushAck.Status.STATUS_REJECTED);
      expect(refused.ack?.rejection?.message).toMatch(/suspended or archived/);
      // The collector then ends the stream with PERMISSION_DENIED: the agent is told, not left waiting.
      expect((await stream.send(5, 1)).status).toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
        details: expect.stringMatching(/suspended or archived/) as unknown,
      });
    } finally {
      stream.close();
      await h.admin.query(`UPDATE inosec.tenants SET status = 'active' WHERE id = $1`, [tenantB.id]);
    }
    const stored = await h.admin.query<{ seq: string }>(
      'SELECT seq FROM telemetry.metrics WHERE agent_id = $1 ORDER BY seq',
      [agentB.agentId],
    );
    expect(stored.rows.map((r) => Number(r.seq))).toEqual([1, 2]);
    // Active again: the same agent stores once more.
    expect((await pushOneBatch(collectorPort, h.rootPem, agentB, 3, 2)).ack?.status).toBe(
      inosec.v1.PushAck.Status.STATUS_STORED,
    );
  });
});

describe('enrollment refusals', () => {
  it('refuses a used, an expired, a revoked and a made-up token, and audits the spent ones', async () => {
    const used = await createToken(h, adminA);
    await enrollAgent(h, used.token);
    const e1 = await grpcError(enrollAgent(h, used.token));
    expect(e1.code).toBe(grpc.status.UNAUTHENTICATED);

    const expired = await createToken(h, adminA);
    await h.admin.query(
      `UPDATE inosec.enrollment_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expired.id],
    );
    expect((await grpcError(enrollAgent(h, expired.token))).code).toBe(grpc.status.UNAUTHENTICATED);

    const revoked = await createToken(h, adminA);
    expect(
      (await h.request('DELETE', `/api/fleet/enrollment-tokens/${revoked.id}`, { token: adminA })).status,
    ).toBe(204);
    expect((await grpcError(enrollAgent(h, revoked.token))).code).toBe(grpc.status.UNAUTHENTICATED);

    const madeUp = `${tenantA.id}.${'A'.repeat(43)}`;
    expect((await grpcError(enrollAgent(h, madeUp))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await grpcError(enrollAgent(h, 'not-a-token'))).code).toBe(grpc.status.UNAUTHENTICATED);

    const { rows } = await h.admin.query<{ reason: string; token: string }>(
      `SELECT details->>'reason' AS reason, details->>'token' AS token FROM inosec.audit_log
        WHERE action = 'agent.enroll' AND outcome = 'denied' AND tenant_id = $1 ORDER BY id`,
      [tenantA.id],
    );
    expect(rows).toEqual([
      { reason: 'token_invalid', token: 'used_up' },
      { reason: 'token_invalid', token: 'expired' },
      { reason: 'token_invalid', token: 'revoked' },
    ]);
    const leaked = await h.admin.query(
      `SELECT 1 FROM inosec.audit_log WHERE details::text LIKE '%' || $1 || '%'`,
      [used.token.split('.')[1]],
    );
    expect(leaked.rowCount).toBe(0);
  });

  it("cannot enroll into tenant B with tenant A's token", async () => {
    const token = await createToken(h, adminA);
    const secret = token.token.split('.')[1] as string;
    const swapped = `${tenantB.id}.${secret}`;
    expect((await grpcError(enrollAgent(h, swapped))).code).toBe(grpc.status.UNAUTHENTICATED);
    // The genuine token still works once (the failed try spent nothing).
    const ok = await enrollAgent(h, token.token);
    const { rows } = await h.admin.query<{ tenant_id: string }>(
      'SELECT tenant_id::text FROM inosec.agents WHERE id = $1',
      [ok.agentId],
    );
    expect(rows[0]?.tenant_id).toBe(tenantA.id);
  });

  it('refuses a CSR not signed by its key, an unsupported key type and a missing key, without spending the token', async () => {
    const token = await createToken(h, adminA);
    const { csrPem } = await agentKeyAndCsr();
    const der = Buffer.from(x509.PemConverter.decode(csrPem)[0] as ArrayBuffer);
    der.writeUInt8(der.readUInt8(der.length - 5) ^ 0xff, der.length - 5); // inside the signature
    const broken = x509.PemConverter.encode(der, 'CERTIFICATE REQUEST');
    const bad = await grpcError(callEnroll(client(), { enrollmentToken: token.token, csrPem: broken }));
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);

    const rsa = await webcrypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    const rsaCsr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=rsa',
      keys: rsa,
      signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    });
    const unsupported = await grpcError(
      callEnroll(client(), { enrollmentToken: token.token, csrPem: rsaCsr.toString('pem') }),
    );
    expect(unsupported.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(unsupported.details).toMatch(/P-256 and Ed25519/);
    const missing = await grpcError(callEnroll(client(), { enrollmentToken: token.token }));
    expect(missing.code).toBe(grpc.status.INVALID_ARGUMENT);
    const enrolled = await enrollAgent(h, token.token);
    expect(enrolled.agentId).toBeTruthy();
  });

  it('accepts an Ed25519 key with a proof of possession, and refuses a proof over another token', async () => {
    const { generateKeyPairSync, sign } = await import('node:crypto');
    const token = await createToken(h, adminA);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const wrong = sign(null, Buffer.from(`inosec.v1.enroll:${token.token}x`), privateKey);
    const refused = await grpcError(
      callEnroll(client(), { enrollmentToken: token.token, publicKey: { publicKeyPem, signature: wrong } }),
    );
    expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
    const proof = sign(null, Buffer.from(`inosec.v1.enroll:${token.token}`), privateKey);
    const ok = await callEnroll(client(), {
      enrollmentToken: token.token,
      publicKey: { publicKeyPem, signature: proof },
    });
    const leafPem = ok.certificateChainPem.split(/(?<=-----END CERTIFICATE-----)/)[0] ?? '';
    const leaf = new x509.X509Certificate(leafPem);
    expect(createPublicKey(leafPem).asymmetricKeyType).toBe('ed25519');
    expect(leaf.subjectName.getField('CN')).toEqual([ok.agentId]);
  });

  it('refuses Heartbeat and GetPolicy without a client certificate', async () => {
    expect((await grpcError(callHeartbeat(client(), {}))).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await grpcError(callGetPolicy(client()))).code).toBe(grpc.status.UNAUTHENTICATED);
  });
});

function clientWith(agent: { keyPem: string; certChainPem: string }): grpc.Client {
  return client(agent);
}
