// The console's incidents view in a real browser (Debian's Chromium through playwright-core) against the
// appliance as `npm start` runs it. A command a shipped Sigma rule detects runs on this host and the local
// agent → collector → detector path raises the alert; the analyst creates an incident in the console, adds
// the alert by its id, writes a note, assigns it, and moves it through the status workflow
// (open → investigating → contained → resolved → closed → reopened), seeing only the transitions the API
// allows. Every step is checked on screen and in the API (GET /api/incidents/{id}), the timeline shows the
// alert's matched event in time order, a change made elsewhere arrives live, and axe-core checks the list
// and the detail.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
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

interface Detail {
  id: string;
  number: number;
  title: string;
  description: string;
  severity: string;
  status: string;
  assignee: { id: string; email: string; displayName: string } | null;
  resolution: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  alertCount: number;
  alerts: Array<{ id: string; incidentId: string | null }>;
  notes: Array<{ id: string; body: string; authorId: string | null }>;
  activity: Array<{ kind: string; details: Record<string, unknown> }>;
  timeline: Array<
    | { type: 'activity'; at: string; activity: { kind: string } }
    | { type: 'event'; at: string; alertId: string | null; event: { fields: Record<string, unknown> } }
  >;
}

const available = browserAvailable();
let cp: ConsoleAppliance | undefined;
const admin = new ConsoleUser('local', 'admin@localhost.localdomain', 'incidents-admin-password-1');
let token = '';
let alert: { id: string; title: string } | undefined;

beforeAll(async () => {
  if (!available) return;
  cp = await startConsoleAppliance();
  const { url, appliance } = cp;
  await api(url, 'POST', '/api/auth/invite/accept', {
    token: setupToken(appliance),
    password: admin.password,
  });
  token = await admin.token(url);

  // SigmaHQ's "Linux Base64 Encoded Pipe to Shell" detects this command, seen by the local agent.
  spawn('sh', ['-c', 'echo c2xlZXAgMwo= | base64 -d | sh'], { stdio: 'ignore' }).unref();
  const deadline = Date.now() + 30_000;
  while (!alert && Date.now() < deadline) {
    const page = await api<{ items: Array<{ id: string; title: string }> }>(
      url,
      'GET',
      '/api/alerts',
      undefined,
      token,
    );
    alert = page.items.find((item) => /base64/i.test(item.title));
    if (!alert) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!alert) throw new Error('the appliance raised no alert for the base64 pipe');
}, 120_000);

afterAll(async () => {
  await cp?.close();
}, 60_000);

/** The buttons of the status workflow, in order. */
async function transitions(page: Page): Promise<string[]> {
  const names = await page
    .getByRole('group', { name: 'Status workflow' })
    .getByRole('button')
    .allTextContents();
  return names.filter((name) => !name.startsWith('Edit'));
}

