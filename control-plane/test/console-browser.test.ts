// The SOC console in a real browser (Debian's Chromium driven by playwright-core) against the appliance as
// `npm start` runs it: the administrator sets a password from the first-start link and enrols TOTP; a command
// a shipped Sigma rule detects runs on this host, the local agent streams it over mTLS, the collector's
// detector raises the alert; the analyst signs in with TOTP, sees the alert, opens it, acknowledges it, and a
// second tab watching new alerts sees its count drop live. axe-core checks every view; screenshots of every
// view go to dashboards/test-results/screenshots/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../src/auth/totp.js';
import { runAppliance, type ApplianceProcess } from './support/appliance-process.js';
import { freePort, postgresProcessesOn } from './support/processes.js';

const CHROMIUM = '/usr/bin/chromium';
const CONSOLE_INDEX = fileURLToPath(new URL('../../dashboards/dist/console/index.html', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../../dashboards/test-results/screenshots/', import.meta.url));
const available = existsSync(CHROMIUM);
if (!available && process.env['CI']) {
  throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
}

let dir: string;
let appliance: ApplianceProcess;
let url: string;
let browser: Browser;
let totpSecret: string;
let lastStep = 0;
const PASSWORD = 'console-admin-password-1';
const EMAIL = 'admin@localhost.localdomain';

/** A TOTP code for a step after every code used so far (a code works once): waits for the next step. */
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

async function post<T>(route: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${url}${route}`, {
    method: 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** axe-core on the page: no serious or critical violation. */
async function accessible(page: Page, view: string): Promise<void> {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // evaluate (DevTools protocol), not a <script>: the console's CSP allows no inline script, rightly.
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    // Runs in the page (this program has no DOM types): the axe global the script above defined.
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> };
      }
    ).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => (n as { html: string }).html).slice(0, 3))}`,
      );
  });
  expect(violations, `axe on ${view}: ${violations.join('; ')}`).toEqual([]);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${url}/alerts?status=new`);
  await page.getByLabel('Tenant').fill('local');
  await page.getByLabel('E-mail').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Authentication code').fill(await freshCode());
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Alerts' }).waitFor();
}

beforeAll(async () => {
  if (!available) return;
  if (!existsSync(CONSOLE_INDEX)) throw new Error('the console is not built: npm run build:console');
  await mkdir(SCREENSHOTS, { recursive: true });
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-console-'));
  await chmod(dir, 0o755);
  appliance = runAppliance({
    INOSEC_DATA_DIR: path.join(dir, 'data'),
    INOSEC_PG_PORT: String(await freePort()),
    INOSEC_HTTP_PORT: '0',
    INOSEC_GRPC_PORT: '0',
    INOSEC_AGENT_CONTROL_PORT: '0',
    INOSEC_LOCAL_AGENT: 'true',
  });
  url = await appliance.ready;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-angle=swiftshader'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (appliance && appliance.child.exitCode === null) {
    appliance.child.kill('SIGTERM');
    await appliance.exited;
  }
  if (dir) {
    for (const pid of await postgresProcessesOn(path.join(dir, 'data', 'postgres')))
      process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

describe.skipIf(!available)('the SOC console in Chromium', () => {
  it('first-start setup, TOTP sign-in, a real detection in the queue, acknowledge, live count in a second tab', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('pageerror', (error) => consoleErrors.push(error.message));

    // The first-start link opens the console's setup page.
    const setupUrl = /First start: set the administrator's password[^\n]*\n\s+(\S+)/.exec(
      appliance.output(),
    )?.[1];
    expect(setupUrl).toMatch(/\/setup\?token=/);
    await page.goto(`${url}/setup?token=${new URL(setupUrl!).searchParams.get('token')}`);
    await accessible(page, 'setup');
    await shot(page, 'setup');
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText(`${EMAIL} can now sign in`).waitFor();

    // TOTP enrolment through the API (the settings view comes later), with a session that is not MFA.
    const tokens = await post<{ accessToken: string }>('/api/auth/login', {
      tenant: 'local',
      email: EMAIL,
      password: PASSWORD,
    });
    const enrolment = await post<{ secret: string }>('/api/auth/totp/enroll', undefined, tokens.accessToken);
    totpSecret = enrolment.secret;
    await post('/api/auth/totp/activate', { code: await freshCode() }, tokens.accessToken);

    // A command SigmaHQ's "Linux Base64 Encoded Pipe to Shell" detects, on this host, seen by the local agent.
    spawn('sh', ['-c', 'echo c2xlZXAgMwo= | base64 -d | sh'], { stdio: 'ignore' }).unref();
    let alert: { id: string; title: string; severity: string } | undefined;
    const deadline = Date.now() + 30_000;
    while (!alert && Date.now() < deadline) {
      const response = await fetch(`${url}/api/alerts?status=new`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      const body = (await response.json()) as {
        items: Array<{ id: string; title: string; severity: string }>;
      };
      alert = body.items.find((item) => /base64/i.test(item.title));
      if (!alert) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(alert, 'the appliance raised no alert for the base64 pipe').toBeDefined();

    // Sign in with TOTP: the queue lists the alert.
    await page.goto(`${url}/alerts`);
    await accessible(page, 'login');
    await shot(page, 'login');
    await signIn(page);
    const row = page.locator(`[data-alert-id="${alert!.id}"]`);
    await row.waitFor();
    await expect.poll(() => page.getByTestId('stream-status').textContent()).toContain('Live');
    await accessible(page, 'alert queue');
    await shot(page, 'alert-queue');

    // A second tab watches new alerts of that severity (its own sign-in: a TOTP code works once).
    const watcher = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await signIn(watcher);
    const chip = watcher.getByTestId(`count-${alert!.severity}`);
    await expect.poll(() => watcher.getByTestId('stream-status').textContent()).toContain('Live');
    const count = async (): Promise<number> => Number((await chip.textContent())?.replace(/\D/g, '') || '0');
    await expect.poll(count).toBeGreaterThan(0);
    const before = await count();

    // Open the alert, read its matched event, acknowledge it.
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: alert!.title }).waitFor();
    await expect.poll(() => page.getByTestId('raw-event').textContent()).toContain('base64');
    await accessible(page, 'alert detail');
    await shot(page, 'alert-detail');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('Acknowledged', { exact: true }).waitFor();

    // The second tab's count drops and the row leaves its "new" queue, live (no reload).
    await expect.poll(count, { timeout: 10_000 }).toBe(before - 1);
    await expect.poll(() => watcher.locator(`[data-alert-id="${alert!.id}"]`).count()).toBe(0);
    await shot(watcher, 'alert-queue-live');
    expect(consoleErrors).toEqual([]);
  }, 240_000);
});
