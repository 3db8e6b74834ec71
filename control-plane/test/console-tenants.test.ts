// Two tenants in one browser session each, and the console's recovery from bad conditions, against the
// appliance as `npm start` runs it. Tenant A's alert comes from the real agent → collector → detector path;
// tenant B (created by the platform operator, its administrator invited by mail) gets one alert raised the
// collector's way. Neither sees the other's alerts (queue, detail by URL), agents or rules. The platform
// operator (A's administrator) switches into tenant B, sees only B's alerts there, and returns; on its
// platform page it creates, suspends and activates a tenant, which tenant B's administrator cannot reach.
// Then, in tenant A:
// an API error, a dropped live stream and an ended session each show a clear state and recover, and the
// analyst's filters survive all three; a tab opened from another shares its session without ending it.
import { execFileSync, spawn } from 'node:child_process';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, raiseAlerts } from './support/alerts-fixtures.js';
import {
  api,
  browserAvailable,
  ConsoleUser,
  expectAccessible,
  mailedToken,
  screenshot,
  setupToken,
  startConsoleAppliance,
  type ConsoleAppliance,
} from './support/console-browser.js';

const available = browserAvailable();
let cp: ConsoleAppliance | undefined;
const adminA = new ConsoleUser('local', 'admin@localhost.localdomain', 'tenant-a-admin-password');
const adminB = new ConsoleUser('other-plant', 'b-admin@example.test', 'tenant-b-admin-password');
let tokenA = '';
let alertA: { id: string; title: string } | undefined;
let alertB: { id: string; title: string } | undefined;

async function newPage(): Promise<Page> {
  const context = await cp!.browser.newContext({ viewport: { width: 1440, height: 900 } });
  return context.newPage();
}

beforeAll(async () => {
  if (!available) return;
  cp = await startConsoleAppliance();
  const { url, appliance, dataDir } = cp;
  await api(url, 'POST', '/api/auth/invite/accept', {
    token: setupToken(appliance),
    password: adminA.password,
  });
  tokenA = await adminA.token(url);

  // Tenant A: a real detection on this host.
  spawn('sh', ['-c', 'echo c2xlZXAgMwo= | base64 -d | sh'], { stdio: 'ignore' }).unref();
  const deadline = Date.now() + 30_000;
  while (!alertA && Date.now() < deadline) {
    const page = await api<{ items: Array<{ id: string; title: string }> }>(
      url,
      'GET',
      '/api/alerts',
      undefined,
      tokenA,
    );
    alertA = page.items.find((item) => /base64/i.test(item.title));
    if (!alertA) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!alertA) throw new Error('the appliance raised no alert for the base64 pipe');
  // A custom rule in tenant A only.
  await api(
    url,
    'POST',
    '/api/rules/files',
    {
      slug: 'tenant-a-only',
      text: [
        'title: Tenant A private rule',
        'id: 6f1d5c1e-8a52-4c0e-9d7e-1a2b3c4d5e6f',
        'logsource: { product: linux, category: process_creation }',
        'detection:',
        '  selection: { Image|endswith: /tenant-a-secret }',
        '  condition: selection',
        'level: low',
      ].join('\n'),
      enabled: true,
    },
    tokenA,
  );

  // Tenant B, created by the platform operator; its administrator accepts the mailed invitation.
  const created = await api<{ tenant: { id: string } }>(
    url,
    'POST',
    '/api/platform/tenants',
    { slug: adminB.tenant, name: 'Other plant', adminEmail: adminB.email },
    tokenA,
  );
  const invite = await mailedToken(dataDir, adminB.email, '/accept-invite');
  const page = await newPage();
  await page.goto(`${url}/accept-invite?token=${encodeURIComponent(invite)}`);
  await page.getByLabel('New password').fill(adminB.password);
  await page.getByLabel('Repeat the password').fill(adminB.password);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByText(`${adminB.email} can now sign in`).waitFor();
  await page.context().close();

  // Tenant B's own alert, raised the collector's way.
  const superuser = new pg.Pool({ connectionString: await cp.superuserUrl(), max: 1 });
  try {
    const [raised] = await raiseAlerts(superuser, created.tenant.id, [
      alertInput({ title: 'Tenant B modbus write burst', host_name: 'plc-gw-b', severity: 'high' }),
    ]);
    alertB = { id: raised!.id, title: 'Tenant B modbus write burst' };
  } finally {
    await superuser.end();
  }
}, 180_000);

