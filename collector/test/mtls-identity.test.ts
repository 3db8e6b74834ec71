// How the collector maps a client certificate to an agent, on a collector-only database (no control-plane
// schema): an enrolled agent is pinned to the SHA-256 of its certificate, so a re-issued certificate for the same
// CN is refused; a legacy agent (no certificate on record) is accepted on chain and CN; a revocation refuses the
// next stream at once (no cache); telemetry.agent_identity treats tenants as active without inosec.tenants.
// (The full enrollment flow, with tenant URI SANs and a real control plane, is control-plane/test/fleet-enrollment.)
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { EventBatch, inosec } from '@inosec/protos';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../src/collector.js';
import { loadCollectorConfig } from '../src/config/collector.config.js';
import { peerCertificateIdentity } from '../src/grpc/grpc-ingest-server.js';
import { findAgent } from '../src/storage/telemetry.repository.js';
import { createTestPki, type Pem, type TestPki } from './support/certs.js';
import { makeBatch } from './support/events.js';
import { ingestClient, openStream } from './support/grpc-client.js';
import { enrollAgent, startTestDatabase, testPool, type TestDatabase } from './support/postgres.js';

const Status = inosec.v1.PushAck.Status;
let db: TestDatabase;
let pki: TestPki;
let collector: RunningCollector;
const tenant = randomUUID();
const clients: grpc.Client[] = [];

beforeAll(async () => {
  [db, pki] = await Promise.all([startTestDatabase(), createTestPki()]);
  const config = loadCollectorConfig({
    DATABASE_URL: db.ingestUrl,
    INOSEC_GRPC_PORT: '0',
    INOSEC_GRPC_TLS_CERT: pki.server.certPath,
    INOSEC_GRPC_TLS_KEY: pki.server.keyPath,
    INOSEC_GRPC_TLS_CA: pki.ca.certPath,
    INOSEC_COLLECTOR_ENCODE_THREADS: '0',
    INOSEC_DETECTION_RULE_DIRS: 'none',
  });
  collector = await startCollector({ config, logger: pino({ level: 'silent' }) });
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await collector?.stop();
  await db?.stop();
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

function sha256(pem: Pem): Buffer {
  return createHash('sha256').update(new X509Certificate(pem.cert).raw).digest();
}

async function pushOnce(
  pem: Pem,
  agentId: string,
  firstSeq: number,
): Promise<{ stored?: boolean; code?: grpc.status; details?: string }> {
  const client = ingestClient(collector.grpcPort, pki.ca.cert, pem);
  clients.push(client);
  const stream = openStream(client);
  stream.send(EventBatch.encode(makeBatch(agentId, firstSeq, 2)).finish());
  try {
    const ack = await stream.nextAck();
    stream.close();
    return { stored: ack.status === Status.STATUS_STORED };
  } catch {
    const status = await stream.ended;
    return { code: status.code, details: status.details };
  }
}

describe('collector mTLS identity', () => {
  it('pins an enrolled agent to its certificate: a re-issued one for the same CN is refused', async () => {
    const enrolled = await pki.agent('pinned-1');
    await db.admin.query(
      `INSERT INTO telemetry.agents (agent_id, tenant_id, cert_sha256) VALUES ('pinned-1', $1, $2)`,
      [tenant, sha256(enrolled)],
    );
    const reissued = await pki.agent('pinned-1'); // same CA, same CN, new key and certificate
    const refused = await pushOnce(reissued, 'pinned-1', 3);
    expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(refused.details).toMatch(/not the one enrolled/);
  });

  it('refuses the pinned certificate itself when it names no tenant (enrollment certificates always do)', async () => {
    const pem = await pki.agent('pinned-2');
    await db.admin.query(
      `INSERT INTO telemetry.agents (agent_id, tenant_id, cert_sha256) VALUES ('pinned-2', $1, $2)`,
      [tenant, sha256(pem)],
    );
    const refused = await pushOnce(pem, 'pinned-2', 1);
    expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(refused.details).toMatch(/names no tenant/);
  });

  it('accepts a legacy agent (no certificate on record) on chain and CN, not a certificate from another CA', async () => {
    await enrollAgent(db.admin, 'legacy-1', tenant);
    expect(await pushOnce(await pki.agent('legacy-1'), 'legacy-1', 1)).toEqual({ stored: true });
    const foreign = await pushOnce(await pki.foreignAgent('legacy-1'), 'legacy-1', 3);
    expect(foreign.stored).toBeUndefined();
    expect(foreign.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('refuses a revoked agent at its very next stream (the look-up is not cached)', async () => {
    await enrollAgent(db.admin, 'revoke-me', tenant);
    const pem = await pki.agent('revoke-me');
    expect(await pushOnce(pem, 'revoke-me', 1)).toEqual({ stored: true });
    await db.admin.query(`UPDATE telemetry.agents SET revoked_at = now() WHERE agent_id = 'revoke-me'`);
    const refused = await pushOnce(pem, 'revoke-me', 3);
    expect(refused.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(refused.details).toMatch(/revoked/);
  });

  it('looks agents up through telemetry.agent_identity, which the ingest role may call and nothing more', async () => {
    const ingest = testPool(db.ingestUrl, 1);
    try {
      const pinned = await findAgent(ingest, 'pinned-1');
      expect(pinned).toMatchObject({ tenantId: tenant, revoked: false, tenantActive: true });
      expect(pinned?.certSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(await findAgent(ingest, 'legacy-1')).toEqual({
        agentId: 'legacy-1',
        tenantId: tenant,
        revoked: false,
        tenantActive: true,
      });
      expect(await findAgent(ingest, 'nobody')).toBeUndefined();
      await expect(
        ingest.query(`SELECT telemetry.register_agent('x', $1, $2)`, [tenant, Buffer.alloc(32)]),
      ).rejects.toThrow(/permission denied/);
    } finally {
      await ingest.end();
    }
  });
});

describe('peerCertificateIdentity', () => {
  it('reads CN, the inosec URI SANs and the SHA-256, and ignores other SANs', () => {
    const raw = Buffer.from('certificate bytes');
    const id = peerCertificateIdentity({
      subject: { CN: 'agent-7' },
      subjectaltname: `DNS:agent-7.local, URI:urn:inosec:tenant:${tenant}, URI:urn:inosec:agent:agent-7, URI:https://x`,
      raw,
    });
    expect(id).toEqual({
      commonName: 'agent-7',
      tenants: [tenant],
      agents: ['agent-7'],
      sha256: createHash('sha256').update(raw).digest('hex'),
    });
    expect(peerCertificateIdentity({ subject: { CN: 'a' } })).toBeUndefined();
    expect(
      peerCertificateIdentity({
        subject: { CN: 'a' },
        subjectaltname: 'URI:urn:inosec:tenant:not-a-uuid',
        raw,
      })?.tenants,
    ).toEqual([]);
  });
});
