// A real control plane for API tests: an embedded PostgreSQL with both migration streams, the application's
// least-privilege login role, a local SMTP server that keeps every message, and the NestJS server on a free
// loopback port. Seeding goes through the admin connection (fixtures); every assertion goes through HTTP.
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { EmbeddedPostgres, TELEMETRY_MIGRATIONS } from '@inosec/collector';
import { migrate } from '@inosec/protos';
import { AccessTokens } from '../../src/auth/access-tokens.js';
import { BUILTIN_ROLES } from '../../src/auth/permissions.js';
import { loadControlPlaneConfig } from '../../src/config/control-plane.config.js';
import { CONTROL_PLANE_MIGRATIONS } from '../../src/database/migrations.js';
import { startControlPlaneServer, type ControlPlaneServer } from '../../src/http/control-plane-server.js';
import { createControlPlaneMetrics } from '../../src/metrics/metrics.registry.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { freePort } from './processes.js';

/** A message the SMTP server received. */
export interface CaughtMail {
  from: string;
  to: string[];
  /** Decoded headers and body (quoted-printable undone). */
  subject: string;
  text: string;
  raw: string;
}

/** A response, with the body parsed when it is JSON. */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface SeededTenant {
  id: string;
  slug: string;
  roles: Record<string, string>;
}

export interface SeededUser {
  id: string;
  tenantId: string;
  email: string;
  password: string;
}

export interface ApiHarness {
  url: string;
  server: ControlPlaneServer;
  pg: EmbeddedPostgres;
  /** Superuser pool: fixtures and tamper tests only. */
  admin: pg.Pool;
  /** The application role's pool (what the server uses). */
  app: pg.Pool;
  dir: string;
  jwtSecret: string;
  secretBox: SecretBox;
  mails: CaughtMail[];
  /** Resolves with the next mail to `to` (or one already received and not yet taken). */
  nextMail(to: string, timeoutMs?: number): Promise<CaughtMail>;
  request<T = unknown>(
    method: string,
    route: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<ApiResponse<T>>;
  /** Creates a tenant with the builtin roles (fixture, through the admin connection). */
  seedTenant(slug?: string): Promise<SeededTenant>;
  /** Creates an active, verified user holding `roles` (fixture). */
  seedUser(
    tenant: SeededTenant,
    options?: { roles?: string[]; email?: string; superAdmin?: boolean },
  ): Promise<SeededUser>;
  /** A session row and a signed access token for `user`, without going through login (fixture). */
  tokenFor(user: SeededUser): Promise<string>;
  close(): Promise<void>;
}

function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function parseMail(raw: string, from: string, to: string[]): CaughtMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
  const qp = /Content-Transfer-Encoding: quoted-printable/i.test(raw);
  const body = raw.slice(split + 4);
  return { from, to, subject, text: qp ? decodeQuotedPrintable(body) : body, raw };
}

