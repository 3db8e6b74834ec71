// Enrollment issues NATS credentials when agents are told to send over NATS, with a real nats-server in
// operator mode whose trust chain is the include file the control plane writes: the creds publish only on the
// agent's own subject, a revocation through the API reaches the server at once (the control plane rewrites
// the include and signals the server named by its pid file to reload it), the revocation
// list is written only through the tenant-checked definer function, and without a NATS URL nothing is issued.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTelemetryStream } from '@inosec/collector';
import { inosec } from '@inosec/protos';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { decode, type Account } from '@nats-io/jwt';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantDb } from '../src/database/tenant-db.js';
import { AgentControlEndpoint } from '../src/fleet/agent-control-endpoint.js';
import { AgentGroupsService } from '../src/fleet/agent-groups.service.js';
import { AgentsService } from '../src/fleet/agents.service.js';
import { EnrollmentService } from '../src/fleet/enrollment.service.js';
import { FleetPki } from '../src/fleet/fleet-pki.service.js';
import { hasNatsCollector } from '../src/fleet/fleet-nats.js';
import type { ControlPlaneConfig } from '../src/config/control-plane.config.js';
import { loadNatsAuthority, natsAuthorityFile } from '../src/nats-auth/nats-authority-store.js';
import {
  agentInboxPrefix,
  issueCollectorCredentials,
  parseCreds,
} from '../src/nats-auth/nats-user-credentials.js';
import { CONFIG } from '../src/tokens.js';
import type { SeededTenant } from './support/api-harness.js';
import {
  agentKeyAndCsr,
  createToken,
  enrollAgent,
  startFleetHarness,
  type EnrolledAgent,
  type FleetHarness,
} from './support/fleet.js';
import { freePort } from './support/processes.js';

let h: FleetHarness;
let natsDir: string;
let authFile: string;
let pidFile: string;
let natsUrl: string;
let nats: ChildProcess;
let natsLog = '';
let tenantA: SeededTenant;
let tenantB: SeededTenant;
let adminA: string;
let collector: NatsConnection;
const open: NatsConnection[] = [];

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 8_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms: ${natsLog.slice(-1_500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function connectWith(
  creds: string,
  inboxPrefix?: string,
): Promise<{ nc: NatsConnection; errors: string[] }> {
  const nc = await connect({
    servers: natsUrl,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
    ...(inboxPrefix ? { inboxPrefix } : {}),
  });
  open.push(nc);
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'error') errors.push(s.error.message);
  })();
  return { nc, errors };
}

const refusal = (creds: string): Promise<string> =>
  connectWith(creds).then(
    ({ nc }) => (void nc.close(), 'connected'),
    (error: Error) => error.message,
  );

const reloads = (): number => (natsLog.match(/Reloaded server configuration/g) ?? []).length;

beforeAll(async () => {
  natsDir = await mkdtemp(path.join(os.tmpdir(), 'inosec-fleet-nats-'));
  authFile = path.join(natsDir, 'inosec-auth.conf');
  pidFile = path.join(natsDir, 'nats-server.pid');
  const port = await freePort();
  natsUrl = `nats://127.0.0.1:${port}`;
  h = await startFleetHarness({
    INOSEC_COLLECTOR_URLS: `grpcs://127.0.0.1:50051,${natsUrl}`,
    INOSEC_NATS_AUTH_CONFIG: authFile,
    INOSEC_NATS_PID_FILE: pidFile,
  });
  tenantA = await h.seedTenant();
  tenantB = await h.seedTenant();
  adminA = await h.tokenFor(await h.seedUser(tenantA));
  // The operator's step: have the control plane write the trust include, then start nats-server with it.
  const state = await h.server.app.get(AgentsService).natsAccount();
  expect(state.configFile).toBe(authFile);
  expect(state.revocations).toEqual({});
  const main = path.join(natsDir, 'nats-server.conf');
  await writeFile(
    main,
    `host: "127.0.0.1"\nport: ${port}\npid_file: "${pidFile}"\njetstream { store_dir: "${path.join(natsDir, 'js')}" }\ninclude "inosec-auth.conf"\n`,
  );
  nats = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-c', main], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  nats.stderr?.on('data', (chunk: Buffer) => (natsLog = (natsLog + chunk.toString()).slice(-20_000)));
  await until(() => /Server is ready/.test(natsLog), 'nats-server ready');
  // The collector's user, from the same authority the control plane created in its data directory.
  const authority = await loadNatsAuthority({ dataDir: h.dir, secretBox: h.secretBox });
  ({ nc: collector } = await connectWith(
    (await issueCollectorCredentials(authority, { name: 'test' })).creds,
  ));
  await ensureTelemetryStream(await jetstreamManager(collector), {});
}, 120_000);

afterAll(async () => {
  for (const nc of open) await nc.close().catch(() => undefined);
  if (nats && nats.exitCode === null) {
    const exited = new Promise((resolve) => nats.once('exit', resolve));
    nats.kill('SIGTERM');
    await exited;
  }
  await h?.close();
  if (natsDir) await rm(natsDir, { recursive: true, force: true });
});

