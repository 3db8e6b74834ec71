// The console in Chromium, measured in the browser: the alert queue of a tenant with 100,000 alerts — time to
// its first screen of rows after a load (navigation start → first row in the DOM, session restored from the
// tab) and the longest task while the analyst scrolls down through 20,000 rows (pages loading on the way),
// from a PerformanceObserver on `longtask` entries. The control plane runs in this process (api-harness) and
// serves the built console (npm run build:console); PostgreSQL is embedded. Prints BENCH lines.
// Run: npm run bench:console (after npm run build:console).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startApiHarness } from '../test/support/api-harness.js';
import { insertAlerts } from '../test/support/alerts-fixtures.js';
import { CHROMIUM, ConsoleUser } from '../test/support/console-browser.js';

const ALERTS = Number(process.env['BENCH_CONSOLE_ALERTS'] ?? 100_000);
const SCROLL_ROWS = Number(process.env['BENCH_CONSOLE_SCROLL_ROWS'] ?? 20_000);
const LOADS = 5;
const ROW_HEIGHT = 40;

function figure(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(
    `BENCH ${JSON.stringify({ name, value: Math.round(value * 10) / 10, unit, ...extra })}\n`,
  );
}

describe('console in the browser', () => {
  it('alert queue: first screen and long tasks while scrolling, 100,000 alerts', async () => {
    if (!existsSync(fileURLToPath(new URL('../../dashboards/dist/console/index.html', import.meta.url)))) {
      throw new Error('the console is not built: npm run build:console');
    }
    const h = await startApiHarness();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const tenant = await h.seedTenant('bench-console');
      const seeded = await h.seedUser(tenant, { roles: ['analyst'] });
      const started = performance.now();
      await insertAlerts(h, tenant.id, ALERTS, { severity: 'high', status: 'new' });
      await h.admin.query('ANALYZE telemetry.alerts');
      figure('console.seed_s', (performance.now() - started) / 1000, 's', { alerts: ALERTS });

      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      // In-page code as strings (this program has no DOM types), injected through the DevTools protocol (the
      // console's CSP allows no inline script): long tasks from the very start of each document.
      await context.addInitScript({
        content: `window.__longTasks = [];
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
          }).observe({ type: 'longtask', buffered: true });
          new MutationObserver(() => {
            if (window.__firstRow === undefined && document.querySelector('[data-testid="alert-row"]')) {
              window.__firstRow = performance.now();
            }
          }).observe(document, { subtree: true, childList: true });`,
      });
      const page = await context.newPage();
      const user = new ConsoleUser(tenant.slug, seeded.email, seeded.password);
      await user.signIn(page, h.url, '/alerts?range=all');
      await page.getByTestId('alert-row').first().waitFor();

      // First screen: reloads (the session comes back from this tab's storage), navigation start → first row.
      // The time is taken in the page when the first row enters the DOM (a MutationObserver of the init script).
      const firsts: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        await page.reload();
        await page.getByTestId('alert-row').first().waitFor();
        firsts.push(await page.evaluate<number>('window.__firstRow'));
      }
      firsts.sort((x, y) => x - y);
      await expect.poll(() => page.getByTestId('count-total').textContent()).toContain(String(ALERTS));

      // Scroll: one screen per animation frame down to SCROLL_ROWS, waiting where the next page is loading.
      await page.evaluate('window.__longTasks = []');
      const step = `(async () => {
        const list = document.querySelector('[data-testid="alert-list"]');
        list.scrollTop += list.clientHeight;
        await new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));
        return { top: list.scrollTop, height: list.scrollHeight - list.clientHeight };
      })()`;
      const scrollStarted = performance.now();
      const target = SCROLL_ROWS * ROW_HEIGHT;
      for (;;) {
        const { top, height } = await page.evaluate<{ top: number; height: number }>(step);
        if (top >= target) break;
        if (top >= height) await page.waitForTimeout(20); // the next page is on its way
        if (performance.now() - scrollStarted > 240_000)
          throw new Error(`scrolled only to row ${top / ROW_HEIGHT}`);
      }
      const scrollSeconds = (performance.now() - scrollStarted) / 1000;
      const longTasks = await page.evaluate<number[]>('window.__longTasks');
      const rows = await page.getByTestId('alert-row').count();

      figure('console.alert_queue.first_render_ms', firsts[Math.floor(LOADS / 2)]!, 'ms', {
        alerts: ALERTS,
        runs: firsts.map((v) => Math.round(v)),
        target: '< 1000',
      });
      figure('console.alert_queue.max_long_task_ms', Math.max(0, ...longTasks), 'ms', {
        scrolled_rows: SCROLL_ROWS,
        seconds: Math.round(scrollSeconds * 10) / 10,
        long_tasks: longTasks.length,
        rows_in_dom: rows,
        target: '< 50',
      });
    } finally {
      await browser.close();
      await h.close();
    }
  });
});
