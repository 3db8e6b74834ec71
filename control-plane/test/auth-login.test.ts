// Sign-in over HTTP against a real PostgreSQL: tokens, the same refusal for every wrong account name or
// password, account-specific refusals only after a correct password, lockout that answers unknown accounts
// exactly like known ones, the per-address limit, and the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';
import {
  auditRows,
  call,
  comparable,
  comparableHeaders,
  login,
  randomIp,
  type ProblemBody,
} from './support/auth.js';

let h: ApiHarness;
let acme: SeededTenant;
let alice: SeededUser;

beforeAll(async () => {
  h = await startApiHarness({
    INOSEC_LOGIN_MAX_FAILURES: '3',
    INOSEC_LOGIN_LOCKOUT_SECONDS: '60',
    INOSEC_TRUST_PROXY: 'true',
  });
  acme = await h.seedTenant('acme');
  alice = await h.seedUser(acme, { roles: ['analyst'], email: 'alice@acme.test' });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('POST /api/auth/login', () => {
  it('answers a token pair that works, with the user, and records the login', async () => {
    const res = await login(h, 'ACME', ' Alice@Acme.test ', alice.password);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: {
        id: alice.id,
        tenantId: acme.id,
        email: 'alice@acme.test',
        emailVerified: true,
        totpEnabled: false,
      },
    });
    expect(res.body.refreshToken).toMatch(new RegExp(`^${acme.id}\\.[A-Za-z0-9_-]{43}$`));
    expect(Date.parse(res.body.refreshExpiresAt)).toBeGreaterThan(Date.now() + 13 * 86_400_000);

    const me = await call<{
      user: { id: string };
      tenant: { id: string; slug: string; name: string };
      permissions: string[];
      mfa: { enabled: boolean; session: boolean; recoveryCodesLeft: number };
      superAdmin: boolean;
      platformOperator: boolean;
    }>(h, 'GET', '/api/auth/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(alice.id);
    expect(me.body.tenant).toEqual({ id: acme.id, slug: 'acme', name: 'Tenant acme' });
    expect(me.body.permissions).toContain('alerts:write');
    expect(me.body.permissions).not.toContain('users:write');
    expect(me.body.mfa).toEqual({ enabled: false, session: false, recoveryCodesLeft: 0 });
    expect(me.body.superAdmin).toBe(false);
    expect(me.body.platformOperator).toBe(false);

    const { rows } = await h.admin.query<{ n: number; ip: string; ua: string | null }>(
      `SELECT count(*)::int AS n, max(host(ip)) AS ip, max(user_agent) AS ua FROM inosec.sessions
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() + interval '13 days'`,
      [alice.id],
    );
    expect(rows[0]?.n).toBe(1);
    const stored = await h.admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM inosec.refresh_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
      [res.body.refreshToken],
    );
    expect(stored.rows[0]?.n).toBe(1);
    const audit = await auditRows(h, 'auth.login', { tenantId: acme.id, resourceId: alice.id });
    expect(audit.some((a) => a.outcome === 'success' && a.actor_id === alice.id)).toBe(true);
  });

  it('refuses malformed bodies with 400 naming the fields', async () => {
    const missing = await call<ProblemBody>(h, 'POST', '/api/auth/login', { body: { tenant: 'acme' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['body.email', 'body.password']),
    );
    const extra = await call<ProblemBody>(h, 'POST', '/api/auth/login', {
      body: { tenant: 'acme', email: 'alice@acme.test', password: 'x', admin: true },
    });
    expect(extra.status).toBe(400);
    const notEmail = await call(h, 'POST', '/api/auth/login', {
      body: { tenant: 'acme', email: 'alice', password: 'x' },
    });
    expect(notEmail.status).toBe(400);
    const noBody = await call(h, 'POST', '/api/auth/login', {});
    expect(noBody.status).toBe(400);
  });

  it('answers an unknown tenant, an unknown user, a wrong password and a disabled user alike', async () => {
    const bob = await h.seedUser(acme, { roles: ['viewer'] });
    const dave = await h.seedUser(acme, { roles: ['viewer'] });
    await h.admin.query(`UPDATE inosec.users SET status = 'disabled' WHERE id = $1`, [dave.id]);
    const answers = [
      await login<ProblemBody>(h, 'no-such-tenant', bob.email, bob.password),
      await login<ProblemBody>(h, 'acme', 'nobody-here@acme.test', bob.password),
      await login<ProblemBody>(h, 'acme', bob.email, `${bob.password}x`),
      await login<ProblemBody>(h, 'acme', dave.email, dave.password),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(comparable(res.body)).toEqual(comparable(answers[0]?.body));
      expect(comparableHeaders(res.headers)).toEqual(comparableHeaders(answers[0]!.headers));
    }
    expect(answers[0]?.body.code).toBe('invalid_credentials');
    expect(answers[0]?.headers.get('www-authenticate')).toContain('Bearer');

    // Audited with the reason; an unknown tenant on the platform chain as anonymous.
    const platform = await auditRows(h, 'auth.login', { tenantId: null });
    expect(
      platform.some((a) => a.actor_type === 'anonymous' && a.details['reason'] === 'unknown_tenant'),
    ).toBe(true);
    const tenantRows = await auditRows(h, 'auth.login', { tenantId: acme.id });
    const reasons = tenantRows.filter((a) => a.outcome === 'failure').map((a) => a.details['reason']);
    expect(reasons).toEqual(expect.arrayContaining(['unknown_user', 'wrong_password', 'user_not_active']));
  });

  it('spends the same password work on unknown users as on known ones', async () => {
    const carol = await h.seedUser(acme, { roles: ['viewer'] });
    const time = async (email: string) => {
      const start = performance.now();
      const res = await login(h, 'acme', email, 'wrong-password-123');
      expect(res.status).toBe(401);
      return performance.now() - start;
    };
    await time(`warm-${Date.now()}@acme.test`);
    const known = [await time(carol.email), await time(carol.email)];
    const unknown = [
      await time(`ghost-1-${Date.now()}@acme.test`),
      await time(`ghost-2-${Date.now()}@acme.test`),
    ];
    // Without the dummy verification an unknown user answers in a few ms, an order of magnitude faster.
    expect(Math.min(...unknown)).toBeGreaterThan(Math.min(...known) * 0.4);
  });

  it('refuses an unverified email with 403 only after a correct password', async () => {
    const erin = await h.seedUser(acme, { roles: ['viewer'] });
    await h.admin.query('UPDATE inosec.users SET email_verified_at = NULL WHERE id = $1', [erin.id]);
    const wrong = await login<ProblemBody>(h, 'acme', erin.email, `${erin.password}!`);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    const right = await login<ProblemBody>(h, 'acme', erin.email, erin.password);
    expect(right.status).toBe(403);
    expect(right.body.code).toBe('email_not_verified');
  });

  it('refuses sign-in to a suspended or archived tenant with 403 only after a correct password', async () => {
    const paused = await h.seedTenant('paused');
    const frank = await h.seedUser(paused, { roles: ['admin'] });
    const okBefore = await login(h, 'paused', frank.email, frank.password);
    expect(okBefore.status).toBe(200);
    for (const status of ['suspended', 'archived']) {
      await h.admin.query('UPDATE inosec.tenants SET status = $2 WHERE id = $1', [paused.id, status]);
      const wrong = await login<ProblemBody>(h, 'paused', frank.email, 'not-the-password');
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('invalid_credentials');
      const right = await login<ProblemBody>(h, 'paused', frank.email, frank.password);
      expect(right.status).toBe(403);
      expect(right.body.code).toBe('tenant_inactive');
      expect(right.body.detail).toContain(status);
    }
    // The refresh token of the earlier session stops working too.
    const refreshed = await call(h, 'POST', '/api/auth/refresh', {
      body: { refreshToken: okBefore.body.refreshToken },
    });
    expect(refreshed.status).toBe(401);
    await h.admin.query(`UPDATE inosec.tenants SET status = 'active' WHERE id = $1`, [paused.id]);
    expect((await login(h, 'paused', frank.email, frank.password)).status).toBe(200);
  });
});

describe('lockout', () => {
  it('locks a known and an unknown account name alike after 3 failures, even for the right password', async () => {
    const gina = await h.seedUser(acme, { roles: ['viewer'] });
    const ghost = `ghost-${Date.now()}@acme.test`;
    const knownAnswers = [];
    const unknownAnswers = [];
    for (let i = 0; i < 3; i++) {
      knownAnswers.push(await login(h, 'acme', gina.email, `wrong-${i}-password`));
      unknownAnswers.push(await login(h, 'acme', ghost, `wrong-${i}-password`));
    }
    for (let i = 0; i < 3; i++) {
      expect(knownAnswers[i]?.status).toBe(401);
      expect(comparable(knownAnswers[i]?.body)).toEqual(comparable(unknownAnswers[i]?.body));
    }
    const known = await login<ProblemBody>(h, 'acme', gina.email, gina.password);
    const unknown = await login<ProblemBody>(h, 'acme', ghost, gina.password);
    expect(known.status).toBe(429);
    expect(unknown.status).toBe(429);
    expect(known.body.code).toBe('too_many_attempts');
    expect(comparable(known.body)).toEqual(comparable(unknown.body));
    expect(comparableHeaders(known.headers)).toEqual(comparableHeaders(unknown.headers));
    const knownRetry = Number(known.headers.get('retry-after'));
    const unknownRetry = Number(unknown.headers.get('retry-after'));
    expect(knownRetry).toBeGreaterThan(55);
    expect(knownRetry).toBeLessThanOrEqual(60);
    expect(Math.abs(knownRetry - unknownRetry)).toBeLessThanOrEqual(1);

    // Another account is not affected; the locked one recovers when the lock ends.
    expect((await login(h, 'acme', alice.email, alice.password)).status).toBe(200);
    await h.admin.query(`UPDATE inosec.login_throttle SET locked_until = now() - interval '1 second',
      window_started_at = now() - interval '2 minutes'`);
    expect((await login(h, 'acme', gina.email, gina.password)).status).toBe(200);

    const locks = await auditRows(h, 'auth.login', { tenantId: acme.id, resourceId: gina.id });
    expect(locks.some((a) => a.outcome === 'denied' && a.details['reason'] === 'locked')).toBe(true);
    expect(locks.some((a) => a.details['locked'] === true)).toBe(true);
    // The throttle stores keyed digests, never the names.
    const { rows } = await h.admin.query<{ key: Buffer }>('SELECT key FROM inosec.login_throttle');
    for (const row of rows) expect(row.key.toString('latin1')).not.toContain('acme');
  });

  it('a success resets the failure count', async () => {
    const hank = await h.seedUser(acme, { roles: ['viewer'] });
    for (let round = 0; round < 2; round++) {
      expect((await login(h, 'acme', hank.email, 'wrong-password-1')).status).toBe(401);
      expect((await login(h, 'acme', hank.email, 'wrong-password-2')).status).toBe(401);
      expect((await login(h, 'acme', hank.email, hank.password)).status).toBe(200);
    }
    // Without the reset this would be the 5th failure in the window: now it is the 1st.
    expect((await login(h, 'acme', hank.email, 'wrong-password-3')).status).toBe(401);
    expect((await login(h, 'acme', hank.email, hank.password)).status).toBe(200);
  });
});

describe('per-address limit on the public auth routes', () => {
  it('answers 429 rate_limited after 30 requests a minute from one address, not for others', async () => {
    const ip = randomIp();
    const started = Date.now();
    const statuses: number[] = [];
    // The bucket refills one request every 2 s: on a slow machine a few more may pass than 30.
    for (let i = 0; i < 45 && !statuses.includes(429); i++) {
      const res = await call(h, 'POST', '/api/auth/password/forgot', {
        ip,
        body: { tenant: 'acme', email: `spray-${i}@acme.test` },
      });
      statuses.push(res.status);
    }
    const allowed = statuses.filter((s) => s === 202).length;
    expect(allowed).toBeGreaterThanOrEqual(30);
    expect(allowed).toBeLessThanOrEqual(30 + Math.ceil((Date.now() - started) / 2_000));
    expect(statuses.at(-1)).toBe(429);
    // Every public auth route shares the budget: sign-in from the same address is refused too.
    const limited = await login<ProblemBody>(h, 'acme', alice.email, alice.password, ip);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await login(h, 'acme', alice.email, alice.password, randomIp())).status).toBe(200);
  });
});

