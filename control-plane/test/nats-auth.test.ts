// NATS decentralized auth against a real nats-server in operator mode (JetStream on, memory resolver): agent
// credentials publish only on the agent's own subject and read only the agent's own inbox, the collector's
// credentials consume the TELEMETRY stream, revoked / expired / foreign / mismatched credentials are refused.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { COLLECTOR_CONSUMER, TELEMETRY_STREAM, ensureTelemetryStream } from '@inosec/collector';
import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { decode, type Account, type Operator } from '@nats-io/jwt';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../src/security/secret-box.js';
import {
  NatsAuthError,
  authorityPublicKeys,
  createNatsAuthority,
  encodeTelemetryAccountJwt,
  type NatsAuthority,
  parseNatsAuthority,
} from '../src/nats-auth/nats-authority.js';
import { loadNatsAuthority, natsAuthorityFile } from '../src/nats-auth/nats-authority-store.js';
import { pruneRevocations, revokeUser } from '../src/nats-auth/nats-revocation.js';
import { renderNatsServerConfig } from '../src/nats-auth/nats-server-config.js';
import {
  TELEMETRY_STREAM_NAME,
  agentInboxPrefix,
  issueAgentCredentials,
  issueCollectorCredentials,
  parseCreds,
  type IssuedNatsCredentials,
} from '../src/nats-auth/nats-user-credentials.js';
import { startOperatorNatsServer, type OperatorNatsServer } from './support/nats-operator-server.js';

const tenant = randomUUID();
let authority: NatsAuthority;
let server: OperatorNatsServer;
const open: NatsConnection[] = [];
const issued = new Map<string, IssuedNatsCredentials>();

async function agentCreds(agentId: string): Promise<IssuedNatsCredentials> {
  let creds = issued.get(agentId);
  if (!creds) {
    creds = await issueAgentCredentials(authority, { tenantId: tenant, agentId });
    issued.set(agentId, creds);
  }
  return creds;
}

/** Connects with a creds text; `errors` collects the server's asynchronous errors (permission violations). */
async function connectWith(
  creds: string,
  options: { inboxPrefix?: string } = {},
): Promise<{ nc: NatsConnection; errors: string[] }> {
  const nc = await connect({
    servers: server.url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
    reconnect: false,
    ...options,
  });
  open.push(nc);
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error') errors.push(s.error.message);
    }
  })();
  return { nc, errors };
}

