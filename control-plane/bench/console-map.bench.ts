// The console's network map in Chromium with software WebGL (SwiftShader): a tenant whose hosts made 20,000
// distinct connections between 5,000 addresses in the last hours. Measures the force layout (in the view's
// Web Worker) and the frames per second while the analyst pans and zooms the map continuously for 5 s
// (a requestAnimationFrame counter in the page; the pointer driven through the DevTools protocol). The
// control plane runs in this process (api-harness) and serves the built console. Prints BENCH lines.
// Run: cd control-plane && npx vitest run --config bench/vitest.config.ts bench/console-map.bench.ts
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startApiHarness } from '../test/support/api-harness.js';
import { CHROMIUM, ConsoleUser } from '../test/support/console-browser.js';

const NODES = 5_000;
const EDGES = 20_000;
const SECONDS = 5;

function figure(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(
    `BENCH ${JSON.stringify({ name, value: Math.round(value * 10) / 10, unit, ...extra })}\n`,
  );
}

describe('console network map in the browser', () => {
  it('layout time and frames per second while panning, 5,000 nodes and 20,000 edges', async () => {
    if (!existsSync(fileURLToPath(new URL('../../dashboards/dist/console/index.html', import.meta.url)))) {
      throw new Error('the console is not built: npm run build:console');
    }
    const h = await startApiHarness();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--use-angle=swiftshader'],
    });
    try {
      const tenant = await h.seedTenant('bench-map');
      const seeded = await h.seedUser(tenant, { roles: ['analyst'] });
      // Edge g (0..19,999): destination r = g mod 4000 (addresses 1000..4999; the upper half public), source
      // (r + 37q) mod 1000 with q = g div 4000 (addresses 0..999): 20,000 distinct pairs over 5,000 addresses.
      await h.admin.query(
        `INSERT INTO telemetry.network_events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name,
           kind, transport, source_ip, source_port, destination_ip, destination_port, bytes_in, bytes_out, data)
         SELECT $1, 'bench-agent', g, now() - g * interval '100 milliseconds', now() - g * interval '100 milliseconds',
                'network', 'bench-host', 'connection', 'tcp',
                ('10.1.' || (s / 256) || '.' || (s % 256))::inet, 40000 + g % 20000,
                (CASE WHEN r < 2000 THEN '172.16.' ELSE '9.9.' END || (r / 256) || '.' || (r % 256))::inet,
                443, 1000 + (g * 7919) % 100000, 500 + g % 3000, '{}'
           FROM (SELECT g, g % 4000 AS r, ((g % 4000) + 37 * (g / 4000)) % 1000 AS s
                   FROM generate_series(0, $2::int - 1) g) e`,
        [tenant.id, EDGES],
      );
      await h.admin.query('ANALYZE telemetry.network_events');

      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const user = new ConsoleUser(tenant.slug, seeded.email, seeded.password);
      await user.signIn(page, h.url, '/alerts');
      const opened = performance.now();
      await page.goto(`${h.url}/network`);
      await page.getByTestId('network-summary').waitFor({ timeout: 120_000 });
      const summary = await page.getByTestId('network-summary').textContent();
      expect(summary).toContain(`${NODES.toLocaleString('en')} nodes, ${EDGES.toLocaleString('en')} edges`);
      const status = page.getByTestId('layout-status');
      await expect.poll(() => status.getAttribute('data-layout-ms'), { timeout: 240_000 }).toMatch(/^\d/);
      const layoutMs = Number(await status.getAttribute('data-layout-ms'));
      const toMap = performance.now() - opened;
      await page.locator('[data-testid="network-canvas"] canvas').waitFor();

      // Frames: a requestAnimationFrame counter while the pointer pans (drag) and zooms (wheel) the map.
      const box = (await page.getByTestId('network-canvas').boundingBox())!;
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      await page.mouse.move(cx, cy);
      await page.evaluate(`window.__frames = 0; window.__counting = true;
        (function count() { if (!window.__counting) return; window.__frames++; requestAnimationFrame(count); })();
        window.__started = performance.now();`);
      await page.mouse.down();
      const until = performance.now() + SECONDS * 1000;
      let step = 0;
      while (performance.now() < until) {
        step++;
        const angle = step / 10;
        await page.mouse.move(cx + Math.cos(angle) * 150, cy + Math.sin(angle) * 100);
        if (step % 25 === 0) {
          await page.mouse.up();
          await page.mouse.wheel(0, step % 50 === 0 ? 120 : -120);
          await page.mouse.down();
        }
      }
      await page.mouse.up();
      const { frames, ms } = await page.evaluate<{ frames: number; ms: number }>(
        `(() => { window.__counting = false; return { frames: window.__frames, ms: performance.now() - window.__started }; })()`,
      );
      await context.close();

      figure('console.network_map.layout_ms', layoutMs, 'ms', {
        nodes: NODES,
        edges: EDGES,
        open_to_layout_ms: Math.round(toMap),
        where: 'web worker (d3-force, fixed ticks)',
      });
      figure('console.network_map.fps', (frames * 1000) / ms, 'fps', {
        nodes: NODES,
        edges: EDGES,
        gl: 'swiftshader',
        seconds: Math.round(ms / 100) / 10,
        pointer_moves: step,
      });
    } finally {
      await browser.close();
      await h.close();
    }
  });
});
