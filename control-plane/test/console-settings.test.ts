// The console's settings in Chromium against the appliance as `npm start` runs it: the administrator enrols
// TOTP from the account page (reading the key shown there) and from then on must give a code to sign in, or
// one of the ten recovery codes shown once at activation (a wrong code is refused); ends
// another of their sessions from the sessions page and the API stops accepting its tokens; invites a user
// (the invitation mail lands in the appliance's outbox), changes their roles, disables and re-enables them;
// the invited analyst, without users:read, sees a "you do not have permission" state; a custom role is
// created; "sign out everywhere" ends every session. axe-core checks each settings page; screenshots go to
// dashboards/test-results/screenshots/settings-*.png.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../src/auth/totp.js';
import {
  api,
  browserAvailable,
  ConsoleUser,
  expectAccessible,
  screenshot,
  setupToken,
  startConsoleAppliance,
  type ConsoleAppliance,
} from './support/console-browser.js';

const available = browserAvailable();
let cp: ConsoleAppliance | undefined;
let page: Page;
const pageErrors: string[] = [];
const admin = new ConsoleUser('local', 'admin@localhost.localdomain', 'settings-admin-password-1');
const invitee = {
  email: 'analyst.one@example.test',
  name: 'Analyst One',
  password: 'analyst-one-password-1',
};

interface Tokens {
  accessToken: string;
  refreshToken: string;
}
/** A session of the administrator opened over the API before TOTP (for checks of what the API holds). */
let apiSession: Tokens;
/** Another session of the administrator, opened over the API with a password, that the test ends. */
let otherSession: Tokens;
let totpSecret = '';