async function refusal(creds: string): Promise<string> {
  return connectWith(creds).then(
    ({ nc }) => (void nc.close(), 'connected'),
    (error: Error) => error.message,
  );
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Messages per subject in the TELEMETRY stream, read with the collector's credentials. */
async function subjectsInStream(nc: NatsConnection): Promise<Record<string, number>> {
  const info = await (await jetstreamManager(nc)).streams.info(TELEMETRY_STREAM, { subjects_filter: '>' });
  return info.state.subjects ?? {};
}

let collector: NatsConnection;

beforeAll(async () => {
  authority = await createNatsAuthority('inosec-test');
  server = await startOperatorNatsServer(authority);
  const creds = await issueCollectorCredentials(authority, { name: 'test-1' });
  ({ nc: collector } = await connectWith(creds.creds));
  await ensureTelemetryStream(await jetstreamManager(collector), {});
}, 30_000);

afterAll(async () => {
  for (const nc of open) await nc.close().catch(() => undefined);
  await server?.destroy();
});

describe('issued credentials', () => {
  it('renders a .creds file whose JWT is signed by the account signing key, expires in a year and is not a bearer token', async () => {
    const creds = await agentCreds('agent-a');
    const parsed = parseCreds(creds.creds);
    const keys = authorityPublicKeys(authority);
    expect(parsed.userPublicKey).toBe(creds.userPublicKey);
    expect(parsed.claims.iss).toBe(keys.accountSigningKey);
    expect(parsed.claims.iss).not.toBe(keys.account);
    expect(parsed.claims.nats.issuer_account).toBe(keys.account);
    expect(parsed.claims.nats.pub).toEqual({ allow: ['telemetry.agent-a'], deny: [] });
    expect(parsed.claims.nats.sub).toEqual({ allow: ['_INBOX_agent-a.>'], deny: [] });
    expect(parsed.claims.nats.bearer_token).toBe(false);
    expect(parsed.claims.nats.tags).toEqual([`tenant:${tenant}`, 'agent:agent-a']);
    const year = (parsed.claims.exp ?? 0) - parsed.claims.iat;
    expect(year).toBe(365 * 86_400);
    expect(creds.expiresAt.getTime() - creds.issuedAt.getTime()).toBe(365 * 86_400_000);
    expect(creds.creds).toMatch(
      /^-----BEGIN NATS USER JWT-----\n[\w-]+\.[\w-]+\.[\w-]+\n------END NATS USER JWT------\n/,
    );
    expect(creds.creds).toMatch(
      /-----BEGIN USER NKEY SEED-----\nSU[A-Z2-7]{56}\n------END USER NKEY SEED------\n$/,
    );

    const account = decode<Account>(await encodeTelemetryAccountJwt(authority));
    expect(account.iss).toBe(keys.operator);
    expect(account.nats.signing_keys).toEqual([keys.accountSigningKey]);
    expect(account.nats.limits?.disallow_bearer).toBe(true);
    expect(account.nats.limits?.disk_storage).toBe(-1);
    const operator = decode<Operator>(authority.operatorJwt);
    expect(operator.nats.system_account).toBe(keys.systemAccount);
    expect(operator.sub).toBe(keys.operator);
  });

  it('refuses creds files that are incomplete, tampered or pair a JWT with another user seed', async () => {
    const a = await agentCreds('agent-a');
    const b = await agentCreds('agent-b');
    const seedOfB = /SU[A-Z2-7]{56}/.exec(b.creds)?.[0] ?? '';
    const mixed = a.creds.replace(/SU[A-Z2-7]{56}/, seedOfB);
    expect(() => parseCreds(mixed)).toThrow(/does not belong to the JWT's user/);
    expect(() => parseCreds(a.creds.split('************************* IMPORTANT')[0] ?? '')).toThrow(
      /no USER NKEY SEED block/,
    );
    expect(() => parseCreds('hello')).toThrow(NatsAuthError);
    const [head, body, sig] = a.jwt.split('.');
    const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as {
      nats: { pub: { allow: string[] } };
    };
    claims.nats.pub.allow = ['telemetry.>'];
    const forged = `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    expect(() => parseCreds(a.creds.replace(a.jwt, forged))).toThrow(/not a valid NATS JWT/);
    // The server refuses them too: a JWT with another user's seed cannot sign the nonce; a forged JWT fails its signature.
    expect(await refusal(mixed)).toMatch(/Authorization Violation/i);
    expect(await refusal(a.creds.replace(a.jwt, forged))).toMatch(/Authorization Violation/i);
  });

  it('refuses agent ids that are not one subject token, bad tenants and lifetimes past a year', async () => {
    for (const agentId of ['a.b', 'a*', '>', '', 'a b', '-a', 'x'.repeat(129)]) {
      await expect(issueAgentCredentials(authority, { tenantId: tenant, agentId })).rejects.toThrow(
        NatsAuthError,
      );
    }
    await expect(issueAgentCredentials(authority, { tenantId: 'acme', agentId: 'ok' })).rejects.toThrow(
      /UUID/,
    );
    await expect(
      issueAgentCredentials(authority, { tenantId: tenant, agentId: 'ok', ttlSeconds: 365 * 86_400 + 1 }),
    ).rejects.toThrow(/from 60 to/);
    await expect(
      issueAgentCredentials(authority, { tenantId: tenant, agentId: 'x'.repeat(128) }),
    ).resolves.toBeDefined();
  });
});

describe('permissions on a real nats-server', () => {
  it("lets agent A publish on telemetry.A and the collector's consumer receives it", async () => {
    const { nc, errors } = await connectWith((await agentCreds('agent-a')).creds, {
      inboxPrefix: agentInboxPrefix('agent-a'),
    });
    const ack = await jetstream(nc, { timeout: 3_000 }).publish(
      'telemetry.agent-a',
      new TextEncoder().encode('batch-1'),
      {
        msgID: 'agent-a:1-1',
      },
    );
    expect(ack.stream).toBe(TELEMETRY_STREAM);
    expect(errors).toEqual([]);

    const consumer = await jetstream(collector).consumers.get(TELEMETRY_STREAM, COLLECTOR_CONSUMER);
    const msg: JsMsg | null = await consumer.next({ expires: 5_000 });
    expect(msg?.subject).toBe('telemetry.agent-a');
    expect(new TextDecoder().decode(msg?.data)).toBe('batch-1');
    // The collector may acknowledge (its $JS.ACK permission): the work-queue message leaves the stream.
    expect(await msg?.ackAck()).toBe(true);
    await until(async () => (await subjectsInStream(collector))['telemetry.agent-a'] === undefined);
  });

  it("refuses agent A publishing on telemetry.B: a permissions violation, and nothing reaches B's subject", async () => {
    const { nc, errors } = await connectWith((await agentCreds('agent-a')).creds, {
      inboxPrefix: agentInboxPrefix('agent-a'),
    });
    const js = jetstream(nc, { timeout: 1_500 });
    await expect(js.publish('telemetry.agent-b', new TextEncoder().encode('forged'))).rejects.toThrow();
    nc.publish('telemetry.agent-b', new TextEncoder().encode('forged too'));
    await nc.flush();
    await until(() =>
      errors.some((e) => /permissions violation for publish to "telemetry\.agent-b"/i.test(e)),
    );
    // Near miss: its own subject still works on the same connection.
    await js.publish('telemetry.agent-a', new TextEncoder().encode('batch-2'));
    const subjects = await subjectsInStream(collector);
    expect(subjects['telemetry.agent-b']).toBeUndefined();
    expect(subjects['telemetry.agent-a']).toBe(1);
    // Nor may it publish anywhere else: the JetStream API, another inbox, the alert bus.
    for (const subject of [
      '$JS.API.STREAM.DELETE.TELEMETRY',
      '_INBOX_agent-b.x',
      'inosec.alerts.x',
      'telemetry.agent-a.x',
    ]) {
      nc.publish(subject, new Uint8Array(1));
      await until(() => errors.some((e) => e.includes(`"${subject}"`)));
    }
    await expect((await jetstreamManager(collector)).streams.info(TELEMETRY_STREAM)).resolves.toBeDefined();
  });

  it("refuses agent A subscribing to telemetry.>, the default inbox or another agent's inbox", async () => {
    const { nc, errors } = await connectWith((await agentCreds('agent-a')).creds, {
      inboxPrefix: agentInboxPrefix('agent-a'),
    });
    for (const subject of ['telemetry.>', 'telemetry.agent-b', '_INBOX.>', '_INBOX_agent-b.>', '>']) {
      const sub = nc.subscribe(subject);
      await until(() =>
        errors.some((e) => e.includes(`Permissions Violation for Subscription to "${subject}"`)),
      );
      expect(sub.isClosed()).toBe(true);
    }
    // Near miss: its own inbox is allowed, and JetStream acks reach it there.
    const own = nc.subscribe(`${agentInboxPrefix('agent-a')}.test`);
    await nc.flush();
    expect(own.isClosed()).toBe(false);
    // Without the agent's inbox prefix the publish ack cannot reach it: the publish times out.
    const { nc: plain } = await connectWith((await agentCreds('agent-a')).creds);
    await expect(
      jetstream(plain, { timeout: 1_500 }).publish('telemetry.agent-a', new Uint8Array(1)),
    ).rejects.toThrow();
  });

  it("keeps the collector from publishing telemetry in an agent's name", async () => {
    const { nc, errors } = await connectWith(
      (await issueCollectorCredentials(authority, { name: 'test-2' })).creds,
    );
    nc.publish('telemetry.agent-a', new Uint8Array(1));
    await until(() =>
      errors.some((e) => /permissions violation for publish to "telemetry\.agent-a"/i.test(e)),
    );
  });

  it('refuses expired credentials and credentials of another operator', async () => {
    const expired = await issueAgentCredentials(authority, {
      tenantId: tenant,
      agentId: 'agent-old',
      ttlSeconds: 60,
      now: new Date(Date.now() - 120_000),
    });
    expect(await refusal(expired.creds)).toMatch(/Authorization Violation|expired/i);
    const foreign = await issueAgentCredentials(await createNatsAuthority('other'), {
      tenantId: tenant,
      agentId: 'agent-a',
    });
    expect(await refusal(foreign.creds)).toMatch(/Authorization Violation/i);
  });

  it('refuses a revoked agent after the account JWT with its revocation is loaded, and keeps the others', async () => {
    const c = await agentCreds('agent-c');
    const d = await agentCreds('agent-d');
    expect(await refusal(c.creds)).toBe('connected');
    const revoked = await revokeUser(authority, {}, c.userPublicKey);
    expect(Object.keys(revoked.revocations)).toEqual([c.userPublicKey]);
    expect(decode<Account>(revoked.accountJwt).nats.revocations).toEqual(revoked.revocations);
    await server.reconfigure({ revocations: revoked.revocations });
    expect(await refusal(c.creds)).toMatch(/Authorization Violation/i);
    expect(await refusal(d.creds)).toBe('connected');
    // Credentials issued to the same agent after the revocation carry a new user key and work.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const renewed = await issueAgentCredentials(authority, { tenantId: tenant, agentId: 'agent-c' });
    expect(await refusal(renewed.creds)).toBe('connected');
    await expect(revokeUser(authority, {}, 'not-a-key')).rejects.toThrow(NatsAuthError);
  });
});

describe('revocation list and server config', () => {
  it('prunes revocations older than the longest credential lifetime', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const s = now.getTime() / 1_000;
    const kept = pruneRevocations({ UOLD: s - 365 * 86_400 - 1, UEDGE: s - 365 * 86_400, UNEW: s - 10 }, now);
    expect(kept).toEqual({ UEDGE: s - 365 * 86_400, UNEW: s - 10 });
  });

  it('renders a full resolver and refuses values that would need quoting', async () => {
    const text = await renderNatsServerConfig(authority, {
      jetstream: { storeDir: '/var/lib/nats' },
      resolver: { type: 'full', dir: '/var/lib/nats/jwt' },
      serverName: 'nats-1',
      tls: { certFile: '/etc/nats/tls.crt', keyFile: '/etc/nats/tls.key' },
    });
    expect(text).toContain('  type: full\n  dir: "/var/lib/nats/jwt"');
    expect(text).toContain(`system_account: "${authorityPublicKeys(authority).systemAccount}"`);
    expect(text).not.toMatch(/S[OAU][A-Z2-7]{56}/); // no seed in the server config
    await expect(
      renderNatsServerConfig(authority, {
        jetstream: { storeDir: '/x"\ninclude /etc/passwd' },
        resolver: { type: 'memory' },
      }),
    ).rejects.toThrow(/quotes/);
    await expect(
      renderNatsServerConfig(authority, {
        jetstream: { storeDir: '/x' },
        resolver: { type: 'memory' },
        port: 70_000,
      }),
    ).rejects.toThrow(/1-65535/);
  });
});

describe('authority store', () => {
  it('seals the authority in <dataDir>/nats (0600), reads it back, and refuses another data key', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'inosec-nats-store-'));
    try {
      const box = new SecretBox(randomBytes(32));
      await expect(loadNatsAuthority({ dataDir, secretBox: box })).rejects.toThrow(/no NATS authority/);
      const [first, second] = await Promise.all([
        loadNatsAuthority({ dataDir, secretBox: box, create: true }),
        loadNatsAuthority({ dataDir, secretBox: box, create: true }),
      ]);
      expect(second).toEqual(first);
      expect(await loadNatsAuthority({ dataDir, secretBox: box })).toEqual(first);
      const file = natsAuthorityFile(dataDir);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const sealed = await readFile(file, 'utf8');
      expect(sealed).not.toContain(first.operatorSeed);
      await expect(loadNatsAuthority({ dataDir, secretBox: new SecretBox(randomBytes(32)) })).rejects.toThrow(
        /does not open/,
      );
      await writeFile(file, box.seal('{"version":1}', 'nats-authority:v1'));
      await expect(loadNatsAuthority({ dataDir, secretBox: box })).rejects.toThrow(/malformed/);
      expect(() =>
        parseNatsAuthority(JSON.stringify({ ...first, accountSeed: `SA${'A'.repeat(56)}` })),
      ).toThrow(/accountSeed is not a valid nkey seed/);
      const other = await createNatsAuthority();
      expect(() => parseNatsAuthority(JSON.stringify({ ...first, operatorJwt: other.operatorJwt }))).toThrow(
        /operatorJwt is not the operator's JWT/,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

it('agrees with the collector on the stream name', () => {
  expect(TELEMETRY_STREAM_NAME).toBe(TELEMETRY_STREAM);
});