afterAll(async () => {
  await cp?.close();
}, 60_000);

describe.skipIf(!available)('two tenants in the browser', () => {
  it('tenant B sees none of tenant A’s alerts, agents or rules, and A none of B’s', async () => {
    const { url } = cp!;
    const b = await newPage();
    await adminB.signIn(b, url, '/alerts?status=new,acknowledged,closed&range=all');
    await b.locator(`[data-alert-id="${alertB!.id}"]`).waitFor();
    expect(await b.getByTestId('alert-row').count()).toBe(1);
    await expect.poll(() => b.getByTestId('tenant-slug').textContent()).toBe(adminB.tenant);
    await screenshot(b, 'tenant-b-queue');
    // A's alert by URL: not found, not shown.
    await b.goto(`${url}/alerts/${alertA!.id}`);
    await b.getByRole('alert').waitFor();
    expect(await b.getByRole('alert').textContent()).toMatch(/not found/i);
    expect(await b.content()).not.toContain(alertA!.title);
    await expectAccessible(b, 'alert detail, not found');
    // Agents and rules, through the same session's API: none of A's.
    const tokenB = await adminB.token(url);
    const agents = await api<{ items: unknown[] }>(url, 'GET', '/api/fleet/agents', undefined, tokenB);
    expect(agents.items).toEqual([]);
    const rules = await api<{ items: Array<{ title: string }>; files: Array<{ slug: string }> }>(
      url,
      'GET',
      '/api/rules',
      undefined,
      tokenB,
    );
    expect(rules.files.map((f) => f.slug)).not.toContain('tenant-a-only');
    expect(rules.items.map((r) => r.title)).not.toContain('Tenant A private rule');

    const a = await newPage();
    await adminA.signIn(a, url, '/alerts?status=new,acknowledged,closed&range=all');
    await a.locator(`[data-alert-id="${alertA!.id}"]`).waitFor();
    expect(await a.locator(`[data-alert-id="${alertB!.id}"]`).count()).toBe(0);
    await a.goto(`${url}/alerts/${alertB!.id}`);
    await a.getByRole('alert').waitFor();
    expect(await a.content()).not.toContain(alertB!.title);
  }, 120_000);
});

