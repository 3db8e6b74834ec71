// The console's Rules view in Chromium against the appliance as `npm start` runs it: the shipped rules are
// listed and found by search (the filter lands in the URL and survives a reload); a rule switched off in the
// UI is off in the API and back on again; a refused switch rolls back with an error; an invalid Sigma file is
// refused with the API's own message shown next to the text (with its line) and the text kept; the fixed
// file is stored and listed as a tenant rule; the file is deleted. axe-core on each page; screenshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const admin = new ConsoleUser('local', 'admin@localhost.localdomain', 'console-rules-password-1');

const SHIPPED_KEY = 'ba592c6d-6888-43c3-b8c6-689b8fe47337';
const SHIPPED_TITLE = 'Linux Base64 Encoded Pipe to Shell';
const OWN_ID = '5b0c7d4e-8f1a-4c2b-9d3e-7a6f5e4d3c2b';
const OWN_TITLE = 'Curl Piped To Shell';

// `detection` (line 8) has no `condition`: the loader refuses it.
const INVALID = [
  `title: ${OWN_TITLE}`,
  `id: ${OWN_ID}`,
  'status: experimental',
  'description: curl output piped straight into a shell',
  'logsource:',
  '  product: linux',
  '  category: process_creation',
  'detection:',
  '  selection:',
  '    CommandLine|contains|all:',
  "      - 'curl '",
  "      - '| sh'",
  'level: high',
].join('\n');
const FIXED = INVALID.replace('level: high', '  condition: selection\nlevel: high');

interface RuleList {
  items: Array<{ key: string; title: string; source: string; file: string | null; enabled: boolean }>;
  files: Array<{ slug: string; enabled: boolean; rules: number }>;
}

beforeAll(async () => {
  if (available) cp = await startConsoleAppliance();
}, 120_000);

afterAll(async () => {
  await cp?.close();
}, 60_000);