describe('NATS credentials at enrollment', () => {
  let a: EnrolledAgent;
  let b: EnrolledAgent;

  it('hands the agent its own NATS user, keeps only the public key, and logs no secret', async () => {
    a = await enrollAgent(h, (await createToken(h, adminA)).token, 'nats-a');
    b = await enrollAgent(h, (await createToken(h, adminA)).token, 'nats-b');
    expect(a.response.collectorUrls).toEqual(['grpcs://127.0.0.1:50051', natsUrl]);
    const parsed = parseCreds(a.response.natsCredentials);
    expect(parsed.claims.nats.pub).toEqual({ allow: [`telemetry.${a.agentId}`], deny: [] });
    expect(parsed.claims.nats.sub).toEqual({ allow: [`_INBOX_${a.agentId}.>`], deny: [] });
    expect(parsed.claims.nats.tags).toEqual([`tenant:${tenantA.id}`, `agent:${a.agentId}`]);
    expect(parseCreds(b.response.natsCredentials).userPublicKey).not.toBe(parsed.userPublicKey);

    const { rows } = await h.admin.query<{ nats_user_key: string; nats_expires_at: Date }>(
      'SELECT nats_user_key, nats_expires_at FROM inosec.agents WHERE id = $1',
      [a.agentId],
    );
    expect(rows[0]?.nats_user_key).toBe(parsed.userPublicKey);
    expect(rows[0]?.nats_expires_at.getTime()).toBe((parsed.claims.exp ?? 0) * 1_000);
    const audit = await h.admin.query<{ details: { natsUserKey?: string } }>(
      `SELECT details FROM inosec.audit_log WHERE action = 'agent.enroll' AND resource_id = $1`,
      [a.agentId],
    );
    expect(audit.rows[0]?.details.natsUserKey).toBe(parsed.userPublicKey);
    // Neither the seed nor the JWT is stored anywhere the control plane writes.
    const seed = /SU[A-Z2-7]{56}/.exec(a.response.natsCredentials)?.[0] ?? 'missing';
    const leaks = await h.admin.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM inosec.audit_log WHERE details::text LIKE '%' || $1 || '%' OR details::text LIKE '%' || $2 || '%')
            + (SELECT count(*) FROM inosec.agents a WHERE a::text LIKE '%' || $1 || '%') AS n`,
      [seed, parsed.jwt],
    );
    expect(leaks.rows[0]?.n).toBe('0');
    // The authority was created sealed, 0600, and the include file holds no seed.
    expect((await stat(natsAuthorityFile(h.dir))).mode & 0o777).toBe(0o600);
    expect(await readFile(natsAuthorityFile(h.dir), 'utf8')).not.toMatch(/S[OAU][A-Z2-7]{56}/);
    expect(await readFile(authFile, 'utf8')).not.toMatch(/S[OAU][A-Z2-7]{56}/);
  });

  it("publishes on its own telemetry subject and is refused on another agent's", async () => {
    const { nc, errors } = await connectWith(a.response.natsCredentials, agentInboxPrefix(a.agentId));
    const js = jetstream(nc, { timeout: 3_000 });
    const ack = await js.publish(`telemetry.${a.agentId}`, new TextEncoder().encode('batch'));
    expect(ack.stream).toBe('TELEMETRY');
    nc.publish(`telemetry.${b.agentId}`, new TextEncoder().encode('forged'));
    await until(
      () => errors.some((e) => e.includes(`Permissions Violation for Publish to "telemetry.${b.agentId}"`)),
      'the permissions violation',
    );
    const info = await (
      await jetstreamManager(collector)
    ).streams.info('TELEMETRY', { subjects_filter: '>' });
    expect(info.state.subjects?.[`telemetry.${a.agentId}`]).toBe(1);
    expect(info.state.subjects?.[`telemetry.${b.agentId}`]).toBeUndefined();
    await nc.close();
  });

  it('refuses the revoked agent once the control plane has the server reload, and keeps the others', async () => {
    const key = parseCreds(a.response.natsCredentials).userPublicKey;
    expect(await refusal(a.response.natsCredentials)).toBe('connected');
    const before = await readFile(authFile, 'utf8');
    const reloadsBefore = reloads();
    const res = await h.request<{ status: string }>('POST', `/api/fleet/agents/${a.agentId}/revoke`, {
      token: adminA,
      body: { reason: 'stolen' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('revoked');
    const written = await readFile(authFile, 'utf8');
    expect(written).not.toBe(before);
    expect((await stat(authFile)).mode & 0o777).toBe(0o600);

    const state = await h.server.app.get(AgentsService).natsAccount();
    expect(Object.keys(state.revocations)).toEqual([key]);
    const account = decode<Account>(state.accountJwt);
    expect(account.sub).toBe(state.account);
    expect(account.nats.revocations?.[key]).toBe(state.revocations[key]);
    expect(written).toContain(`${state.account}: "`);

    expect(state.reloadSignalled).toBe(true);
    // The control plane signalled the server named by the pid file: it reloads without the operator.
    await until(() => reloads() > reloadsBefore, 'nats-server reloaded by the control plane');
    expect(await refusal(a.response.natsCredentials)).toMatch(/Authorization Violation/i);
    expect(await refusal(b.response.natsCredentials)).toBe('connected');

    const audit = await h.admin.query<{ details: { natsUserKey?: string } }>(
      `SELECT details FROM inosec.audit_log WHERE action = 'agent.revoke' AND resource_id = $1`,
      [a.agentId],
    );
    expect(audit.rows.map((r) => r.details.natsUserKey)).toEqual([key]);
    // Revoking again changes nothing.
    expect(
      (await h.request('POST', `/api/fleet/agents/${a.agentId}/revoke`, { token: adminA, body: {} })).status,
    ).toBe(200);
    expect(Object.keys((await h.server.app.get(AgentsService).natsAccount()).revocations)).toEqual([key]);
  });

  it('writes revocations only through the definer, for revoked agents of the transaction tenant', async () => {
    const db = h.server.app.get(TenantDb);
    const count = async () =>
      Number(
        (await h.admin.query<{ n: string }>('SELECT count(*) AS n FROM inosec.nats_revocations')).rows[0]?.n,
      );
    const n = await count();
    // Another tenant cannot revoke tenant A's agent b; tenant A cannot revoke a live (unrevoked) agent.
    const call = (tenantId: string, agentId: string) =>
      db.tx(
        { tenantId },
        async (c) =>
          (await c.query<{ k: string | null }>('SELECT inosec.revoke_agent_nats_user($1) AS k', [agentId]))
            .rows[0]?.k,
      );
    expect(await call(tenantB.id, b.agentId)).toBeNull();
    expect(await call(tenantA.id, b.agentId)).toBeNull();
    expect(await count()).toBe(n);
    await expect(
      db.unscoped((c) => c.query('SELECT inosec.revoke_agent_nats_user($1)', [b.agentId])),
    ).rejects.toThrow(/no tenant/);
    const key = parseCreds(b.response.natsCredentials).userPublicKey;
    await expect(
      db.tx({ tenantId: tenantA.id }, (c) =>
        c.query('INSERT INTO inosec.nats_revocations (user_key, tenant_id, agent_id) VALUES ($1, $2, $3)', [
          key,
          tenantA.id,
          b.agentId,
        ]),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      db.tx({ tenantId: tenantB.id }, (c) =>
        c.query('SELECT tenant_id, agent_id FROM inosec.nats_revocations'),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      db.tx({ tenantId: tenantA.id }, (c) => c.query('DELETE FROM inosec.nats_revocations')),
    ).rejects.toThrow(/permission denied/);
    // Any tenant reads the keys and times (public: they are in the account JWT every server loads).
    const visible = await db.tx({ tenantId: tenantB.id }, (c) =>
      c.query<{ user_key: string }>('SELECT user_key FROM inosec.nats_revocations'),
    );
    expect(visible.rows).toHaveLength(n);
    expect(await count()).toBe(n);
  });
});

describe('without a NATS collector URL', () => {
  it('issues no NATS credentials and stores no NATS user', async () => {
    expect(hasNatsCollector(['grpcs://c:50051'])).toBe(false);
    expect(hasNatsCollector(['grpcs://c:50051', 'tls://c:4222'])).toBe(true);
    const app = h.server.app;
    const config = app.get<ControlPlaneConfig>(CONFIG);
    const grpcOnly = { ...config, INOSEC_COLLECTOR_URLS: 'grpcs://127.0.0.1:50051' };
    const service = new EnrollmentService(
      app.get(TenantDb),
      app.get(FleetPki),
      app.get(AgentGroupsService),
      new AgentControlEndpoint(grpcOnly),
      pino({ level: 'silent' }),
      grpcOnly,
      { dataDir: h.dir, secretBox: h.secretBox },
    );
    const { csrPem } = await agentKeyAndCsr();
    const response = await service.enroll(
      inosec.v1.EnrollRequest.create({
        enrollmentToken: (await createToken(h, adminA)).token,
        csrPem,
        host: { hostname: 'grpc-only' },
        agentKind: inosec.v1.AgentKind.AGENT_KIND_ENDPOINT,
      }),
      '127.0.0.1:40000',
    );
    expect(response.collectorUrls).toEqual(['grpcs://127.0.0.1:50051']);
    expect(response.natsCredentials ?? '').toBe('');
    const { rows } = await h.admin.query<{ nats_user_key: string | null; nats_expires_at: Date | null }>(
      'SELECT nats_user_key, nats_expires_at FROM inosec.agents WHERE id = $1',
      [response.agentId],
    );
    expect(rows).toEqual([{ nats_user_key: null, nats_expires_at: null }]);
    const revocations = Object.keys((await app.get(AgentsService).natsAccount()).revocations).length;
    expect(
      (
        await h.request('POST', `/api/fleet/agents/${response.agentId ?? ''}/revoke`, {
          token: adminA,
          body: {},
        })
      ).status,
    ).toBe(200);
    expect(Object.keys((await app.get(AgentsService).natsAccount()).revocations)).toHaveLength(revocations);
  });
});