function loginUrl(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

/** Starts PostgreSQL, SMTP and the control plane; `env` overrides control-plane variables. */
export async function startApiHarness(env: Record<string, string> = {}): Promise<ApiHarness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-api-'));
  await chmod(dir, 0o755);
  const postgres = new EmbeddedPostgres({
    dataDir: path.join(dir, 'postgres'),
    secretsDir: path.join(dir, 'secrets'),
    port: await freePort(),
    logger: pino({ level: 'silent' }),
    stopTimeoutMs: 10_000,
  });
  await postgres.start();
  const admin = new pg.Pool({ connectionString: postgres.url, max: 4 });
  admin.on('error', () => undefined);
  const { version } = await migrate(admin, CONTROL_PLANE_MIGRATIONS);
  await migrate(admin, TELEMETRY_MIGRATIONS);
  const appPassword = randomBytes(12).toString('hex');
  await admin.query(`CREATE ROLE api_app LOGIN PASSWORD '${appPassword}' IN ROLE inosec_app`);
  const app = new pg.Pool({ connectionString: loginUrl(postgres.url, 'api_app', appPassword), max: 10 });
  app.on('error', () => undefined);

  const mails: CaughtMail[] = [];
  const waiters: Array<{ to: string; resolve: (mail: CaughtMail) => void }> = [];
  const taken = new Set<CaughtMail>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address);
        const mail = parseMail(Buffer.concat(chunks).toString('utf8'), from, to);
        mails.push(mail);
        const at = waiters.findIndex((w) => to.includes(w.to));
        if (at >= 0) {
          const [waiter] = waiters.splice(at, 1);
          taken.add(mail);
          waiter?.resolve(mail);
        }
        callback();
      });
    },
  });
  const smtpPort = await freePort();
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));

  const jwtSecret = randomBytes(32).toString('base64url');
  const secretBox = new SecretBox(randomBytes(32));
  const config = loadControlPlaneConfig({
    INOSEC_HTTP_HOST: '127.0.0.1',
    INOSEC_HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    INOSEC_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    INOSEC_MAIL_FROM: 'InoSec Test <no-reply@inosec.test>',
    INOSEC_PUBLIC_URL: 'https://console.inosec.test',
    ...env,
  });
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const server = await startControlPlaneServer({
    config,
    pool: app,
    metrics: createControlPlaneMetrics(app, 'test'),
    logger,
    schemaVersion: version,
    context: { jwtSecret, secretBox, dataDir: dir, publicUrl: 'https://console.inosec.test' },
  });
  const tokens = new AccessTokens(jwtSecret, config.INOSEC_ACCESS_TOKEN_TTL_SECONDS);

  const harness: ApiHarness = {
    url: server.url,
    server,
    pg: postgres,
    admin,
    app,
    dir,
    jwtSecret,
    secretBox,
    mails,
    nextMail(to, timeoutMs = 10_000) {
      const ready = mails.find((m) => m.to.includes(to) && !taken.has(m));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no mail to ${to} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          to,
          resolve: (mail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        });
      });
    },
    async request<T>(
      method: string,
      route: string,
      options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
    ): Promise<ApiResponse<T>> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers['authorization'] = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(`${server.url}${route}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      const parsed = type.includes('json') && text !== '' ? (JSON.parse(text) as unknown) : text;
      return { status: response.status, headers: response.headers, body: parsed as T };
    },
    async seedTenant(slug = `t-${randomUUID().slice(0, 8)}`) {
      const id = randomUUID();
      const client = await admin.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO inosec.tenants (id, slug, name) VALUES ($1, $2, $3)`, [
          id,
          slug,
          `Tenant ${slug}`,
        ]);
        const roles: Record<string, string> = {};
        for (const role of BUILTIN_ROLES) {
          const { rows } = await client.query<{ id: string }>(
            `INSERT INTO inosec.roles (tenant_id, name, description, permissions, builtin)
             VALUES ($1, $2, $3, $4, true) RETURNING id`,
            [id, role.name, role.description, role.permissions],
          );
          roles[role.name] = rows[0]!.id;
        }
        await client.query('COMMIT');
        return { id, slug, roles };
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    async seedUser(tenant, options = {}) {
      const email = options.email ?? `user-${randomUUID().slice(0, 8)}@${tenant.slug}.test`;
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const { rows } = await admin.query<{ id: string }>(
        `INSERT INTO inosec.users (tenant_id, email, password_hash, status, email_verified_at, is_super_admin)
         VALUES ($1, $2, $3, 'active', now(), $4) RETURNING id`,
        [tenant.id, email, await hash(password), options.superAdmin ?? false],
      );
      const id = rows[0]!.id;
      for (const role of options.roles ?? ['admin']) {
        const roleId = tenant.roles[role];
        if (roleId === undefined) throw new Error(`no role ${role} in ${tenant.slug}`);
        await admin.query(`INSERT INTO inosec.user_roles (tenant_id, user_id, role_id) VALUES ($1, $2, $3)`, [
          tenant.id,
          id,
          roleId,
        ]);
      }
      return { id, tenantId: tenant.id, email, password };
    },
    async tokenFor(user) {
      const { rows } = await admin.query<{ id: string }>(
        `INSERT INTO inosec.sessions (tenant_id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day') RETURNING id`,
        [user.tenantId, user.id],
      );
      return tokens.issue({ userId: user.id, tenantId: user.tenantId, sessionId: rows[0]!.id });
    },
    async close() {
      await server.close().catch(() => undefined);
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await app.end().catch(() => undefined);
      await admin.end().catch(() => undefined);
      await postgres.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
