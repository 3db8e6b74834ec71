// What the console's browser tests share: the appliance as `npm start` runs it (with its local agent),
// Debian's Chromium through playwright-core, TOTP codes that are each used once, axe-core checks and
// screenshots of every view in dashboards/test-results/screenshots/.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { totpCode } from '../../src/auth/totp.js';
import { runAppliance, type ApplianceProcess } from './appliance-process.js';
import { freePort, postgresProcessesOn } from './processes.js';

export const CHROMIUM = '/usr/bin/chromium';
const CONSOLE_INDEX = fileURLToPath(new URL('../../../dashboards/dist/console/index.html', import.meta.url));
export const SCREENSHOTS = fileURLToPath(
  new URL('../../../dashboards/test-results/screenshots/', import.meta.url),
);

/** Whether this machine can run the browser tests; in CI a missing browser is an error, never a skip. */
export function browserAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available && process.env['CI']) {
    throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
  }
  return available;
}

/** The built appliance with its local agent, and a browser. */
export interface ConsoleAppliance {
  url: string;
  appliance: ApplianceProcess;
  dataDir: string;
  browser: Browser;
  /** The appliance's PostgreSQL superuser URL: fixtures only. */
  superuserUrl(): Promise<string>;
  close(): Promise<void>;
}

export async function startConsoleAppliance(): Promise<ConsoleAppliance> {
  if (!existsSync(CONSOLE_INDEX)) throw new Error('the console is not built: npm run build:console');
  await mkdir(SCREENSHOTS, { recursive: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-console-'));
  await chmod(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const pgPort = await freePort();
  const appliance = runAppliance({
    INOSEC_DATA_DIR: dataDir,
    INOSEC_PG_PORT: String(pgPort),
    INOSEC_HTTP_PORT: '0',
    INOSEC_GRPC_PORT: '0',
    INOSEC_AGENT_CONTROL_PORT: '0',
    INOSEC_LOCAL_AGENT: 'true',
  });
  const url = await appliance.ready;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-angle=swiftshader'],
  });
  return {
    url,
    appliance,
    dataDir,
    browser,
    async superuserUrl() {
      const secret = path.join(dataDir, 'secrets', 'postgres-superuser.password');
      const password = (await readFile(secret, 'utf8')).trim();
      return `postgres://inosec:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/inosec`;
    },
    async close() {
      await browser.close();
      if (appliance.child.exitCode === null) {
        appliance.child.kill('SIGTERM');
        await appliance.exited;
      }
      for (const pid of await postgresProcessesOn(path.join(dataDir, 'postgres')))
        process.kill(pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The token of the first-start setup link the appliance printed. */
export function setupToken(appliance: ApplianceProcess): string {
  const link = /First start: set the administrator's password[^\n]*\n\s+(\S+)/.exec(appliance.output())?.[1];
  const token = link ? new URL(link).searchParams.get('token') : null;
  if (!token) throw new Error('no setup link printed');
  return token;
}

/** JSON over the API; throws with the problem on a non-2xx answer. */
export async function api<T>(
  url: string,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** A console user: tenant slug, e-mail, password and, once enrolled, a TOTP secret whose codes are used once. */
export class ConsoleUser {
  private secret: string | undefined;
  private lastStep = 0;

  constructor(
    readonly tenant: string,
    readonly email: string,
    readonly password: string,
  ) {}

  /** An access token from a password sign-in (before TOTP is enrolled). */
  async token(url: string): Promise<string> {
    const tokens = await api<{ accessToken: string }>(url, 'POST', '/api/auth/login', {
      tenant: this.tenant,
      email: this.email,
      password: this.password,
    });
    return tokens.accessToken;
  }

  /** Enrols and activates TOTP with `token` (a session of this user). */
  async enrolTotp(url: string, token: string): Promise<void> {
    const enrolment = await api<{ secret: string }>(url, 'POST', '/api/auth/totp/enroll', undefined, token);
    this.secret = enrolment.secret;
    await api(url, 'POST', '/api/auth/totp/activate', { code: await this.freshCode() }, token);
  }

  /** A code of a step after every code used so far (a code works once): waits for the next step. */
  async freshCode(): Promise<string> {
    if (this.secret === undefined) throw new Error(`${this.email} has no TOTP`);
    for (;;) {
      const step = Math.floor(Date.now() / 30_000);
      if (step > this.lastStep) {
        this.lastStep = step;
        return totpCode(this.secret);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Signs in on the console's sign-in page (with a TOTP code when enrolled), landing on `path`. */
  async signIn(page: Page, url: string, pathAndQuery = '/alerts'): Promise<void> {
    await page.goto(`${url}${pathAndQuery}`);
    await page.getByLabel('Tenant').fill(this.tenant);
    await page.getByLabel('E-mail').fill(this.email);
    await page.getByLabel('Password').fill(this.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (this.secret !== undefined) {
      await page.getByLabel('Authentication code').fill(await this.freshCode());
      await page.getByRole('button', { name: 'Verify' }).click();
    }
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }
}

/** axe-core on the page: no serious or critical violation. */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // evaluate (DevTools protocol), not a <script>: the console's CSP allows no inline script, rightly.
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    // Runs in the page (this program has no DOM types): the axe global the script above defined.
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ html: string }> }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.html).slice(0, 3))}`);
  });
  expect(violations, `axe on ${view}: ${violations.join('; ')}`).toEqual([]);
}

/** A full-page screenshot of a view, in the known folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The token of the newest mail in the appliance's outbox to `to` that carries a link to `linkPath`. */
export async function mailedToken(dataDir: string, to: string, linkPath: string): Promise<string> {
  const { readdir } = await import('node:fs/promises');
  const outbox = path.join(dataDir, 'outbox');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const files = (await readdir(outbox).catch(() => [] as string[])).sort().reverse();
    for (const file of files) {
      // Quoted-printable: soft line breaks and =3D undone before looking for the link.
      const text = (await readFile(path.join(outbox, file), 'utf8'))
        .replace(/=\r?\n/g, '')
        .replace(/=3D/g, '=');
      if (!text.includes(to)) continue;
      const match = new RegExp(`${linkPath}\\?token=([A-Za-z0-9._~%-]+)`).exec(text);
      if (match?.[1]) return decodeURIComponent(match[1]);
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${to} with a ${linkPath} link in ${outbox}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
