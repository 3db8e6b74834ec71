// Sessions over HTTP against a real PostgreSQL: refresh rotation where a reused token ends its whole family,
// logout and logout-all that stop access tokens at once, the caller's session list, and TOTP sign-in where a
// code works once, with recovery codes standing in for lost authenticators.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';
import { auditRows, call, codeAt, login, steadyNow, type ProblemBody, type Tokens } from './support/auth.js';

let h: ApiHarness;
let acme: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  h = await startApiHarness({
    INOSEC_LOGIN_MAX_FAILURES: '3',
    INOSEC_LOGIN_LOCKOUT_SECONDS: '60',
    INOSEC_TRUST_PROXY: 'true',
  });
  acme = await h.seedTenant('acme');
  other = await h.seedTenant('other');
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function signIn(user: SeededUser, tenant = 'acme'): Promise<Tokens> {
  const res = await login(h, tenant, user.email, user.password);
  expect(res.status).toBe(200);
  return res.body;
}

function refresh(refreshToken: string) {
  return call<Tokens & ProblemBody>(h, 'POST', '/api/auth/refresh', { body: { refreshToken } });
}

describe('POST /api/auth/refresh', () => {
  it('rotates: each token works once and yields a new pair in the same session', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const first = await signIn(user);
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(second.body.user.id).toBe(user.id);
    expect((await call(h, 'GET', '/api/auth/me', { token: second.body.accessToken })).status).toBe(200);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);
    const { rows } = await h.admin.query<{ sessions: number; generations: number[] }>(
      `SELECT count(DISTINCT rt.session_id)::int AS sessions, array_agg(rt.generation ORDER BY rt.generation) AS generations
         FROM inosec.refresh_tokens rt JOIN inosec.sessions s ON s.id = rt.session_id WHERE s.user_id = $1`,
      [user.id],
    );
    expect(rows[0]).toEqual({ sessions: 1, generations: [0, 1, 2] });
  });

  it('a reused token ends its whole family: the newest token and the access tokens stop working', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const first = await signIn(user);
    const second = (await refresh(first.refreshToken)).body;
    const third = (await refresh(second.refreshToken)).body;
    expect((await call(h, 'GET', '/api/auth/me', { token: third.accessToken })).status).toBe(200);
    // A parallel session of the same user is not part of the family.
    const elsewhere = await signIn(user);

    const reused = await refresh(first.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('refresh_token_reused');
    const newest = await refresh(third.refreshToken);
    expect(newest.status).toBe(401);
    expect(newest.body.code).toBe('invalid_refresh_token');
    expect((await call(h, 'GET', '/api/auth/me', { token: third.accessToken })).status).toBe(401);

    expect((await call(h, 'GET', '/api/auth/me', { token: elsewhere.accessToken })).status).toBe(200);
    expect((await refresh(elsewhere.refreshToken)).status).toBe(200);

    const { rows } = await h.admin.query<{ revoked_reason: string }>(
      `SELECT revoked_reason FROM inosec.sessions s JOIN inosec.refresh_tokens rt ON rt.session_id = s.id
        WHERE rt.token_hash = sha256(convert_to($1, 'UTF8'))`,
      [first.refreshToken],
    );
    expect(rows[0]?.revoked_reason).toBe('refresh_reuse');
    const audit = await auditRows(h, 'auth.refresh_reuse', { tenantId: acme.id });
    expect(audit.some((a) => a.details['userId'] === user.id && a.outcome === 'denied')).toBe(true);
  });

  it('refuses malformed, unknown, expired and cross-tenant tokens with 401', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const pair = await signIn(user);
    expect((await refresh('garbage')).body.code).toBe('invalid_refresh_token');
    const unknown = `${acme.id}.${'A'.repeat(43)}`;
    expect((await refresh(unknown)).status).toBe(401);
    // The same secret part under another tenant's id is looked up in that tenant: not found.
    const moved = `${other.id}.${pair.refreshToken.split('.')[1]}`;
    expect((await refresh(moved)).status).toBe(401);
    expect((await call(h, 'POST', '/api/auth/refresh', { body: {} })).status).toBe(400);
    await h.admin.query(
      `UPDATE inosec.sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [user.id],
    );
    const expired = await refresh(pair.refreshToken);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('invalid_refresh_token');
  });

  it('refuses a disabled user', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const pair = await signIn(user);
    await h.admin.query(`UPDATE inosec.users SET status = 'disabled' WHERE id = $1`, [user.id]);
    expect((await refresh(pair.refreshToken)).status).toBe(401);
  });
});

describe('logout', () => {
  it('ends the session: its access token is refused right away and its refresh token too', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const pair = await signIn(user);
    const other = await signIn(user);
    expect((await call(h, 'GET', '/api/auth/me', { token: pair.accessToken })).status).toBe(200);
    const out = await call(h, 'POST', '/api/auth/logout', { token: pair.accessToken });
    expect(out.status).toBe(200);
    const after = await call<ProblemBody>(h, 'GET', '/api/auth/me', { token: pair.accessToken });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('session_ended');
    expect((await refresh(pair.refreshToken)).status).toBe(401);
    expect((await call(h, 'GET', '/api/auth/me', { token: other.accessToken })).status).toBe(200);
    const audit = await auditRows(h, 'auth.logout', { tenantId: acme.id });
    expect(audit.some((a) => a.actor_id === user.id)).toBe(true);
    expect(
      (await call(h, 'POST', '/api/auth/logout', { body: { all: true }, token: other.accessToken })).status,
    ).toBe(400);
  });

  it('logout-all ends every session of the caller and only theirs', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const neighbour = await h.seedUser(acme, { roles: ['viewer'] });
    const a = await signIn(user);
    const b = await signIn(user);
    const n = await signIn(neighbour);
    for (const t of [a, b, n])
      expect((await call(h, 'GET', '/api/auth/me', { token: t.accessToken })).status).toBe(200);
    expect((await call(h, 'POST', '/api/auth/logout-all', { token: a.accessToken })).status).toBe(200);
    expect((await call(h, 'GET', '/api/auth/me', { token: a.accessToken })).status).toBe(401);
    expect((await call(h, 'GET', '/api/auth/me', { token: b.accessToken })).status).toBe(401);
    expect((await refresh(b.refreshToken)).status).toBe(401);
    expect((await call(h, 'GET', '/api/auth/me', { token: n.accessToken })).status).toBe(200);
    const audit = await auditRows(h, 'auth.logout_all', { tenantId: acme.id });
    expect(audit.find((r) => r.actor_id === user.id)?.details['sessions']).toBe(2);
  });
});

describe('the caller’s sessions', () => {
  it('lists own live sessions with the current one marked, paginated', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const pairs = [];
    for (let i = 0; i < 3; i++) pairs.push(await signIn(user));
    const ended = await signIn(user);
    await call(h, 'POST', '/api/auth/logout', { token: ended.accessToken });
    const current = pairs[2]!;
    const page1 = await call<{
      items: Array<{ id: string; current: boolean; ip: string }>;
      nextCursor: string | null;
    }>(h, 'GET', '/api/auth/sessions?limit=2', { token: current.accessToken, ip: '203.0.113.7' });
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items[0]?.current).toBe(true);
    expect(page1.body.items[0]?.ip).toMatch(/^198\.51\./);
    expect(page1.body.nextCursor).not.toBeNull();
    const page2 = await call<{ items: Array<{ id: string; current: boolean }>; nextCursor: string | null }>(
      h,
      'GET',
      `/api/auth/sessions?limit=2&cursor=${page1.body.nextCursor}`,
      { token: current.accessToken },
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const ids = [...page1.body.items, ...page2.body.items].map((s) => s.id);
    expect(new Set(ids).size).toBe(3);
    expect(
      (await call(h, 'GET', '/api/auth/sessions?cursor=bad!', { token: current.accessToken })).status,
    ).toBe(400);
    expect(
      (await call(h, 'GET', '/api/auth/sessions?cursor=Zm9v', { token: current.accessToken })).status,
    ).toBe(400);
    expect((await call(h, 'GET', '/api/auth/sessions?limit=0', { token: current.accessToken })).status).toBe(
      400,
    );
    expect((await call(h, 'GET', '/api/auth/sessions')).status).toBe(401);
  });

  it('ends one own session by id; another user’s or tenant’s session is 404 and untouched', async () => {
    const user = await h.seedUser(acme, { roles: ['admin'] });
    const mine = await signIn(user);
    const second = await signIn(user);
    const neighbour = await signIn(await h.seedUser(acme, { roles: ['viewer'] }));
    const foreign = await signIn(await h.seedUser(other, { roles: ['admin'] }), 'other');
    const sessionOf = async (t: Tokens) =>
      (
        await call<{ items: Array<{ id: string; current: boolean }> }>(h, 'GET', '/api/auth/sessions', {
          token: t.accessToken,
        })
      ).body.items.find((s) => s.current)!.id;
    const secondId = await sessionOf(second);
    const neighbourId = await sessionOf(neighbour);
    const foreignId = await sessionOf(foreign);

    for (const id of [neighbourId, foreignId, '00000000-0000-4000-8000-000000000000']) {
      const res = await call<ProblemBody>(h, 'DELETE', `/api/auth/sessions/${id}`, {
        token: mine.accessToken,
      });
      expect(res.status).toBe(404);
    }
    expect((await call(h, 'GET', '/api/auth/me', { token: neighbour.accessToken })).status).toBe(200);
    expect((await call(h, 'GET', '/api/auth/me', { token: foreign.accessToken })).status).toBe(200);
    expect(
      (await call(h, 'DELETE', '/api/auth/sessions/not-a-uuid', { token: mine.accessToken })).status,
    ).toBe(400);
    expect((await call(h, 'DELETE', `/api/auth/sessions/${secondId}`)).status).toBe(401);

    expect((await call(h, 'GET', '/api/auth/me', { token: second.accessToken })).status).toBe(200);
    const del = await call(h, 'DELETE', `/api/auth/sessions/${secondId}`, { token: mine.accessToken });
    expect(del.status).toBe(200);
    expect((await call(h, 'GET', '/api/auth/me', { token: second.accessToken })).status).toBe(401);
    expect(
      (await call(h, 'DELETE', `/api/auth/sessions/${secondId}`, { token: mine.accessToken })).status,
    ).toBe(404);
    expect((await call(h, 'GET', '/api/auth/me', { token: mine.accessToken })).status).toBe(200);
  });
});

describe('TOTP', () => {
  it('enrols, activates, then requires a code at sign-in; a code works once', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const pair = await signIn(user);
    const enrol = await call<{ secret: string; otpauthUri: string }>(h, 'POST', '/api/auth/totp/enroll', {
      token: pair.accessToken,
    });
    expect(enrol.status).toBe(200);
    const { secret } = enrol.body;
    expect(enrol.body.otpauthUri).toContain(`secret=${secret}`);
    // Stored sealed, not in clear; still off.
    const stored = await h.admin.query<{ totp_secret: string; totp_enabled_at: Date | null }>(
      'SELECT totp_secret, totp_enabled_at FROM inosec.users WHERE id = $1',
      [user.id],
    );
    expect(stored.rows[0]?.totp_secret).not.toContain(secret);
    expect(h.secretBox.open(stored.rows[0]!.totp_secret, `totp:${user.id}`).toString()).toBe(secret);
    expect(stored.rows[0]?.totp_enabled_at).toBeNull();
    expect((await login(h, 'acme', user.email, user.password)).body).toHaveProperty('accessToken');

    const wrong = await call<ProblemBody>(h, 'POST', '/api/auth/totp/activate', {
      token: pair.accessToken,
      body: { code: codeAt(secret, Date.now() - 120_000) },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('invalid_totp_code');
    expect(
      (
        await call(h, 'POST', '/api/auth/totp/activate', {
          token: pair.accessToken,
          body: { code: '12ab56' },
        })
      ).status,
    ).toBe(400);
    // Activate with the previous step's code, so the later ones are still fresh for sign-in.
    const now = await steadyNow();
    const activate = await call(h, 'POST', '/api/auth/totp/activate', {
      token: pair.accessToken,
      body: { code: codeAt(secret, now - 30_000) },
    });
    expect(activate.status).toBe(200);
    expect((await call(h, 'POST', '/api/auth/totp/enroll', { token: pair.accessToken })).status).toBe(409);

    const challenge = await login<{ mfaRequired: boolean; mfaToken: string }>(
      h,
      'acme',
      user.email,
      user.password,
    );
    expect(challenge.status).toBe(200);
    expect(challenge.body.mfaRequired).toBe(true);
    expect(challenge.body).not.toHaveProperty('accessToken');
    // The mfa token is not an access token.
    expect((await call(h, 'GET', '/api/auth/me', { token: challenge.body.mfaToken })).status).toBe(401);

    const code = codeAt(secret, now + 30_000);
    const first = await call<Tokens>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: challenge.body.mfaToken, code },
    });
    expect(first.status).toBe(200);
    const me = await call<{ mfa: { enabled: boolean; session: boolean; recoveryCodesLeft: number } }>(
      h,
      'GET',
      '/api/auth/me',
      {
        token: first.body.accessToken,
      },
    );
    expect(me.body.mfa).toEqual({ enabled: true, session: true, recoveryCodesLeft: 10 });

    // The same code again, with a fresh challenge: refused.
    const again = await login<{ mfaToken: string }>(h, 'acme', user.email, user.password);
    const reused = await call<ProblemBody>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: again.body.mfaToken, code },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('totp_code_reused');
    // An earlier code too.
    const older = await call<ProblemBody>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: again.body.mfaToken, code: codeAt(secret, now) },
    });
    expect(older.status).toBe(401);
    expect(older.body.code).toBe('totp_code_reused');
    // The first challenge's token opened its session: it cannot open another.
    const replay = await call<ProblemBody>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: challenge.body.mfaToken, code: codeAt(secret, now) },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('invalid_token');
    expect(
      (await call(h, 'POST', '/api/auth/login/totp', { body: { mfaToken: 'x.y.z', code: '123456' } })).status,
    ).toBe(401);

    const audit = await auditRows(h, 'auth.totp_enable', { tenantId: acme.id, resourceId: user.id });
    expect(audit).toHaveLength(1);
    const failures = await auditRows(h, 'auth.login', { tenantId: acme.id, resourceId: user.id });
    expect(failures.some((a) => a.details['reason'] === 'totp_reused')).toBe(true);

    // Disable needs the password and a fresh code.
    const badPassword = await call<ProblemBody>(h, 'POST', '/api/auth/totp/disable', {
      token: first.body.accessToken,
      body: { password: 'not-the-password', code: codeAt(secret, now) },
    });
    expect(badPassword.status).toBe(403);
    const reusedDisable = await call<ProblemBody>(h, 'POST', '/api/auth/totp/disable', {
      token: first.body.accessToken,
      body: { password: user.password, code },
    });
    expect(reusedDisable.status).toBe(422);
    expect(reusedDisable.body.code).toBe('totp_code_reused');
    // Fixture: pretend a minute passed (the last accepted step moves back two steps), so a code is fresh again.
    await h.admin.query('UPDATE inosec.users SET totp_last_step = totp_last_step - 2 WHERE id = $1', [
      user.id,
    ]);
    const disabled = await call(h, 'POST', '/api/auth/totp/disable', {
      token: first.body.accessToken,
      body: { password: user.password, code: codeAt(secret, now) },
    });
    expect(disabled.status).toBe(200);
    expect((await login(h, 'acme', user.email, user.password)).body).toHaveProperty('accessToken');
    expect(await auditRows(h, 'auth.totp_disable', { tenantId: acme.id, resourceId: user.id })).toEqual(
      expect.arrayContaining([expect.objectContaining({ outcome: 'success' })]),
    );
  });

  it('recovery codes: ten at activation, each signs in once, a new set replaces the old, off removes them', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const pair = await signIn(user);
    const { secret } = (
      await call<{ secret: string }>(h, 'POST', '/api/auth/totp/enroll', { token: pair.accessToken })
    ).body;
    const now = await steadyNow();
    const activated = await call<{ status: string; recoveryCodes: string[] }>(
      h,
      'POST',
      '/api/auth/totp/activate',
      { token: pair.accessToken, body: { code: codeAt(secret, now - 30_000) } },
    );
    expect(activated.status).toBe(200);
    const codes = activated.body.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
    // Stored only as keyed digests: neither the code nor its plain SHA-256 is in the table.
    const stored = await h.admin.query<{ code_mac: Buffer }>(
      'SELECT code_mac FROM inosec.totp_recovery_codes WHERE user_id = $1',
      [user.id],
    );
    expect(stored.rows).toHaveLength(10);
    const macs = new Set(stored.rows.map((row) => row.code_mac.toString('hex')));
    for (const code of codes) {
      const canonical = code.replace('-', '');
      expect(macs.has(createHash('sha256').update(canonical).digest('hex'))).toBe(false);
      expect(macs.has(Buffer.from(canonical).toString('hex'))).toBe(false);
    }

    // One code signs in, typed loosely (upper case, a space for the dash), and is used up.
    const challenge = await login<{ mfaToken: string }>(h, 'acme', user.email, user.password);
    const first = await call<Tokens>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: challenge.body.mfaToken, recoveryCode: codes[0]!.toUpperCase().replace('-', ' ') },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const me = await call<{ mfa: unknown }>(h, 'GET', '/api/auth/me', { token: first.body.accessToken });
    expect(me.body.mfa).toEqual({ enabled: true, session: true, recoveryCodesLeft: 9 });
    const again = await login<{ mfaToken: string }>(h, 'acme', user.email, user.password);
    const reused = await call<ProblemBody>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: again.body.mfaToken, recoveryCode: codes[0] },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('invalid_recovery_code');
    // Exactly one of code and recoveryCode.
    const both = await call(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: again.body.mfaToken, code: codeAt(secret, now), recoveryCode: codes[1] },
    });
    expect(both.status).toBe(400);
    expect(
      (await call(h, 'POST', '/api/auth/login/totp', { body: { mfaToken: again.body.mfaToken } })).status,
    ).toBe(400);

    // A new set needs the password and a current code; the old set then stops working.
    const badPassword = await call<ProblemBody>(h, 'POST', '/api/auth/totp/recovery-codes', {
      token: first.body.accessToken,
      body: { password: 'not-the-password', code: codeAt(secret, now) },
    });
    expect(badPassword.status).toBe(403);
    const renewed = await call<{ recoveryCodes: string[] }>(h, 'POST', '/api/auth/totp/recovery-codes', {
      token: first.body.accessToken,
      body: { password: user.password, code: codeAt(secret, now) },
    });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
    expect(renewed.body.recoveryCodes).toHaveLength(10);
    expect(renewed.body.recoveryCodes.filter((code) => codes.includes(code))).toEqual([]);
    const third = await login<{ mfaToken: string }>(h, 'acme', user.email, user.password);
    const old = await call<ProblemBody>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: third.body.mfaToken, recoveryCode: codes[1] },
    });
    expect(old.body.code).toBe('invalid_recovery_code');
    const fresh = await call<Tokens>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: third.body.mfaToken, recoveryCode: renewed.body.recoveryCodes[0] },
    });
    expect(fresh.status).toBe(200);
    const logins = await auditRows(h, 'auth.login', { tenantId: acme.id, resourceId: user.id });
    expect(
      logins.filter((a) => a.details['recoveryCode'] === true).map((a) => a.details['recoveryCodesLeft']),
    ).toEqual([9, 9]);
    expect(logins.filter((a) => a.details['reason'] === 'recovery_code_invalid')).toHaveLength(2);
    expect(
      await auditRows(h, 'auth.recovery_codes_regenerate', { tenantId: acme.id, resourceId: user.id }),
    ).toEqual([
      expect.objectContaining({ outcome: 'failure' }),
      expect.objectContaining({ outcome: 'success' }),
    ]);

    // Turning two-factor sign-in off removes the codes.
    await h.admin.query('UPDATE inosec.users SET totp_last_step = totp_last_step - 2 WHERE id = $1', [
      user.id,
    ]);
    const disabled = await call(h, 'POST', '/api/auth/totp/disable', {
      token: fresh.body.accessToken,
      body: { password: user.password, code: codeAt(secret, now) },
    });
    expect(disabled.status).toBe(200);
    const left = await h.admin.query('SELECT 1 FROM inosec.totp_recovery_codes WHERE user_id = $1', [
      user.id,
    ]);
    expect(left.rowCount).toBe(0);
  });

  it('wrong codes count towards the lockout', async () => {
    const user = await h.seedUser(acme, { roles: ['viewer'] });
    const pair = await signIn(user);
    const { secret } = (
      await call<{ secret: string }>(h, 'POST', '/api/auth/totp/enroll', { token: pair.accessToken })
    ).body;
    await call(h, 'POST', '/api/auth/totp/activate', {
      token: pair.accessToken,
      body: { code: codeAt(secret) },
    });
    const challenge = await login<{ mfaToken: string }>(h, 'acme', user.email, user.password);
    const wrong = codeAt(secret, Date.now() - 300_000);
    for (let i = 0; i < 3; i++) {
      const res = await call<ProblemBody>(h, 'POST', '/api/auth/login/totp', {
        body: { mfaToken: challenge.body.mfaToken, code: wrong },
      });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_totp_code');
    }
    const locked = await call<ProblemBody>(h, 'POST', '/api/auth/login/totp', {
      body: { mfaToken: challenge.body.mfaToken, code: codeAt(secret, Date.now() + 30_000) },
    });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('too_many_attempts');
    expect((await login(h, 'acme', user.email, user.password)).status).toBe(429);
  });
});

describe('changes made elsewhere (another replica, an operator in SQL) end cached sessions at once', () => {
  /** The server's LISTEN connection for session changes is up (it starts in the background). */
  async function listening(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const { rows } = await h.admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'inosec-principal-changes'",
      );
      if (rows[0]?.n === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the principal-changes listener never connected');
  }

  /** The status `GET /api/auth/sessions` answers with `token` once it is no longer 200, within 2 s. */
  async function refusedWithin2s(token: string): Promise<{ status: number; ms: number }> {
    const started = Date.now();
    for (;;) {
      const res = await call(h, 'GET', '/api/auth/sessions', { token });
      if (res.status !== 200 || Date.now() - started > 2_000)
        return { status: res.status, ms: Date.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('a revoked session, a removed role grant and a suspended tenant, all changed behind the server’s back', async () => {
    await listening();
    const tenant = await h.seedTenant('elsewhere');
    const user = await h.seedUser(tenant, { roles: ['analyst'] });
    const bystander = await h.seedUser(tenant, { roles: ['analyst'] });

    // Session revoked in SQL: the cached principal (warmed by the first request) is dropped on the notice.
    const first = await h.tokenFor(user);
    expect((await call(h, 'GET', '/api/auth/sessions', { token: first })).status).toBe(200);
    const sid = (JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString()) as { sid: string })
      .sid;
    await h.admin.query(
      "UPDATE inosec.sessions SET revoked_at = now(), revoked_reason = 'admin' WHERE id = $1",
      [sid],
    );
    expect(await refusedWithin2s(first)).toMatchObject({ status: 401 });

    // Role grant removed in SQL: the permission goes at once (403), the session stays.
    const second = await h.tokenFor(user);
    expect((await call(h, 'GET', '/api/alerts?limit=1', { token: second })).status).toBe(200);
    await h.admin.query('DELETE FROM inosec.user_roles WHERE user_id = $1', [user.id]);
    const started = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - started < 2_000) {
      status = (await call(h, 'GET', '/api/alerts?limit=1', { token: second })).status;
    }
    expect(status).toBe(403);

    // Tenant suspended in SQL: every cached session of the tenant ends.
    const third = await h.tokenFor(bystander);
    expect((await call(h, 'GET', '/api/auth/sessions', { token: third })).status).toBe(200);
    await h.admin.query("UPDATE inosec.tenants SET status = 'suspended' WHERE id = $1", [tenant.id]);
    expect(await refusedWithin2s(third)).toMatchObject({ status: 401 });

    // Another tenant's sessions were not touched by any of it.
    const acmeUser = await h.seedUser(acme, { roles: ['analyst'] });
    expect((await call(h, 'GET', '/api/auth/sessions', { token: await h.tokenFor(acmeUser) })).status).toBe(
      200,
    );
  });
});