/** A TOTP code of a step after every code used so far: a code works once, so this waits for the next step. */
let lastStep = 0;
async function freshCode(): Promise<string> {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    if (step > lastStep) {
      lastStep = step;
      return totpCode(totpSecret);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Six digits that match none of the codes the server accepts now (±1 step). */
function wrongCode(): string {
  const now = Date.now();
  const valid = new Set([-1, 0, 1].map((delta) => totpCode(totpSecret, now + delta * 30_000)));
  let candidate = (Number(totpCode(totpSecret, now)) + 500_000) % 1_000_000;
  while (valid.has(String(candidate).padStart(6, '0'))) candidate = (candidate + 1) % 1_000_000;
  return String(candidate).padStart(6, '0');
}

/** HTTP status of GET /api/auth/me with an access token. */
async function meStatus(url: string, accessToken: string): Promise<number> {
  const response = await fetch(`${url}/api/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  return response.status;
}

/** The text of the invitation mails to `to` in the appliance's outbox (.eml, decoded). */
async function outboxMailsTo(dataDir: string, to: string): Promise<string[]> {
  const outbox = path.join(dataDir, 'outbox');
  const files = await readdir(outbox).catch(() => [] as string[]);
  const mails: string[] = [];
  for (const file of files.filter((name) => name.endsWith('.eml'))) {
    const raw = await readFile(path.join(outbox, file), 'utf8');
    const [head = '', ...body] = raw.split(/\r?\n\r?\n/);
    if (!new RegExp(`^To: ${to.replace(/[.]/g, '\\.')}$`, 'mi').test(head)) continue;
    let text = body.join('\n\n');
    if (/^Content-Transfer-Encoding: base64$/im.test(head)) {
      text = Buffer.from(text.replace(/\s/g, ''), 'base64').toString('utf8');
    } else if (/^Content-Transfer-Encoding: quoted-printable$/im.test(head)) {
      text = text
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
    mails.push(`${head}\n\n${text}`);
  }
  return mails;
}

const settingsNav = () => page.getByRole('navigation', { name: 'Settings sections' });
const status = (text: string) => page.getByRole('status').filter({ hasText: text });

beforeAll(async () => {
  if (!available) return;
  cp = await startConsoleAppliance();
  const { url, appliance, browser } = cp;
  await api(url, 'POST', '/api/auth/invite/accept', {
    token: setupToken(appliance),
    password: admin.password,
  });
  const login = { tenant: admin.tenant, email: admin.email, password: admin.password };
  apiSession = await api<Tokens>(url, 'POST', '/api/auth/login', login);
  otherSession = await api<Tokens>(url, 'POST', '/api/auth/login', login);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await cp?.close();
}, 60_000);

describe.skipIf(!available)('the console settings in Chromium', () => {
  it('enrols TOTP from the account page; the next sign-in asks for a code and refuses a wrong one', async () => {
    const { url } = cp!;
    // No TOTP yet: a password signs in.
    await admin.signIn(page, url, '/settings');
    await expect
      .poll(() => settingsNav().getByRole('link', { name: 'Account' }).getAttribute('aria-current'))
      .toBe('page');
    await expect.poll(() => page.getByTestId('email').textContent()).toContain(admin.email);
    await expect.poll(() => page.getByTestId('totp-state').textContent()).toMatch(/^Off/);
    await expectAccessible(page, 'settings: account');
    await screenshot(page, 'settings-account');

    // Enrol: the key for manual entry and the otpauth:// link carrying the same key.
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    totpSecret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL((await page.getByTestId('totp-uri').textContent()) ?? '');
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(totpSecret);
    await page.getByTestId('totp-uri').scrollIntoViewIfNeeded();
    await expectAccessible(page, 'settings: TOTP enrolment');
    await screenshot(page, 'settings-totp-enrol');

    // Activate with the code of the key read from the page.
    await page.getByLabel('Authentication code').fill(await freshCode());
    await page.getByRole('button', { name: 'Activate' }).click();
    await status('Two-factor sign-in is on').waitFor();
    await expect
      .poll(() => page.getByTestId('totp-state').textContent())
      .toBe('On: this session passed the second factor.');
    expect(await page.getByTestId('totp-secret').count()).toBe(0);
    // The recovery codes, shown once.
    const recoveryCodes = await page.getByTestId('recovery-codes').getByRole('listitem').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    await expectAccessible(page, 'settings: recovery codes');
    await screenshot(page, 'settings-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    expect(await page.getByTestId('recovery-codes').count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('recovery-left').textContent())
      .toContain('10 recovery codes left');
    const me = await api<{ user: { totpEnabled: boolean } }>(
      url,
      'GET',
      '/api/auth/me',
      undefined,
      apiSession.accessToken,
    );
    expect(me.user.totpEnabled).toBe(true);

    // Sign out; the password alone no longer signs in: the code step comes, and a wrong code is refused.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Tenant').fill(admin.tenant);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await page.getByLabel('Authentication code').fill(wrongCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('the code is not valid');
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);

    // A lost authenticator: a recovery code signs in, once (the TOTP-code sign-in is console-browser.test.ts's).
    await page.getByRole('button', { name: 'Lost your authenticator? Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[3]!.toUpperCase());
    await expectAccessible(page, 'sign-in with a recovery code');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await expect
      .poll(() => page.getByTestId('totp-state').textContent())
      .toBe('On: this session passed the second factor.');
    await expect
      .poll(() => page.getByTestId('recovery-left').textContent())
      .toContain('9 recovery codes left');
  }, 180_000);

  it('lists the sessions with the current one marked and ends another one: the API refuses its tokens', async () => {
    const { url } = cp!;
    const others = await api<{ items: Array<{ id: string; current: boolean }> }>(
      url,
      'GET',
      '/api/auth/sessions',
      undefined,
      otherSession.accessToken,
    );
    const otherId = others.items.find((item) => item.current)?.id;
    expect(otherId).toBeDefined();
    expect(await meStatus(url, otherSession.accessToken)).toBe(200);

    await settingsNav().getByRole('link', { name: 'Sessions' }).click();
    await expect.poll(() => page.url()).toBe(`${url}/settings/sessions`);
    const otherRow = page.locator(`[data-session-id="${otherId}"]`);
    await otherRow.waitFor();
    const current = page.getByTestId('session-row').filter({ hasText: 'This session' });
    await expect.poll(() => current.count()).toBe(1);
    expect(await current.getAttribute('data-session-id')).not.toBe(otherId);
    expect(await current.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await otherRow.textContent()).toContain('API client (Node.js)');
    await expectAccessible(page, 'settings: sessions');
    await screenshot(page, 'settings-sessions');

    await otherRow.getByRole('button', { name: 'Revoke' }).click();
    await status('has ended').waitFor();
    await expect.poll(() => otherRow.count()).toBe(0);
    expect(await current.count()).toBe(1);
    expect(await meStatus(url, otherSession.accessToken)).toBe(401);
    const refreshed = await fetch(`${url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: otherSession.refreshToken }),
    });
    expect(refreshed.status).toBe(401);
    expect(await meStatus(url, apiSession.accessToken)).toBe(200);
  }, 60_000);

  it('invites a user (the mail is in the outbox), changes their roles, disables and enables them', async () => {
    const { url, dataDir, browser } = cp!;
    await settingsNav().getByRole('link', { name: 'Users' }).click();
    await page.locator(`[data-user-email="${admin.email}"]`).waitFor();
    await expectAccessible(page, 'settings: users');
    await screenshot(page, 'settings-users');

    await page.getByRole('button', { name: 'Invite user…' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite a user' });
    await invite.getByLabel('E-mail').fill(invitee.email);
    await invite.getByLabel('Display name').fill(invitee.name);
    await invite.getByRole('checkbox', { name: 'analyst', exact: true }).check();
    await expectAccessible(page, 'settings: invite dialog');
    await screenshot(page, 'settings-users-invite');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await status(`Invitation mailed to ${invitee.email}.`).waitFor();
    const row = page.locator(`[data-user-email="${invitee.email}"]`);
    await expect.poll(() => row.getByTestId('user-status').textContent()).toBe('invited');
    expect(await row.getByTestId('user-roles').textContent()).toBe('analyst');

    type UserDto = { id: string; email: string; status: string; roles: Array<{ name: string }> };
    const lookUp = async (): Promise<UserDto | undefined> =>
      (
        await api<{ items: UserDto[] }>(
          url,
          'GET',
          `/api/users?q=${encodeURIComponent(invitee.email)}`,
          undefined,
          apiSession.accessToken,
        )
      ).items.find((user) => user.email === invitee.email);
    expect(await lookUp()).toMatchObject({ status: 'invited', roles: [{ name: 'analyst' }] });

    // The invitation mail, written to <dataDir>/outbox (no SMTP on a fresh appliance), carries the link.
    const mails = await outboxMailsTo(dataDir, invitee.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/^Subject: You are invited to InoSec/m);
    const token = /\/accept-invite\?token=(\S+)/.exec(mails[0] ?? '')?.[1];
    expect(token).toBeDefined();

    // Roles: analyst + viewer, exactly.
    await row.getByRole('button', { name: 'Roles…' }).click();
    const rolesDialog = page.getByRole('dialog', { name: `Roles of ${invitee.email}` });
    await rolesDialog.getByRole('checkbox', { name: 'viewer', exact: true }).check();
    await rolesDialog.getByRole('button', { name: 'Save roles' }).click();
    await status(`${invitee.email} now holds analyst, viewer.`).waitFor();
    expect((await lookUp())?.roles.map((role) => role.name).sort()).toEqual(['analyst', 'viewer']);

    // The invited analyst accepts (the link's token) and signs in: they lack users:read and are told so.
    await api(url, 'POST', '/api/auth/invite/accept', {
      token: decodeURIComponent(token!),
      password: invitee.password,
    });
    const analystPage = await (
      await browser.newContext({ viewport: { width: 1440, height: 900 } })
    ).newPage();
    analystPage.on('pageerror', (error) => pageErrors.push(error.message));
    await new ConsoleUser('local', invitee.email, invitee.password).signIn(
      analystPage,
      url,
      '/settings/users',
    );
    await expect
      .poll(() => analystPage.getByTestId('permission-denied').textContent())
      .toContain('You do not have permission users:read');
    expect(await analystPage.getByRole('table').count()).toBe(0);
    await expectAccessible(analystPage, 'settings: permission denied');
    await screenshot(analystPage, 'settings-permission-denied');

    // With a role of fleet:read alone, the navigation offers just what it may open, and the start page is
    // the fleet instead of an alert queue it may not read.
    const fleetOnly = await api<{ id: string }>(
      url,
      'POST',
      '/api/roles',
      { name: 'fleet-watch', description: 'fleet read only', permissions: ['fleet:read'] },
      apiSession.accessToken,
    );
    const inviteeId = (await lookUp())!.id;
    await api(
      url,
      'PUT',
      `/api/users/${inviteeId}/roles`,
      { roleIds: [fleetOnly.id] },
      apiSession.accessToken,
    );
    await analystPage.goto(`${url}/`);
    await expect.poll(() => new URL(analystPage.url()).pathname).toBe('/fleet');
    const nav = analystPage.getByRole('navigation', { name: 'Main' });
    await expect
      .poll(async () => (await nav.getByRole('link').allTextContents()).join(','))
      .toBe('Fleet,Settings');
    // Disable (after a confirmation): the user's sessions end; enable again.
    await page.reload();
    await expect.poll(() => row.getByTestId('user-status').textContent()).toBe('active');
    await row.getByRole('button', { name: 'Disable…' }).click();
    await page
      .getByRole('dialog', { name: `Disable ${invitee.email}` })
      .getByRole('button', { name: 'Disable' })
      .click();
    await status(`${invitee.email} is disabled`).waitFor();
    await expect.poll(() => row.getByTestId('user-status').textContent()).toBe('disabled');
    expect((await lookUp())?.status).toBe('disabled');
    await analystPage.reload();
    await analystPage.getByLabel('Tenant').waitFor();
    expect(await analystPage.getByRole('navigation', { name: 'Main' }).count()).toBe(0);

    await row.getByRole('button', { name: 'Enable' }).click();
    await status(`${invitee.email} is enabled again.`).waitFor();
    await expect.poll(() => row.getByTestId('user-status').textContent()).toBe('active');
    expect((await lookUp())?.status).toBe('active');
  }, 120_000);

  it('lists roles with their permissions and creates a custom role', async () => {
    const { url } = cp!;
    await settingsNav().getByRole('link', { name: 'Roles' }).click();
    await page.locator('[data-role-name="admin"]').waitFor();
    expect(await page.locator('[data-role-name="analyst"]').textContent()).toContain('alerts:write');
    expect(await page.locator('[data-role-name="viewer"]').textContent()).not.toContain('alerts:write');
    await expect.poll(() => page.getByTestId('permission-matrix').textContent()).toContain('users:write');
    await expectAccessible(page, 'settings: roles');
    await screenshot(page, 'settings-roles');

    await page.getByRole('button', { name: 'New role…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New role' });
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('triage-lead');
    await dialog.getByRole('textbox', { name: /^Description/ }).fill('Leads alert triage');
    await dialog.getByRole('checkbox', { name: 'alerts:read', exact: true }).check();
    await dialog.getByRole('checkbox', { name: 'alerts:write', exact: true }).check();
    await expectAccessible(page, 'settings: role dialog');
    await dialog.getByRole('button', { name: 'Create role' }).click();
    await status('Role triage-lead created.').waitFor();
    await expect.poll(() => page.locator('[data-role-name="triage-lead"]').textContent()).toContain('custom');

    const roles = await api<{ items: Array<{ name: string; description: string; permissions: string[] }> }>(
      url,
      'GET',
      '/api/roles',
      undefined,
      apiSession.accessToken,
    );
    const created = roles.items.find((role) => role.name === 'triage-lead');
    expect(created?.description).toBe('Leads alert triage');
    expect(created?.permissions.slice().sort()).toEqual(['alerts:read', 'alerts:write']);
  }, 60_000);

  it('signs out everywhere: the console shows the sign-in page and the API refuses every session', async () => {
    const { url } = cp!;
    await settingsNav().getByRole('link', { name: 'Sessions' }).click();
    await page.getByTestId('session-row').first().waitFor();
    await page.getByRole('button', { name: 'Sign out everywhere…' }).click();
    await page
      .getByRole('dialog', { name: 'Sign out everywhere' })
      .getByRole('button', { name: 'Sign out everywhere' })
      .click();
    await page.getByLabel('Tenant').waitFor();
    await status('You signed out everywhere').waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    expect(await meStatus(url, apiSession.accessToken)).toBe(401);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