describe.skipIf(!available)('the tenant switcher of a platform operator', () => {
  it('the operator enters tenant B, sees only B there, and returns to its own tenant', async () => {
    const { url } = cp!;
    const page = await newPage();
    await adminA.signIn(page, url, '/alerts?status=new,acknowledged,closed&range=all');
    await page.locator(`[data-alert-id="${alertA!.id}"]`).waitFor();

    await page.getByRole('button', { name: 'Switch tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch tenant' });
    await dialog.getByLabel('Find a tenant').fill('other');
    await dialog.getByRole('button', { name: /Other plant/ }).waitFor();
    expect(await dialog.getByTestId('tenant-list').getByRole('button').count()).toBe(1);
    await expectAccessible(page, 'tenant switcher');
    await screenshot(page, 'tenant-switcher');
    await dialog.getByRole('button', { name: /Other plant/ }).click();

    // The console reopens inside tenant B: B's alert, never A's, and a banner naming where the operator is.
    await page.getByTestId('operator-banner').waitFor();
    expect(await page.getByTestId('operator-banner').textContent()).toContain('Other plant');
    await expect.poll(() => page.getByTestId('tenant-slug').textContent()).toBe(adminB.tenant);
    await page.goto(`${url}/alerts?status=new,acknowledged,closed&range=all`);
    await page.locator(`[data-alert-id="${alertB!.id}"]`).waitFor();
    expect(await page.locator(`[data-alert-id="${alertA!.id}"]`).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Switch tenant' }).count()).toBe(0);
    await expectAccessible(page, 'alert queue as a platform operator');
    await screenshot(page, 'operator-in-tenant');
    // Its credentials are not changed here.
    await page.goto(`${url}/settings`);
    await page.getByText('your password and your second factor are those of your own tenant').waitFor();

    // Tenant B's administrator sees the operator among its users.
    const tokenB = await adminB.token(url);
    const users = await api<{ items: Array<{ email: string; platformOperator: boolean }> }>(
      url,
      'GET',
      '/api/users?limit=100',
      undefined,
      tokenB,
    );
    expect(users.items.filter((u) => u.platformOperator).map((u) => u.email)).toEqual([adminA.email]);

    // Back home: tenant A again, and the session in tenant B is over.
    await page.getByRole('button', { name: `Return to ${adminA.tenant}` }).click();
    await expect.poll(() => page.getByTestId('tenant-slug').textContent()).toBe(adminA.tenant);
    expect(await page.getByTestId('operator-banner').count()).toBe(0);
    await page.goto(`${url}/alerts?status=new,acknowledged,closed&range=all`);
    await page.locator(`[data-alert-id="${alertA!.id}"]`).waitFor();
    expect(await page.locator(`[data-alert-id="${alertB!.id}"]`).count()).toBe(0);
    const superuser = new pg.Pool({ connectionString: await cp!.superuserUrl(), max: 1 });
    try {
      const { rows } = await superuser.query<{ live: number }>(
        `SELECT count(*) FILTER (WHERE revoked_at IS NULL)::int AS live FROM inosec.sessions
          WHERE delegated_from IS NOT NULL`,
      );
      expect(rows).toEqual([{ live: 0 }]);
    } finally {
      await superuser.end();
    }
    await page.context().close();
  }, 120_000);
});

describe.skipIf(!available)('the platform view of a platform operator', () => {
  it('creates a tenant, suspends it with a reason (gone from the switcher), activates it; others never see it', async () => {
    const { url, dataDir } = cp!;
    const page = await newPage();
    await adminA.signIn(page, url, '/alerts');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Platform' }).click();
    await page.getByRole('heading', { name: 'Platform' }).waitFor();
    await page.locator('[data-tenant-slug="other-plant"]').waitFor();
    expect(await page.locator('[data-tenant-slug="local"]').textContent()).toContain('your tenant');

    await page.getByRole('button', { name: 'Create tenant' }).click();
    const create = page.getByRole('dialog', { name: 'Create tenant' });
    await create.getByLabel('Sign-in name').fill('third-plant');
    await create.getByLabel('Name', { exact: true }).fill('Third plant');
    await create.getByLabel("Administrator's e-mail").fill('c-admin@example.test');
    await expectAccessible(page, 'platform: create tenant');
    await create.getByRole('button', { name: 'Create tenant' }).click();
    await expect
      .poll(() => page.getByTestId('platform-notice').textContent())
      .toBe('Tenant third-plant created; the invitation went to c-admin@example.test.');
    expect(await mailedToken(dataDir, 'c-admin@example.test', '/accept-invite')).toMatch(/\S/);
    const row = page.locator('[data-tenant-slug="third-plant"]');
    await expect.poll(() => row.getByTestId('tenant-status').textContent()).toBe('active');
    await expectAccessible(page, 'platform');
    await screenshot(page, 'platform');

    await row.getByRole('button', { name: 'Suspend…' }).click();
    const suspend = page.getByRole('dialog', { name: 'Suspend Third plant' });
    await suspend.getByLabel('Reason').fill('contract ended');
    await suspend.getByRole('button', { name: 'Suspend' }).click();
    await expect.poll(() => row.getByTestId('tenant-status').textContent()).toBe('suspended');
    expect(await row.textContent()).toContain('contract ended');
    // A suspended tenant cannot be entered: the switcher lists active tenants only.
    await page.getByRole('button', { name: 'Switch tenant' }).click();
    const switcher = page.getByRole('dialog', { name: 'Switch tenant' });
    await switcher.getByLabel('Find a tenant').fill('third');
    await switcher.getByText('No active tenant matches').waitFor();
    await page.keyboard.press('Escape');

    await row.getByRole('button', { name: 'Activate…' }).click();
    await page
      .getByRole('dialog', { name: 'Activate Third plant' })
      .getByRole('button', { name: 'Activate' })
      .click();
    await expect.poll(() => row.getByTestId('tenant-status').textContent()).toBe('active');
    await page.context().close();

    // A tenant administrator has no Platform entry, and the page refuses them.
    const b = await newPage();
    await adminB.signIn(b, url, '/alerts');
    expect(
      await b.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Platform' }).count(),
    ).toBe(0);
    expect(await b.getByRole('button', { name: 'Switch tenant' }).count()).toBe(0);
    await b.goto(`${url}/platform`);
    await expect.poll(() => b.getByRole('alert').textContent()).toContain('super admin only');
    await b.context().close();
  }, 120_000);
});

describe.skipIf(!available)('recovery, filters kept', () => {
  const FILTERS = '/alerts?severity=medium&status=new&host=vm';

  it('an API error shows the server’s reason and a retry that works', async () => {
    const { url } = cp!;
    const page = await newPage();
    const queueList = (requested: URL): boolean => requested.pathname === '/api/alerts';
    await page.route(queueList, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        headers: { 'retry-after': '1' },
        body: JSON.stringify({
          status: 503,
          title: 'Service Unavailable',
          detail: 'the database is busy',
          requestId: 'req-42',
        }),
      }),
    );
    await adminA.signIn(page, url, FILTERS);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('the database is busy (request req-42)');
    await expectAccessible(page, 'alert queue, API error');
    await screenshot(page, 'alert-queue-error');
    await page.unroute(queueList);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('alert-list').waitFor();
    expect(new URL(page.url()).search).toBe(new URL(FILTERS, url).search);
  }, 90_000);

  it('a dropped live stream says so and reconnects', async () => {
    const { url } = cp!;
    const page = await newPage();
    await adminA.signIn(page, url, FILTERS);
    await expect.poll(() => page.getByTestId('stream-status').textContent()).toContain('Live');
    // Cut every TCP connection to the appliance's HTTP port, as a network drop does (ss -K: iproute2, root).
    execFileSync('ss', ['-K', 'dst', '127.0.0.1', 'dport', '=', `:${new URL(url).port}`]);
    await expect.poll(() => page.getByTestId('stream-status').textContent()).toMatch(/reconnecting/i);
    await screenshot(page, 'alert-queue-reconnecting');
    await expect
      .poll(() => page.getByTestId('stream-status').textContent(), { timeout: 40_000 })
      .toContain('Live');
    expect(new URL(page.url()).search).toBe(new URL(FILTERS, url).search);
  }, 90_000);

  it('a tab opened from another shares its session: reloading either never ends it', async () => {
    const { url } = cp!;
    const page = await newPage();
    await adminA.signIn(page, url, FILTERS);
    // window.open copies sessionStorage: both tabs start with the same refresh token.
    const [copy] = await Promise.all([
      page.context().waitForEvent('page'),
      page.evaluate("void window.open('/alerts?status=new,acknowledged,closed&range=all')"),
    ]);
    await copy.getByRole('navigation', { name: 'Main' }).waitFor();
    const family = "sessionStorage.getItem('inosec.family')";
    expect(await copy.evaluate(family)).toBe(await page.evaluate(family));
    for (const tab of [page, copy, page]) {
      await tab.reload();
      await tab.getByRole('navigation', { name: 'Main' }).waitFor();
    }
    // Alone again, the first tab refreshes with the newest token of the session.
    await copy.close();
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(new URL(page.url()).search).toBe(new URL(`${url}${FILTERS}`).search);
    const superuser = new pg.Pool({ connectionString: await cp!.superuserUrl(), max: 1 });
    try {
      const { rows } = await superuser.query(
        `SELECT count(*)::int AS n FROM inosec.sessions WHERE revoked_reason = 'refresh_reuse'`,
      );
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await superuser.end();
    }
    await page.context().close();
  }, 60_000);

  it('an ended session asks for a new sign-in and returns to the same filters', async () => {
    const { url } = cp!;
    const page = await newPage();
    await adminA.signIn(page, url, FILTERS);
    await page.getByTestId('alert-list').waitFor();
    // Every session of the user ends (as "sign out everywhere" on another device does).
    await api(url, 'POST', '/api/auth/logout-all', undefined, await adminA.token(url));
    await page.getByRole('button', { name: 'Clear filters' }).waitFor();
    await page.getByLabel('Time range').selectOption('30d'); // the next request meets the ended session
    await page.getByText('Your session has ended').waitFor();
    await expectAccessible(page, 'sign-in after the session ended');
    await screenshot(page, 'session-ended');
    await page.getByLabel('Password').fill(adminA.password);
    await page.getByLabel('E-mail').fill(adminA.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('alert-list').waitFor();
    const query = new URL(page.url()).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      severity: 'medium',
      status: 'new',
      host: 'vm',
      range: '30d',
    });
  }, 90_000);
});