describe('authenticated routes', () => {
  it('refuse a missing, malformed or forged token with 401', async () => {
    expect((await call(h, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await call(h, 'GET', '/api/auth/me', { token: 'not.a.jwt' })).status).toBe(401);
    const res = await login(h, 'acme', alice.email, alice.password);
    const [head, body] = res.body.accessToken.split('.');
    const forged = `${head}.${body}.${'A'.repeat(43)}`;
    expect((await call(h, 'GET', '/api/auth/me', { token: forged })).status).toBe(401);
    expect((await call(h, 'POST', '/api/auth/logout', { token: forged })).status).toBe(401);
    expect((await call(h, 'POST', '/api/auth/totp/enroll')).status).toBe(401);
    expect((await call(h, 'POST', '/api/auth/password/change', { body: {} })).status).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('lists every auth route with its access', async () => {
    const doc = await call<{ paths: Record<string, Record<string, { 'x-inosec-access': string }>> }>(
      h,
      'GET',
      '/api/openapi.json',
    );
    const paths = doc.body.paths;
    expect(paths['/api/auth/login']?.['post']?.['x-inosec-access']).toBe('public');
    expect(paths['/api/auth/refresh']?.['post']?.['x-inosec-access']).toBe('public');
    expect(paths['/api/auth/sessions/{id}']?.['delete']?.['x-inosec-access']).toBe('authenticated');
    for (const path of [
      '/api/auth/login/totp',
      '/api/auth/logout',
      '/api/auth/logout-all',
      '/api/auth/me',
      '/api/auth/register',
      '/api/auth/verify-email',
      '/api/auth/invite/accept',
      '/api/auth/password/forgot',
      '/api/auth/password/reset',
      '/api/auth/password/change',
      '/api/auth/totp/enroll',
      '/api/auth/totp/activate',
      '/api/auth/totp/disable',
    ]) {
      expect(paths[path], path).toBeDefined();
    }
  });
});
