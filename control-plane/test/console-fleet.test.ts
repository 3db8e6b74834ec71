// The console's Fleet view in a real browser (Debian's Chromium via playwright-core) against the appliance as
// `npm start` runs it: the appliance's own agent appears online with its version; the filters live in the URL
// and survive the 15-second refresh; the revoke dialog says what revoking does and Cancel leaves the agent
// alone; an enrollment token created in the console shows its install command once (copied to the clipboard,
// or selected when the clipboard is refused), the API lists it, and revoking it in the console revokes it in
// the API; a group created in the console receives the agent moved there. axe-core checks every tab;
// screenshots go to dashboards/test-results/screenshots/.
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
  status: 'online' | 'offline' | 'revoked';
  groupId: string;
  groupName: string;
}
interface TokenItem {
  id: string;
  description: string;
  groupName: string;
  maxUses: number;
  uses: number;
  expiresAt: string;
  revokedAt: string | null;
  status: 'active' | 'used' | 'expired' | 'revoked';
}
interface GroupItem {
  id: string;
  name: string;
  policyVersion: number | null;
}

const available = browserAvailable();
let cp: ConsoleAppliance | undefined;
const admin = new ConsoleUser('local', 'admin@localhost.localdomain', 'console-fleet-password-1');

beforeAll(async () => {
  if (available) cp = await startConsoleAppliance();
}, 120_000);

afterAll(async () => {
  await cp?.close();
}, 60_000);

