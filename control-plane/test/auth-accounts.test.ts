// Account lifecycle over HTTP with real mail: self-registration with email verification, invitations, forgotten
// and changed passwords, and the password policy. Links are read from the messages the SMTP server received.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueUserToken } from '../src/auth/user-tokens.js';
import { startApiHarness, type ApiHarness, type SeededTenant } from './support/api-harness.js';
import { auditRows, call, linkToken, login, type ProblemBody, type Tokens } from './support/auth.js';

let h: ApiHarness;
let open: SeededTenant;
let closed: SeededTenant;

beforeAll(async () => {
  h = await startApiHarness({
    INOSEC_LOGIN_MAX_FAILURES: '3',
    INOSEC_LOGIN_LOCKOUT_SECONDS: '60',
    INOSEC_TRUST_PROXY: 'true',
  });
  open = await h.seedTenant('open');
  closed = await h.seedTenant('closed');
  await h.admin.query(
    `UPDATE inosec.tenants SET self_registration = true, allowed_email_domains = '{open.test}' WHERE id = $1`,
    [open.id],
  );
  await h.admin.query(`UPDATE inosec.tenants SET allowed_email_domains = '{closed.test}' WHERE id = $1`, [
    closed.id,
  ]);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const PASSWORD = 'a long enough passphrase';

function register(body: Record<string, unknown>) {
  return call<ProblemBody & { status: string }>(h, 'POST', '/api/auth/register', { body });
}

/** True when a mail to `to` arrives within `ms`. */
async function mailArrives(to: string, ms = 1_500): Promise<boolean> {
  return h.nextMail(to, ms).then(
    () => true,
    () => false,
  );
}

describe('registration', () => {
  it('creates an unverified viewer; the mailed link verifies it once; sign-in works only after', async () => {
    const email = 'Newcomer@Open.test';
    const res = await register({ tenant: 'open', email, password: PASSWORD, displayName: 'New Comer' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted' });

    const { rows } = await h.admin.query<{
      id: string;
      password_hash: string;
      email_verified_at: Date | null;
      display_name: string;
      roles: string[];
    }>(
      `SELECT u.id::text, u.password_hash, u.email_verified_at, u.display_name,
              array(SELECT r.name FROM inosec.user_roles ur JOIN inosec.roles r ON r.id = ur.role_id
                     WHERE ur.user_id = u.id) AS roles
         FROM inosec.users u WHERE u.tenant_id = $1 AND u.email = 'newcomer@open.test'`,
      [open.id],
    );
    const user = rows[0]!;
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(user.email_verified_at).toBeNull();
    expect(user.display_name).toBe('New Comer');
    expect(user.roles).toEqual(['viewer']);

    const early = await login<ProblemBody>(h, 'open', email, PASSWORD);
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('email_not_verified');

    const mail = await h.nextMail('newcomer@open.test');
    expect(mail.subject).toContain('Verify your email');
    const token = linkToken(mail, '/verify-email');
    expect(mail.text).not.toContain(PASSWORD);
    const verified = await call(h, 'POST', '/api/auth/verify-email', { body: { token } });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ status: 'ok', tenant: 'open', email: 'newcomer@open.test' });
    const twice = await call<ProblemBody>(h, 'POST', '/api/auth/verify-email', { body: { token } });
    expect(twice.status).toBe(400);
    expect(twice.body.code).toBe('invalid_token');

    const signedIn = await login(h, 'open', email, PASSWORD);
    expect(signedIn.status).toBe(200);
    const me = await call<{ permissions: string[] }>(h, 'GET', '/api/auth/me', {
      token: signedIn.body.accessToken,
    });
    expect(me.body.permissions).toContain('alerts:read');
    expect(me.body.permissions).not.toContain('alerts:write');

    expect(
      (await auditRows(h, 'auth.register', { tenantId: open.id, resourceId: user.id }))[0]?.outcome,
    ).toBe('success');
    expect(await auditRows(h, 'auth.verify_email', { tenantId: open.id, resourceId: user.id })).toHaveLength(
      1,
    );
  });

  it('answers 202 for an address that has an account and mails its owner a notice instead', async () => {
    const first = await register({ tenant: 'open', email: 'twice@open.test', password: PASSWORD });
    await h.nextMail('twice@open.test');
    const second = await register({
      tenant: 'open',
      email: 'twice@open.test',
      password: 'another passphrase!',
    });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    const notice = await h.nextMail('twice@open.test');
    expect(notice.subject).toContain('tried to register');
    expect(notice.text).not.toMatch(/token=/);
    const { rows } = await h.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inosec.users WHERE email = 'twice@open.test'`,
    );
    expect(rows[0]?.n).toBe(1);
    // The original password still stands.
    expect((await login<ProblemBody>(h, 'open', 'twice@open.test', 'another passphrase!')).status).toBe(401);
  });

  it('is closed (403 registration_closed) without self-registration, for other domains and unknown tenants', async () => {
    for (const body of [
      { tenant: 'closed', email: 'x@closed.test', password: PASSWORD },
      { tenant: 'open', email: 'x@elsewhere.test', password: PASSWORD },
      { tenant: 'open', email: 'x@sub.open.test', password: PASSWORD },
      { tenant: 'nowhere', email: 'x@open.test', password: PASSWORD },
    ]) {
      const res = await register(body);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.body.code).toBe('registration_closed');
    }
    expect(await mailArrives('x@closed.test', 500)).toBe(false);
  });

  it('enforces the password policy with a body that explains it', async () => {
    const short = await register({ tenant: 'open', email: 'short@open.test', password: 'too short' });
    expect(short.status).toBe(400);
    expect(short.body.errors?.[0]).toMatchObject({ path: 'body.password' });
    expect(short.body.errors?.[0]?.message).toContain('12 to 256 characters');
    const long = await register({ tenant: 'open', email: 'long@open.test', password: 'x'.repeat(257) });
    expect(long.status).toBe(400);
    const same = await register({
      tenant: 'open',
      email: 'Same.Person@open.test',
      password: 'same.person@open.test',
    });
    expect(same.status).toBe(422);
    expect(same.body.code).toBe('weak_password');
    expect(same.body.detail).toContain('not the account');
    const edge = await register({ tenant: 'open', email: 'edge@open.test', password: 'x'.repeat(12) });
    expect(edge.status).toBe(202);
    const extra = await register({ tenant: 'open', email: 'e@open.test', password: PASSWORD, role: 'admin' });
    expect(extra.status).toBe(400);
  });

  it('resends a verification link only to an unverified account', async () => {
    await register({ tenant: 'open', email: 'resend@open.test', password: PASSWORD });
    const firstLink = linkToken(await h.nextMail('resend@open.test'), '/verify-email');
    const again = await call(h, 'POST', '/api/auth/verify-email/resend', {
      body: { tenant: 'open', email: 'resend@open.test' },
    });
    expect(again.status).toBe(202);
    const secondLink = linkToken(await h.nextMail('resend@open.test'), '/verify-email');
    // The new link replaces the old one.
    expect((await call(h, 'POST', '/api/auth/verify-email', { body: { token: firstLink } })).status).toBe(
      400,
    );
    expect((await call(h, 'POST', '/api/auth/verify-email', { body: { token: secondLink } })).status).toBe(
      200,
    );
    const unknown = await call(h, 'POST', '/api/auth/verify-email/resend', {
      body: { tenant: 'open', email: 'ghost@open.test' },
    });
    expect(unknown.status).toBe(202);
    expect(await mailArrives('ghost@open.test', 500)).toBe(false);
  });

  it('refuses malformed and foreign verification tokens', async () => {
    for (const token of ['nope', `${open.id}.${'A'.repeat(43)}`, `${closed.id}.${'B'.repeat(43)}`]) {
      const res = await call<ProblemBody>(h, 'POST', '/api/auth/verify-email', { body: { token } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_token');
    }
    expect((await call(h, 'POST', '/api/auth/verify-email', { body: {} })).status).toBe(400);
  });
});

describe('password reset', () => {
  it('mails a single-use link that sets the password and ends every session', async () => {
    const user = await h.seedUser(open, { roles: ['viewer'] });
    const sessionA = await login(h, 'open', user.email, user.password);
    const sessionB = await login(h, 'open', user.email, user.password);
    expect((await call(h, 'GET', '/api/auth/me', { token: sessionA.body.accessToken })).status).toBe(200);

    const forgot = await call(h, 'POST', '/api/auth/password/forgot', {
      body: { tenant: 'open', email: user.email },
    });
    expect(forgot.status).toBe(202);
    const mail = await h.nextMail(user.email);
    expect(mail.subject).toContain('Reset your InoSec password');
    const token = linkToken(mail, '/reset-password');

    const weak = await call<ProblemBody>(h, 'POST', '/api/auth/password/reset', {
      body: { token, password: user.email },
    });
    expect(weak.status).toBe(422);
    // A refused password leaves the token usable.
    const newPassword = 'a brand new passphrase';
    const reset = await call(h, 'POST', '/api/auth/password/reset', {
      body: { token, password: newPassword },
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ status: 'ok', tenant: 'open', email: user.email });
    const again = await call<ProblemBody>(h, 'POST', '/api/auth/password/reset', {
      body: { token, password: 'yet another passphrase' },
    });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_token');

    expect((await call(h, 'GET', '/api/auth/me', { token: sessionA.body.accessToken })).status).toBe(401);
    expect(
      (await call(h, 'POST', '/api/auth/refresh', { body: { refreshToken: sessionB.body.refreshToken } }))
        .status,
    ).toBe(401);
    expect((await login(h, 'open', user.email, user.password)).status).toBe(401);
    expect((await login(h, 'open', user.email, newPassword)).status).toBe(200);
    const { rows } = await h.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inosec.sessions WHERE user_id = $1 AND revoked_reason = 'password_change'`,
      [user.id],
    );
    expect(rows[0]?.n).toBe(2);
    expect(
      await auditRows(h, 'auth.password_reset', { tenantId: open.id, resourceId: user.id }),
    ).toHaveLength(1);
  });

  it('answers 202 alike for unknown, disabled and unknown-tenant addresses and mails nobody', async () => {
    const disabled = await h.seedUser(open, { roles: ['viewer'] });
    await h.admin.query(`UPDATE inosec.users SET status = 'disabled' WHERE id = $1`, [disabled.id]);
    for (const body of [
      { tenant: 'open', email: 'nobody@open.test' },
      { tenant: 'open', email: disabled.email },
      { tenant: 'no-such', email: 'nobody@open.test' },
    ]) {
      const res = await call(h, 'POST', '/api/auth/password/forgot', { body });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: 'accepted' });
    }
    expect(await mailArrives('nobody@open.test', 500)).toBe(false);
    expect(await mailArrives(disabled.email, 500)).toBe(false);
  });

  it('refuses an expired reset token', async () => {
    const user = await h.seedUser(open, { roles: ['viewer'] });
    await call(h, 'POST', '/api/auth/password/forgot', { body: { tenant: 'open', email: user.email } });
    const token = linkToken(await h.nextMail(user.email), '/reset-password');
    await h.admin.query(
      `UPDATE inosec.user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [user.id],
    );
    const res = await call(h, 'POST', '/api/auth/password/reset', { body: { token, password: PASSWORD } });
    expect(res.status).toBe(400);
  });
});

describe('password change', () => {
  it('needs the current password, keeps this session and ends the others', async () => {
    const user = await h.seedUser(open, { roles: ['viewer'] });
    const here = (await login<Tokens>(h, 'open', user.email, user.password)).body;
    const there = (await login<Tokens>(h, 'open', user.email, user.password)).body;
    const wrong = await call<ProblemBody>(h, 'POST', '/api/auth/password/change', {
      token: here.accessToken,
      body: { currentPassword: 'not it at all', newPassword: 'the next passphrase' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('wrong_password');
    const weak = await call<ProblemBody>(h, 'POST', '/api/auth/password/change', {
      token: here.accessToken,
      body: { currentPassword: user.password, newPassword: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors?.[0]?.path).toBe('body.newPassword');

    const ok = await call(h, 'POST', '/api/auth/password/change', {
      token: here.accessToken,
      body: { currentPassword: user.password, newPassword: 'the next passphrase' },
    });
    expect(ok.status).toBe(200);
    expect((await call(h, 'GET', '/api/auth/me', { token: here.accessToken })).status).toBe(200);
    expect((await call(h, 'GET', '/api/auth/me', { token: there.accessToken })).status).toBe(401);
    expect((await login(h, 'open', user.email, 'the next passphrase')).status).toBe(200);
    const audit = await auditRows(h, 'auth.password_change', { tenantId: open.id, resourceId: user.id });
    expect(audit.map((a) => a.outcome)).toEqual(['failure', 'success']);
  });
});

describe('invitations', () => {
  it('an invited user sets a password with the token once and becomes active and verified', async () => {
    const { rows } = await h.admin.query<{ id: string }>(
      `INSERT INTO inosec.users (tenant_id, email, status) VALUES ($1, 'invitee@open.test', 'invited') RETURNING id::text`,
      [closed.id],
    );
    const userId = rows[0]!.id;
    // The admin module issues invitations; here the fixture does, with the same helper.
    const client = new pg.Client({ connectionString: h.pg.url });
    await client.connect();
    const token = await issueUserToken(client, closed.id, userId, 'invite', 3600).finally(() => client.end());

    expect((await login(h, 'closed', 'invitee@open.test', PASSWORD)).status).toBe(401);
    const weak = await call(h, 'POST', '/api/auth/invite/accept', {
      body: { token, password: 'invitee@open.test' },
    });
    expect(weak.status).toBe(422);
    const accepted = await call(h, 'POST', '/api/auth/invite/accept', {
      body: { token, password: PASSWORD, displayName: 'In Vitee' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ status: 'ok', tenant: 'closed', email: 'invitee@open.test' });
    const state = await h.admin.query<{
      status: string;
      verified: boolean;
      display_name: string;
      hash: string;
    }>(
      `SELECT status, email_verified_at IS NOT NULL AS verified, display_name, password_hash AS hash
         FROM inosec.users WHERE id = $1`,
      [userId],
    );
    expect(state.rows[0]).toMatchObject({ status: 'active', verified: true, display_name: 'In Vitee' });
    expect(state.rows[0]?.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const replay = await call<ProblemBody>(h, 'POST', '/api/auth/invite/accept', {
      body: { token, password: 'someone else entirely' },
    });
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('invalid_token');
    expect((await login(h, 'closed', 'invitee@open.test', PASSWORD)).status).toBe(200);
    expect(
      await auditRows(h, 'auth.invite_accept', { tenantId: closed.id, resourceId: userId }),
    ).toHaveLength(1);
  });

  it('a verification token is not an invitation', async () => {
    await register({ tenant: 'open', email: 'mixup@open.test', password: PASSWORD });
    const token = linkToken(await h.nextMail('mixup@open.test'), '/verify-email');
    const res = await call(h, 'POST', '/api/auth/invite/accept', { body: { token, password: PASSWORD } });
    expect(res.status).toBe(400);
    expect((await call(h, 'POST', '/api/auth/verify-email', { body: { token } })).status).toBe(200);
  });
});