describe.skipIf(!available)('the Rules view in Chromium', () => {
  it('lists and finds shipped rules, switches one off and on, refuses an invalid file inline, stores the fixed one', async () => {
    const { url, browser, appliance } = cp!;
    await api(url, 'POST', '/api/auth/invite/accept', {
      token: setupToken(appliance),
      password: admin.password,
    });
    const token = await admin.token(url);
    const rules = (query = '') => api<RuleList>(url, 'GET', `/api/rules${query}`, undefined, token);
    const shippedEnabled = async () => (await rules()).items.find((r) => r.key === SHIPPED_KEY)?.enabled;
    const all = await rules();
    expect(all.items.find((r) => r.key === SHIPPED_KEY)).toMatchObject({
      title: SHIPPED_TITLE,
      enabled: true,
    });

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // Every rule the API lists, in a windowed table (only the rows on screen are in the page).
    await admin.signIn(page, url, '/rules');
    await page.getByTestId('rule-list').waitFor();
    expect(await page.getByTestId('rules-shown').textContent()).toBe(
      `${all.items.length.toLocaleString('en-US')} of ${all.items.length.toLocaleString('en-US')} shown`,
    );
    expect(all.items.length).toBeGreaterThan(200);
    expect(await page.getByTestId('rule-row').count()).toBeLessThan(80);
    await expectAccessible(page, 'rules');
    await screenshot(page, 'rules');

    // Search finds the shipped rule; the filter is in the URL and survives a reload.
    await page.getByRole('searchbox', { name: 'Search rules' }).fill('base64 encoded pipe');
    const row = page.locator(`[data-rule-key="${SHIPPED_KEY}"]`);
    await row.waitFor();
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('base64 encoded pipe');
    expect(await row.textContent()).toContain(SHIPPED_TITLE);
    expect(await row.textContent()).toContain('shipped');
    const toggle = row.getByRole('switch', { name: `Enable ${SHIPPED_TITLE}` });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');

    // Off in the UI → off in the API (this tenant); still off after a reload; back on.
    await toggle.click();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await expect
      .poll(() => page.getByTestId('rules-notice').textContent())
      .toBe(`“${SHIPPED_TITLE}” disabled for this tenant`);
    expect(await shippedEnabled()).toBe(false);
    await page.reload();
    await row.waitFor();
    expect(await page.getByRole('searchbox', { name: 'Search rules' }).inputValue()).toBe(
      'base64 encoded pipe',
    );
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    await expect
      .poll(() => page.getByTestId('rules-notice').textContent())
      .toContain('enabled for this tenant');
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(await shippedEnabled()).toBe(true);

    // A switch the API refuses rolls back, with the API's message.
    await page.route('**/api/rules/switch', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'the rule store is busy' }),
      }),
    );
    await toggle.click();
    const refused = page.getByRole('alert').filter({ hasText: 'Could not disable' });
    await refused.waitFor();
    expect(await refused.textContent()).toContain('the rule store is busy');
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(await shippedEnabled()).toBe(true);
    await page.unroute('**/api/rules/switch');

    // An invalid file: the API's message, next to the text, at the line of `detection`; the text is kept.
    const refusal = await fetch(`${url}/api/rules/files`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ slug: 'acme-curl', text: INVALID }),
    });
    expect(refusal.status).toBe(422);
    const problem = (await refusal.json()) as { errors: Array<{ path: string; message: string }> };
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors[0]!.message).toContain("missing key 'condition'");

    await page.getByRole('button', { name: 'Upload a rule file' }).click();
    await page.getByRole('heading', { name: 'Upload a rule file' }).waitFor();
    await page.getByLabel('File name (slug)').fill('acme-curl');
    const editor = page.getByLabel('Rule file text (Sigma YAML)');
    await editor.fill(INVALID);
    await page.getByRole('button', { name: 'Validate and upload' }).click();
    const shown = page.getByTestId('rule-problem');
    await shown.waitFor();
    expect(await shown.count()).toBe(1);
    expect(await shown.textContent()).toContain(problem.errors[0]!.message);
    expect(await shown.getAttribute('data-line')).toBe('8');
    expect(await shown.getByRole('button').textContent()).toBe('near line 8');
    expect(await page.getByTestId('rule-problems').textContent()).toContain('Not stored: 1 problem');
    expect(await page.locator('[data-problem-line]').allTextContents()).toEqual(['!8']);
    expect(await editor.inputValue()).toBe(INVALID);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page.url()).pathname).toBe('/rules/new');
    expect((await rules('?source=tenant')).files).toEqual([]);
    await expectAccessible(page, 'rule upload with problems');
    await screenshot(page, 'rules-upload-invalid');

    // Fixed and stored: the file's page, then the rule listed as a tenant rule.
    await editor.fill(FIXED);
    await page.getByRole('button', { name: 'Validate and upload' }).click();
    await page.getByRole('heading', { name: 'acme-curl', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/rules/files/acme-curl');
    expect(await page.getByText('Stored: 1 rule loaded and enabled').count()).toBe(1);
    expect(await page.getByTestId('rule-file-text').textContent()).toContain('condition: selection');
    await expectAccessible(page, 'rule file');
    await screenshot(page, 'rules-file');
    const stored = await rules('?source=tenant');
    expect(stored.items).toEqual([
      expect.objectContaining({
        key: OWN_ID,
        title: OWN_TITLE,
        source: 'tenant',
        file: 'acme-curl',
        enabled: true,
      }),
    ]);
    expect(stored.files).toEqual([expect.objectContaining({ slug: 'acme-curl', enabled: true, rules: 1 })]);

    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Rules' }).click();
    const own = page.locator(`[data-rule-key="${OWN_ID}"]`);
    await own.waitFor();
    expect(new URL(page.url()).searchParams.get('source')).toBe('tenant');
    expect(await page.getByTestId('rule-row').count()).toBe(1);
    expect(await own.textContent()).toContain(OWN_TITLE);
    expect(await own.textContent()).toContain('tenant');
    expect(await own.getByRole('switch', { name: `Enable ${OWN_TITLE}` }).getAttribute('aria-checked')).toBe(
      'true',
    );
    expect(await page.locator('[data-testid="rule-file"][data-slug="acme-curl"]').textContent()).toContain(
      '1 rule',
    );

    // Deleted from its page: gone from the API and the list.
    await page.getByRole('link', { name: 'acme-curl', exact: true }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete the file' }).click();
    await page.getByText('Rule file acme-curl deleted').waitFor();
    expect(new URL(page.url()).pathname).toBe('/rules');
    expect((await rules('?source=tenant')).files).toEqual([]);
    expect(await page.locator(`[data-rule-key="${OWN_ID}"]`).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
