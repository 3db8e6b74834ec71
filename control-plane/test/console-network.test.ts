// The console's Network map and Geo views in Chromium (software WebGL) against the appliance as `npm start`
// runs it. The appliance's local agent enrols; connection telemetry of its host (to 8.8.8.8 and 10.0.0.5,
// fixtures in the collector's shape: this machine has no external network) goes into
// telemetry.network_events. The map draws the graph the API returns (pixels on the canvas, node and edge
// counts in its summary), a click on the host node opens the alert queue filtered to that host, and the geo
// view lists the United States for 8.8.8.8 and draws the world. axe-core checks both views.
import pg from 'pg';
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

const available = browserAvailable();
let cp: ConsoleAppliance | undefined;
const admin = new ConsoleUser('local', 'admin@localhost.localdomain', 'console-admin-password-1');

interface GraphBody {
  nodes: Array<{ id: string; kind: string; hostName: string | null; label: string }>;
  edges: Array<{ source: string; target: string; bytes: number; count: number }>;
}

beforeAll(async () => {
  if (available) cp = await startConsoleAppliance();
}, 120_000);

afterAll(async () => {
  await cp?.close();
}, 60_000);

/**
 * Pixels of an element's screenshot that differ from the view's background (#0b0f14) by more than a little:
 * decoded in the page (createImageBitmap of the PNG) since this program has no image decoder.
 */
async function drawnPixels(page: Page, testId: string): Promise<{ drawn: number; total: number }> {
  const png = await page.getByTestId(testId).screenshot();
  return page.evaluate<{ drawn: number; total: number }>(`(async () => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(png.toString('base64'))}), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let drawn = 0;
    for (let i = 0; i < data.length; i += 4) {
      const diff = Math.max(Math.abs(data[i] - 11), Math.abs(data[i + 1] - 15), Math.abs(data[i + 2] - 20));
      if (diff > 12) drawn++;
    }
    return { drawn, total: data.length / 4 };
  })()`);
}

describe.skipIf(!available)('the network map and geo views in Chromium', () => {
  it('draws the graph the API returns, opens a host alerts on click, and places 8.8.8.8 in the US', async () => {
    const { url, browser, appliance } = cp!;
    await api(url, 'POST', '/api/auth/invite/accept', {
      token: setupToken(appliance),
      password: admin.password,
    });
    const token = await admin.token(url);

    // The local agent enrols with its host's addresses; its host talks to 8.8.8.8 and 10.0.0.5.
    const db = new pg.Client({ connectionString: await cp!.superuserUrl() });
    await db.connect();
    let agent: { id: string; tenant_id: string; host_name: string; ip: string } | undefined;
    try {
      const deadline = Date.now() + 60_000;
      while (!agent && Date.now() < deadline) {
        const { rows } = await db.query<{ id: string; tenant_id: string; host_name: string; ip: string }>(
          `SELECT a.id, a.tenant_id, a.host_name, split_part(a.ip_addresses[1], '/', 1) AS ip
             FROM inosec.agents a
            WHERE cardinality(a.ip_addresses) > 0 AND a.host_name <> '' AND a.revoked_at IS NULL
            LIMIT 1`,
        );
        agent = rows[0];
        if (!agent) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      expect(agent, 'the local agent did not enrol with an address').toBeDefined();
      await db.query(
        `INSERT INTO telemetry.network_events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name,
           kind, transport, direction, source_ip, source_port, destination_ip, destination_port, bytes_in,
           bytes_out, application_protocol, data)
         SELECT $1, $2, 9000000000 + g, now() - g * interval '1 second', now() - g * interval '1 second',
                'network', $3, 'connection', 'tcp', 'outbound', $4::inet, 40000 + g,
                (CASE WHEN g % 2 = 0 THEN '8.8.8.8' ELSE '10.0.0.5' END)::inet,
                CASE WHEN g % 2 = 0 THEN 443 ELSE 22 END, 60000, 4000, NULL, '{}'
           FROM generate_series(1, 20) g`,
        [agent!.tenant_id, agent!.id, agent!.host_name, agent!.ip],
      );
    } finally {
      await db.end();
    }

    // The API's graph has the host with both peers.
    let graph: GraphBody = { nodes: [], edges: [] };
    await expect
      .poll(
        async () => {
          graph = await api<GraphBody>(url, 'GET', '/api/network/graph', undefined, token);
          return graph.nodes.map((n) => n.id);
        },
        { timeout: 30_000 },
      )
      .toEqual(expect.arrayContaining([`host:${agent!.id}`, 'ip:8.8.8.8', 'ip:10.0.0.5']));
    expect(graph.edges.length).toBeGreaterThanOrEqual(2);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // The map: the page's own answer from the API is what its summary counts and its canvas draws.
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/network/graph');
    await admin.signIn(page, url, '/network');
    const shown = (await (await answer).json()) as GraphBody;
    expect(shown.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining([`host:${agent!.id}`, 'ip:8.8.8.8', 'ip:10.0.0.5']),
    );
    await expect
      .poll(() => page.getByTestId('network-summary').textContent())
      .toContain(`${shown.nodes.length} nodes, ${shown.edges.length} edges`);
    await expect
      .poll(() => page.getByTestId('layout-status').getAttribute('data-layout-ms'), { timeout: 30_000 })
      .toMatch(/^\d/);
    await expect.poll(() => page.locator('[data-testid="network-canvas"] canvas').count()).toBe(1);
    await expect.poll(async () => (await drawnPixels(page, 'network-canvas')).drawn).toBeGreaterThan(150);
    await page
      .getByRole('img', {
        name: `Network map of ${shown.nodes.length} nodes and ${shown.edges.length} edges`,
        exact: false,
      })
      .waitFor();
    await expectAccessible(page, 'network map');
    await screenshot(page, 'network-map');

    // A click on the host's node (where the view says it is on the canvas) opens its alerts.
    const row = page.locator(`[data-testid="host-row"][data-host="${agent!.host_name}"]`);
    await expect.poll(() => row.getAttribute('data-screen-x')).toMatch(/^-?\d/);
    const x = Number(await row.getAttribute('data-screen-x'));
    const y = Number(await row.getAttribute('data-screen-y'));
    const box = await page.getByTestId('network-canvas').locator('canvas').boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.move(box!.x + x, box!.y + y);
    await page.mouse.click(box!.x + x, box!.y + y);
    await expect.poll(() => page.url()).toBe(`${url}/alerts?host=${encodeURIComponent(agent!.host_name)}`);
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();

    // The geo view: 8.8.8.8 counts for the United States, in the table and on the map.
    await page.goto(`${url}/geo`);
    const us = page.locator('[data-testid="country-row"][data-country="US"]');
    await us.waitFor({ timeout: 30_000 });
    expect(await us.textContent()).toContain(agent!.host_name);
    await expect.poll(() => page.locator('[data-testid="geo-canvas"] canvas').count()).toBe(1);
    const geo = await drawnPixels(page, 'geo-canvas');
    // Countries cover a good part of a world map; the circle for the US adds to it.
    expect(geo.drawn / geo.total).toBeGreaterThan(0.1);
    await expectAccessible(page, 'geo');
    await screenshot(page, 'geo');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 240_000);
});