describe.skipIf(!available)('the Fleet view in Chromium', () => {
  it('lists the local agent online, filters in the URL, revoke dialog, enrollment tokens, groups', async () => {
    const { url, browser, appliance } = cp!;
    await api(url, 'POST', '/api/auth/invite/accept', {
      token: setupToken(appliance),
      password: admin.password,
    });
    const token = await admin.token(url);
    const get = <T>(route: string) => api<T>(url, 'GET', route, undefined, token);

    // The appliance enrolls its own agent shortly after start; wait for its first heartbeat.
    let agent: AgentItem | undefined;
    const deadline = Date.now() + 90_000;
    while (!agent && Date.now() < deadline) {
      const page = await get<{ items: AgentItem[] }>('/api/fleet/agents?status=online');
      agent = page.items[0];
      if (!agent) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(agent, 'the local agent never came online').toBeDefined();
    const local = agent!;

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // The agents table: the local agent, online (the label, not only a colour), with its version.
    await admin.signIn(page, url, '/fleet');
    await page.getByRole('heading', { name: 'Fleet', level: 1 }).waitFor();
    const row = page.locator(`[data-agent-id="${local.id}"]`);
    await row.waitFor();
    expect(await row.getByRole('link').textContent()).toBe(local.hostName);
    expect(await row.getByTestId('agent-status').textContent()).toContain('Online');
    expect(await row.getByTestId('agent-version').textContent()).toBe(local.version);
    expect(await row.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    await expectAccessible(page, 'fleet agents');
    await screenshot(page, 'fleet');

    // Filters go to the URL and to the API: "offline" hides the online agent, a host search finds it.
    await page.getByLabel('Status').selectOption('offline');
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('offline');
    await page.getByText('No agent matches these filters').waitFor();
    expect(await row.count()).toBe(0);
    await page.getByLabel('Status').selectOption('online');
    await row.waitFor();
    const search = page.getByLabel('Search host name or agent id');
    await search.fill('no-such-host-anywhere');
    await search.press('Enter');
    await page.getByText('No agent matches these filters').waitFor();
    await search.fill(local.hostName.slice(0, Math.max(3, local.hostName.length - 1)).toUpperCase());
    await search.press('Enter');
    await row.waitFor();
    const filtered = new URL(page.url());
    expect(filtered.searchParams.get('status')).toBe('online');
    expect(filtered.searchParams.get('q')?.toLowerCase()).toBe(
      local.hostName.slice(0, Math.max(3, local.hostName.length - 1)).toLowerCase(),
    );

    // The live refresh (every 15 s) re-reads the agents and keeps the filters.
    const updated = page.getByTestId('agents-updated');
    const before = await updated.textContent();
    expect(before).toContain('refreshes every 15 s');
    await expect.poll(() => updated.textContent(), { timeout: 25_000, interval: 500 }).not.toBe(before);
    expect(page.url()).toBe(filtered.toString());
    await row.waitFor();

    // The revoke dialog says what revoking does; Cancel leaves the agent enrolled and online.
    await row.getByRole('button', { name: `Revoke ${local.hostName}` }).click();
    const revokeDialog = page.getByRole('dialog', { name: `Revoke ${local.hostName}?` });
    await revokeDialog.waitFor();
    const revokeText = await revokeDialog.textContent();
    expect(revokeText).toContain("the agent's next connection to a collector or to the control plane fails");
    expect(revokeText).toContain('This cannot be undone');
    await expectAccessible(page, 'fleet revoke dialog');
    await revokeDialog.getByRole('button', { name: 'Cancel' }).click();
    await revokeDialog.waitFor({ state: 'detached' });
    const still = await get<AgentItem>(`/api/fleet/agents/${encodeURIComponent(local.id)}`);
    expect(still.status).toBe('online');

    // Enrollment tokens: create one in the console; its install command carries the token the API issued.
    await page
      .getByRole('navigation', { name: 'Fleet sections' })
      .getByRole('link', { name: 'Enrollment tokens' })
      .click();
    await page.getByRole('button', { name: 'Create enrollment token' }).click();
    const createDialog = page.getByRole('dialog', { name: 'Create an enrollment token' });
    await createDialog.getByLabel('Description').fill('console fleet test rollout');
    await createDialog.getByLabel('Valid for').selectOption(String(7 * 86_400));
    await createDialog.getByLabel('Hosts it can enroll').fill('3');
    const created = page.waitForResponse(
      (response) =>
        response.url() === `${url}/api/fleet/enrollment-tokens` && response.request().method() === 'POST',
    );
    await createDialog.getByRole('button', { name: 'Create token' }).click();
    const issued = (await (await created).json()) as { id: string; token: string; installCommand: string };
    const shown = page.getByRole('dialog', { name: 'Enrollment token created' });
    await shown.waitFor();
    const command = await shown.getByTestId('install-command').inputValue();
    expect(issued.token.length).toBeGreaterThan(20);
    expect(command).toBe(issued.installCommand);
    expect(command).toMatch(/^inosec-agent enroll /);
    expect(command).toContain(`--token ${issued.token}`);
    expect(await shown.textContent()).toContain('shown only this once');

    // Copy: the clipboard holds the command and the dialog says "Copied".
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(command);
    await expectAccessible(page, 'fleet token created');
    await screenshot(page, 'fleet-token');
    // A refused clipboard: the command is selected (whole) for Ctrl+C, and the dialog says so.
    await page.evaluate(
      `navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'))`,
    );
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByText('The browser refused the clipboard').waitFor();
    const selection = await page.evaluate(
      `(() => { const el = document.activeElement; return el && el.tagName === 'TEXTAREA' ? [el.selectionStart, el.selectionEnd, el.value] : null })()`,
    );
    expect(selection).toEqual([0, command.length, command]);
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });

    // The API lists the token (never its secret) as created.
    const tokens = await get<{ items: TokenItem[] }>('/api/fleet/enrollment-tokens');
    const listed = tokens.items.find((item) => item.id === issued.id);
    expect(listed).toMatchObject({
      description: 'console fleet test rollout',
      maxUses: 3,
      uses: 0,
      status: 'active',
      revokedAt: null,
    });
    expect(JSON.stringify(tokens)).not.toContain(issued.token);
    const ttl = new Date(listed!.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 600_000);
    expect(ttl).toBeLessThanOrEqual(7 * 86_400_000);

    // Revoke it in the console: the row says Revoked, the API says revoked.
    const tokenRow = page.locator(`[data-token-id="${issued.id}"]`);
    expect(await tokenRow.getByTestId('token-status').textContent()).toBe('Active');
    await tokenRow.getByRole('button', { name: /^Revoke/ }).click();
    const revokeToken = page.getByRole('dialog', { name: 'Revoke this enrollment token?' });
    expect(await revokeToken.textContent()).toContain('Agents it already enrolled stay enrolled');
    await revokeToken.getByRole('button', { name: 'Revoke token' }).click();
    await revokeToken.waitFor({ state: 'detached' });
    await expect.poll(() => tokenRow.getByTestId('token-status').textContent()).toBe('Revoked');
    const after = await get<{ items: TokenItem[] }>('/api/fleet/enrollment-tokens');
    const revoked = after.items.find((item) => item.id === issued.id);
    expect(revoked?.status).toBe('revoked');
    expect(revoked?.revokedAt).not.toBeNull();
    await expectAccessible(page, 'fleet tokens');
    await screenshot(page, 'fleet-tokens');

    // Groups: create one in the console; it has a policy version; move the local agent into it.
    await page
      .getByRole('navigation', { name: 'Fleet sections' })
      .getByRole('link', { name: 'Groups' })
      .click();
    await page.getByRole('button', { name: 'Create group' }).click();
    const groupDialog = page.getByRole('dialog', { name: 'Create an agent group' });
    await groupDialog.getByLabel('Name').fill('Plant floor');
    await groupDialog.getByRole('button', { name: 'Create group' }).click();
    await groupDialog.waitFor({ state: 'detached' });
    const groups = await get<{ items: GroupItem[] }>('/api/fleet/groups');
    const plant = groups.items.find((group) => group.name === 'Plant floor');
    expect(plant?.policyVersion).toEqual(expect.any(Number));
    const groupRow = page.locator(`[data-group-id="${plant!.id}"]`);
    expect(await groupRow.textContent()).toContain(`v${plant!.policyVersion}`);
    await expectAccessible(page, 'fleet groups');
    await screenshot(page, 'fleet-groups');

    // The Agents tab link comes back with the filters last used there.
    await page
      .getByRole('navigation', { name: 'Fleet sections' })
      .getByRole('link', { name: 'Agents' })
      .click();
    expect(page.url()).toBe(filtered.toString());
    await row.getByRole('button', { name: `Move ${local.hostName} to another group` }).click();
    const moveDialog = page.getByRole('dialog', { name: `Move ${local.hostName}` });
    await moveDialog.getByLabel('New group').selectOption(plant!.id);
    await moveDialog.getByRole('button', { name: 'Move agent' }).click();
    await moveDialog.waitFor({ state: 'detached' });
    await page.getByTestId('agents-notice').getByText(`moved to Plant floor`).waitFor();
    await expect.poll(() => row.locator('td').nth(4).textContent()).toBe('Plant floor');
    const moved = await get<AgentItem>(`/api/fleet/agents/${encodeURIComponent(local.id)}`);
    expect(moved.groupId).toBe(plant!.id);
    expect(moved.status).toBe('online');

    // The agent's page: its health, group and sensors; the way back keeps the filters.
    await row.getByRole('link', { name: local.hostName }).click();
    await page.getByRole('heading', { name: local.hostName, level: 2 }).waitFor();
    const facts = page.getByRole('region', { name: `Agent ${local.hostName}` });
    await expect.poll(() => facts.textContent()).toContain('Plant floor');
    expect(await facts.textContent()).toContain(local.version);
    await page.getByRole('heading', { name: 'Sensors' }).waitFor();
    await expectAccessible(page, 'fleet agent');
    await screenshot(page, 'fleet-agent');
    await page.getByRole('link', { name: '← All agents' }).click();
    expect(page.url()).toBe(filtered.toString());
    await row.waitFor();

    expect(pageErrors).toEqual([]);
  }, 300_000);
});
