// The console's Hunt and Assets views in a real browser (Debian's Chromium via playwright-core) against the
// appliance as `npm start` runs it, with its local agent streaming this host's real process events: a command
// line carrying a unique marker is found by a hunt built in the console (the hunt lives in the URL and a reload
// shows the same results); an unknown field typed into the URL shows the API's 422 next to its condition; a
// Sigma rule run from the console matches the marker; the Assets view lists the appliance's host online with
// its agent version and a link to its alerts. axe-core checks both views; screenshots go to
// dashboards/test-results/screenshots/.
import { spawn } from 'node:child_process';
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

interface AgentItem {
  id: string;
  hostName: string;
  version: string;
  status: string;
}
interface AssetItem {
  id: string;
  kind: string;
  name: string;
  agentId: string | null;
  agentVersion: string | null;
  status: string;
  openAlerts: number;
}
interface HuntRow {
  agentId: string;
  seq: number | string;
  hostName: string | null;
  fields: Record<string, unknown>;
}

const available = browserAvailable();
let cp: ConsoleAppliance | undefined;
const admin = new ConsoleUser('local', 'admin@localhost.localdomain', 'console-hunt-password-1');
const marker = `inosec-hunt-marker-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  if (available) cp = await startConsoleAppliance();
}, 120_000);

afterAll(async () => {
  await cp?.close();
}, 60_000);

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe.skipIf(!available)('the Hunt and Assets views in Chromium', () => {
  it('hunts the local agent real process events, shows 422s inline, keeps the hunt in the URL, lists assets', async () => {
    const { url, browser, appliance } = cp!;
    await api(url, 'POST', '/api/auth/invite/accept', {
      token: setupToken(appliance),
      password: admin.password,
    });
    const token = await admin.token(url);
    const get = <T>(route: string) => api<T>(url, 'GET', route, undefined, token);

    const agent = await until('the local agent online', 90_000, async () => {
      const page = await get<{ items: AgentItem[] }>('/api/fleet/agents?status=online');
      return page.items[0];
    });

    // A recognisable command on this host; the local agent streams its process event. Spawned again while
    // the event has not arrived (the agent's process sensor may start after the first one).
    const where = JSON.stringify([{ field: 'processCommandLine', op: 'contains', value: marker }]);
    let spawnedAt = 0;
    const event = await until('the marker command in the hunt API', 60_000, async () => {
      if (Date.now() - spawnedAt > 10_000) {
        spawn('sh', ['-c', `echo ${marker}; sleep 2`], { stdio: 'ignore' }).unref();
        spawnedAt = Date.now();
      }
      const page = await get<{ items: HuntRow[] }>(
        `/api/hunt/events?table=events&where=${encodeURIComponent(where)}`,
      );
      return page.items[0];
    });
    expect(String(event.fields['processCommandLine'])).toContain(marker);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // The builder: one condition on the command line; Run puts the hunt in the URL and lists the event.
    await admin.signIn(page, url, '/hunt');
    await page.getByRole('heading', { name: 'Hunt', level: 1 }).waitFor();
    await page.getByText('Build a hunt').waitFor();
    await expectAccessible(page, 'hunt (empty)');
    await page.getByLabel('Table', { exact: true }).selectOption('events');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Field of condition 1').fill('processCommandLine');
    await page.getByLabel('Operator of condition 1').selectOption('contains');
    await page.getByLabel('Value of condition 1').fill(marker);
    await page.getByRole('button', { name: 'Run hunt' }).click();
    const results = page.getByTestId('hunt-results');
    const markerRow = results.getByTestId('hunt-row').filter({ hasText: marker });
    await markerRow.first().waitFor();
    const shared = new URL(page.url());
    expect(shared.pathname).toBe('/hunt');
    expect(shared.searchParams.get('table')).toBe('events');
    expect(JSON.parse(shared.searchParams.get('where') ?? '[]')).toEqual([
      { field: 'processCommandLine', op: 'contains', value: marker },
    ]);
    // Every listed row holds the marker (the condition reached the API), and its host is the agent's.
    const texts = await results.getByTestId('hunt-row').allTextContents();
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text).toContain(marker);
    expect(texts[0]).toContain(agent.hostName);
    // The raw JSON of a row opens in place.
    await markerRow
      .first()
      .getByRole('button', { name: /Show the raw event/ })
      .click();
    const raw = JSON.parse((await page.getByTestId('hunt-raw').first().textContent()) ?? '{}') as HuntRow & {
      time: string;
    };
    expect(raw.agentId).toBe(agent.id);
    expect(String(raw.fields['processCommandLine'])).toContain(marker);
    await expectAccessible(page, 'hunt results');
    await screenshot(page, 'hunt');

    // A reload keeps the URL and shows the same results, the builder restored from it.
    const before = await results.getByTestId('hunt-row').count();
    await page.reload();
    await markerRow.first().waitFor();
    expect(page.url()).toBe(shared.toString());
    expect(await page.getByLabel('Value of condition 1').inputValue()).toBe(marker);
    expect(await results.getByTestId('hunt-row').count()).toBeGreaterThanOrEqual(before);

    // A custom range (from/to in the URL) around the event keeps it; one that ends before it drops it.
    await page.getByLabel('Time range').selectOption('custom');
    await page.getByRole('button', { name: 'Run hunt' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('custom');
    const custom = new URL(page.url());
    expect(Date.parse(custom.searchParams.get('from') ?? '')).toBeLessThan(Date.parse(raw.time));
    expect(Date.parse(custom.searchParams.get('to') ?? '')).toBeGreaterThan(Date.parse(raw.time));
    await markerRow.first().waitFor();
    const early = new URL(custom);
    early.searchParams.set('to', new Date(Date.parse(raw.time) - 3_600_000).toISOString());
    early.searchParams.set('from', new Date(Date.parse(raw.time) - 7_200_000).toISOString());
    await page.goto(early.toString());
    await page.getByText('No events match').waitFor();
    expect(await page.getByTestId('hunt-row').count()).toBe(0);

    // An unknown field typed into the URL: the API's 422 message, shown next to that condition.
    const bogus = JSON.stringify([{ field: 'noSuchField', op: 'eq', value: 'x' }]);
    const refused = await fetch(`${url}/api/hunt/events?table=events&where=${encodeURIComponent(bogus)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as { errors?: Array<{ path: string; message: string }> };
    const apiMessage = problem.errors?.[0]?.message ?? '';
    expect(apiMessage).toContain('noSuchField');
    await page.goto(`${url}/hunt?table=events&where=${encodeURIComponent(bogus)}`);
    const condition = page.getByTestId('hunt-condition').first();
    await condition.getByTestId('condition-error').waitFor();
    expect(await condition.getByTestId('condition-error').textContent()).toBe(apiMessage);
    expect(await condition.getByLabel('Field of condition 1').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('hunt-row').count()).toBe(0);

    // Assets: the appliance's host, online (a label), with its agent version and a link to its alerts.
    const assets = await get<{ items: AssetItem[] }>('/api/assets?kind=host');
    const asset = assets.items.find((item) => item.agentId === agent.id);
    expect(asset, 'the API lists the local agent as an asset').toBeDefined();
    await page.goto(`${url}/assets`);
    await page.getByRole('heading', { name: 'Assets', level: 1 }).waitFor();
    const row = page.locator(`[data-asset-name="${agent.hostName}"]`);
    await row.waitFor();
    expect(await row.getByTestId('asset-status').textContent()).toContain('Online');
    expect(await row.getByTestId('asset-version').textContent()).toBe(agent.version);
    const alerts = row.getByRole('link', { name: new RegExp(`open alerts on ${agent.hostName}`) });
    expect(await alerts.getAttribute('href')).toBe(`/alerts?host=${encodeURIComponent(agent.hostName)}`);
    expect(await alerts.textContent()).toContain(`${asset!.openAlerts} open`);
    await expectAccessible(page, 'assets');
    await screenshot(page, 'assets');
    // The search goes to the URL; a name that matches nothing empties the table.
    await page.getByLabel('Search by name or address').fill('no-such-asset-anywhere');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No asset matches').waitFor();
    expect(new URL(page.url()).searchParams.get('q')).toBe('no-such-asset-anywhere');
    await page.getByRole('button', { name: 'Clear' }).click();
    await row.waitFor();
    await row.getByRole('link', { name: new RegExp(`open alerts on ${agent.hostName}`) }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/alerts');
    expect(new URL(page.url()).searchParams.get('host')).toBe(agent.hostName);
    // Sigma: a detection rule on the marker's command line, run over the last hour.
    await page.goto(`${url}/hunt/sigma?range=1h`);
    await page.getByLabel('Sigma rule (YAML, detection rules only)').fill('title: broken\ndetection: [\n');
    await page.getByRole('button', { name: 'Run rule' }).click();
    await page.getByTestId('sigma-error').waitFor();
    const badRule = await fetch(`${url}/api/hunt/sigma`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rule: 'title: broken\ndetection: [\n' }),
    });
    expect(badRule.status).toBe(422);
    const loader = (await badRule.json()) as { detail?: string; errors?: Array<{ message: string }> };
    const loaderMessage = loader.errors?.[0]?.message ?? loader.detail ?? '';
    expect(loaderMessage).not.toBe('');
    expect(await page.getByTestId('sigma-error').textContent()).toContain(loaderMessage);
    const rule = [
      'title: Console hunt marker',
      'id: 6d1c8f3e-2b4a-4f7e-9c1d-0a5b3e7f9d21',
      'status: test',
      'logsource:',
      '  product: linux',
      '  category: process_creation',
      'detection:',
      '  selection:',
      `    CommandLine|contains: '${marker}'`,
      '  condition: selection',
      'level: low',
      '',
    ].join('\n');
    await page.getByLabel('Sigma rule (YAML, detection rules only)').fill(rule);
    await page.getByRole('button', { name: 'Run rule' }).click();
    const summary = page.getByTestId('sigma-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Console hunt marker');
    expect(await summary.textContent()).toMatch(/scanned [\d,]+ events/);
    const matches = await page.getByTestId('hunt-row').allTextContents();
    expect(matches.length).toBeGreaterThan(0);
    for (const text of matches) expect(text).toContain(marker);
    await expectAccessible(page, 'hunt sigma');
    await screenshot(page, 'hunt-sigma');

    expect(pageErrors).toEqual([]);
  }, 300_000);
});