describe.skipIf(!available)('the incidents view in Chromium', () => {
  it('creates an incident, adds the real alert, a note, and walks the status workflow', async () => {
    const { url, browser } = cp!;
    const detail = (id: string) => api<Detail>(url, 'GET', `/api/incidents/${id}`, undefined, token);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // A fresh appliance has no incident: the list says so.
    await admin.signIn(page, url, '/incidents');
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    await page.getByText('No active incidents').waitFor();
    await expect.poll(() => page.getByTestId('incident-stream-status').textContent()).toContain('Live');

    // Create one from the list.
    await page.getByRole('button', { name: 'New incident' }).click();
    const dialog = page.getByRole('dialog', { name: 'New incident' });
    await dialog.getByLabel('Title').fill('Encoded shell pipeline on the appliance');
    await dialog.getByLabel('Severity').selectOption('high');
    await dialog.getByLabel('Description (optional)').fill('A base64 payload was piped into sh.');
    await dialog.getByRole('button', { name: 'Create incident' }).click();
    await page.getByRole('heading', { name: 'Encoded shell pipeline on the appliance', level: 1 }).waitFor();
    const id = /^\/incidents\/([0-9a-f-]{36})$/.exec(new URL(page.url()).pathname)?.[1];
    expect(id, `the console did not open the new incident: ${page.url()}`).toBeDefined();
    let held = await detail(id!);
    expect(held).toMatchObject({
      title: 'Encoded shell pipeline on the appliance',
      description: 'A base64 payload was piped into sh.',
      severity: 'high',
      status: 'open',
      alertCount: 0,
      assignee: null,
    });
    await expect.poll(() => page.getByTestId('incident-status').textContent()).toBe('open');
    expect(await transitions(page)).toEqual(['Start investigating', 'Mark contained', 'Resolve…', 'Close…']);

    // An id the tenant has no alert for is refused, with the API's reason at the field.
    const alertField = page.getByLabel('Alert id or link');
    await alertField.fill(randomUUID());
    await page.getByRole('button', { name: 'Add alert' }).click();
    await expect
      .poll(() => page.locator('#add-alert-error').textContent())
      .toContain('do not exist in this tenant');
    expect((await detail(id!)).alertCount).toBe(0);

    // Add the real alert by its id: it is listed with a link to its page, and the timeline gains its
    // matched event (the base64 pipeline's command line).
    await alertField.fill(alert!.id);
    await page.getByRole('button', { name: 'Add alert' }).click();
    const row = page.locator(`[data-testid="incident-alert"][data-alert-id="${alert!.id}"]`);
    await row.waitFor();
    expect(await row.getByRole('link', { name: alert!.title }).getAttribute('href')).toBe(
      `/alerts/${alert!.id}`,
    );
    expect(await alertField.inputValue()).toBe('');
    await page.getByRole('heading', { name: 'Alerts (1)' }).waitFor();
    held = await detail(id!);
    expect(held.alertCount).toBe(1);
    expect(held.alerts.map((a) => [a.id, a.incidentId])).toEqual([[alert!.id, id]]);
    const heldEvents = held.timeline.filter((entry) => entry.type === 'event');
    expect(heldEvents.length).toBeGreaterThan(0);
    expect(heldEvents.every((entry) => entry.alertId === alert!.id)).toBe(true);
    expect(heldEvents.some((entry) => JSON.stringify(entry.event.fields).includes('base64'))).toBe(true);
    const eventEntries = page.locator('[data-testid="timeline-entry"][data-type="event"]');
    await expect.poll(() => eventEntries.count()).toBe(heldEvents.length);
    expect((await eventEntries.getByTestId('event-summary').allTextContents()).join('\n')).toContain(
      'base64',
    );
    expect(await eventEntries.first().getByRole('link').getAttribute('href')).toBe(`/alerts/${alert!.id}`);

    // A note, on screen and in the API.
    const note = 'Decoded payload: `sleep 3`. No persistence found; checking the parent process.';
    await page.getByLabel('Note', { exact: true }).fill(note);
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('incident-notes').getByText(note).waitFor();
    await page.getByRole('heading', { name: 'Notes (1)' }).waitFor();
    held = await detail(id!);
    expect(held.notes.map((n) => n.body)).toEqual([note]);
    expect(held.activity.map((a) => a.kind)).toEqual(['created', 'alert_added', 'note_added']);

    // Take it.
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(async () => (await detail(id!)).assignee?.email).toBe(admin.email);
    await expect.poll(() => page.getByRole('button', { name: 'Assign to me' }).count()).toBe(0);
    const me = await api<{ user: { id: string } }>(url, 'GET', '/api/auth/me', undefined, token);
    expect(await page.getByLabel('Assignee').inputValue()).toBe(me.user.id);

    // The status workflow: each step shows only the transitions the API allows, and the API holds it.
    const step = async (button: string, status: string, next: string[]): Promise<void> => {
      await page.getByRole('button', { name: button, exact: true }).click();
      await expect.poll(() => page.getByTestId('incident-status').textContent()).toBe(status);
      expect((await detail(id!)).status).toBe(status);
      expect(await transitions(page)).toEqual(next);
    };
    await step('Start investigating', 'investigating', [
      'Back to open',
      'Mark contained',
      'Resolve…',
      'Close…',
    ]);
    await step('Mark contained', 'contained', ['Start investigating', 'Resolve…', 'Close…']);

    // The timeline, in the API's order: oldest first, the matched event before the analyst's actions.
    held = await detail(id!);
    const times = held.timeline.map((entry) => entry.at);
    expect(times).toEqual([...times].sort());
    const types = await page
      .getByTestId('timeline-entry')
      // Runs in the page (this program has no DOM types).
      .evaluateAll((items: Array<{ getAttribute(name: string): string | null }>) =>
        items.map((item) => item.getAttribute('data-type')),
      );
    expect(types).toEqual(held.timeline.map((entry) => entry.type));
    expect(types[0]).toBe('event');
    await page
      .getByTestId('timeline')
      .getByText('changed the status from investigating to contained')
      .waitFor();
    await page.getByTestId('timeline').getByText(note).waitFor();

    // A change made elsewhere (another analyst, here the API) arrives live, without a reload.
    await expect.poll(() => page.getByTestId('incident-stream-status').textContent()).toContain('Live');
    await api(url, 'POST', `/api/incidents/${id}/notes`, { body: 'Second opinion: benign test.' }, token);
    await page
      .getByTestId('incident-notes')
      .getByText('Second opinion: benign test.')
      .waitFor({ timeout: 10_000 });

    await expectAccessible(page, 'incident detail');
    await screenshot(page, 'incident-detail');

    // Resolve with a resolution, then close: the dialogs say what happens, the API keeps the times.
    await page.getByRole('button', { name: 'Resolve…' }).click();
    const resolve = page.getByRole('dialog', { name: `Resolve incident #${held.number}` });
    await resolve.getByLabel('Resolution (optional)').fill('Test command from the QA run; no action needed.');
    await resolve.getByRole('button', { name: 'Resolve incident' }).click();
    await expect.poll(() => page.getByTestId('incident-status').textContent()).toBe('resolved');
    await expect
      .poll(() => page.getByTestId('incident-resolution').textContent())
      .toBe('Test command from the QA run; no action needed.');
    expect(await transitions(page)).toEqual(['Reopen', 'Close…']);
    held = await detail(id!);
    expect(held).toMatchObject({
      status: 'resolved',
      resolution: 'Test command from the QA run; no action needed.',
      closedAt: null,
    });
    expect(held.resolvedAt).not.toBeNull();

    await page.getByRole('button', { name: 'Close…' }).click();
    await page
      .getByRole('dialog', { name: `Close incident #${held.number}` })
      .getByRole('button', { name: 'Close incident' })
      .click();
    await expect.poll(() => page.getByTestId('incident-status').textContent()).toBe('closed');
    expect(await transitions(page)).toEqual(['Reopen']);
    held = await detail(id!);
    expect(held.status).toBe('closed');
    expect(held.closedAt).not.toBeNull();
    expect(
      held.activity
        .filter((a) => a.kind === 'status_changed')
        .map((a) => `${String(a.details['from'])}→${String(a.details['to'])}`),
    ).toEqual(['open→investigating', 'investigating→contained', 'contained→resolved', 'resolved→closed']);

    // The list: a closed incident leaves the default (active) view and shows under its status.
    await page
      .getByRole('navigation', { name: 'Breadcrumb' })
      .getByRole('link', { name: 'Incidents' })
      .click();
    await page.getByText('No active incidents').waitFor();
    await page.getByLabel('Status').selectOption('');
    const listed = page.locator(`[data-testid="incident-row"][data-incident-id="${id}"]`);
    await listed.waitFor();
    expect(new URL(page.url()).search).toBe('?status=');
    const cells = await listed.getByRole('cell').allTextContents();
    expect(cells).toEqual([
      String(held.number),
      'Encoded shell pipeline on the appliance',
      'high',
      'closed',
      held.assignee!.displayName || admin.email,
      '1',
      expect.any(String),
    ]);
    await expectAccessible(page, 'incident list');
    await screenshot(page, 'incidents');

    // Reopen from the detail: back to investigating, and in the active list again.
    await listed.getByRole('link').click();
    await step('Reopen', 'investigating', ['Back to open', 'Mark contained', 'Resolve…', 'Close…']);
    held = await detail(id!);
    expect(held).toMatchObject({ resolvedAt: null, closedAt: null });
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
