// The process tree of an alert's page in a real browser (Debian's Chromium through playwright-core) against
// the appliance as `npm start` runs it. This test process starts `sh -c 'echo … | base64 -d | sh'`, which a
// shipped Sigma rule detects; the local agent's procfs sensor reports it with its parent (this test's own
// process) and its children (the decoded script's shell and its `sleep`), and the collector raises the alert.
// The analyst opens the alert: the tree shows the same processes as the API, the matched sh highlighted
// under this process, its descendants below it; the tree is walked and folded with the keyboard (WAI-ARIA
// tree pattern), axe-core checks the page and a screenshot is written.
import { spawn } from 'node:child_process';
import type { Locator, Page } from 'playwright-core';
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

interface TreeNode {
  entityId: string;
  parentEntityId: string | null;
  pid: number | null;
  name: string | null;
  commandLine: string | null;
  actions: string[];
  matched: boolean;
}
interface Tree {
  agentId: string | null;
  nodes: TreeNode[];
  truncated: boolean;
}

const available = browserAvailable();
let cp: ConsoleAppliance | undefined;
const admin = new ConsoleUser('local', 'admin@localhost.localdomain', 'process-tree-admin-password-1');
let token = '';
let alertId = '';
let shPid = 0;
let tree: Tree | undefined;

/** The descendants of `id` in `nodes` (by parent entity id). */
function descendantsOf(nodes: readonly TreeNode[], id: string): TreeNode[] {
  const out: TreeNode[] = [];
  for (const node of nodes) {
    if (node.parentEntityId !== id) continue;
    out.push(node, ...descendantsOf(nodes, node.entityId));
  }
  return out;
}

beforeAll(async () => {
  if (!available) return;
  cp = await startConsoleAppliance();
  const { url, appliance } = cp;
  await api(url, 'POST', '/api/auth/invite/accept', {
    token: setupToken(appliance),
    password: admin.password,
  });
  token = await admin.token(url);

  // "Linux Base64 Encoded Pipe to Shell" (SigmaHQ) detects this command; the decoded script is `sleep 6`,
  // so its shell and the sleep live long enough for the agent's 1-second polls to see them.
  const child = spawn('sh', ['-c', 'echo c2xlZXAgNgo= | base64 -d | sh'], { stdio: 'ignore' });
  child.unref();
  shPid = child.pid ?? 0;
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (!alertId) {
      const page = await api<{ items: Array<{ id: string; title: string }> }>(
        url,
        'GET',
        '/api/alerts',
        undefined,
        token,
      );
      alertId = page.items.find((item) => /base64/i.test(item.title))?.id ?? '';
    }
    if (alertId) {
      // Wait until the decoded script's sleep is stored under the matched sh.
      tree = await api<Tree>(url, 'GET', `/api/alerts/${alertId}/process-tree`, undefined, token);
      const matched = tree.nodes.find((node) => node.matched && node.pid === shPid);
      if (matched && descendantsOf(tree.nodes, matched.entityId).some((node) => node.name === 'sleep')) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!alertId) throw new Error('the appliance raised no alert for the base64 pipe');
}, 150_000);

afterAll(async () => {
  await cp?.close();
}, 60_000);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The entity id of the treeitem that has focus. */
const focusedEntity = (page: Page) =>
  page.evaluate(() => {
    // Runs in the page (this program has no DOM types).
    const active = (
      globalThis as unknown as {
        document: { activeElement: { getAttribute(n: string): string | null } | null };
      }
    ).document.activeElement;
    return active?.getAttribute('data-entity-id') ?? null;
  });

/** The computed background colour of a treeitem (one row). */
const rowBackground = (treeItem: Locator) =>
  treeItem.evaluate(
    (row) =>
      // Runs in the page (this program has no DOM types).
      (
        globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string } }
      ).getComputedStyle(row).backgroundColor,
  );

/** The rows of the tree in document order: entity id and aria-level. */
async function visibleRows(items: Locator): Promise<Array<{ id: string; level: number }>> {
  const rows: Array<{ id: string; level: number }> = [];
  for (const row of await items.all()) {
    rows.push({
      id: (await row.getAttribute('data-entity-id')) ?? '',
      level: Number(await row.getAttribute('aria-level')),
    });
  }
  return rows;
}

/** The ids of the rows below `id` at deeper levels (its shown descendants, in a flat tree). */
function subtree(rows: ReadonlyArray<{ id: string; level: number }>, id: string): string[] {
  const at = rows.findIndex((row) => row.id === id);
  const out: string[] = [];
  for (let i = at + 1; i < rows.length && rows[i]!.level > rows[at]!.level; i += 1) out.push(rows[i]!.id);
  return out;
}

/** The keys that reached the page's window listener (installed by the test). */
const pageKeys = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { pageKeys: string[] }).pageKeys.slice());

const item = (tree: Locator, entityId: string) =>
  tree.locator(`[role="treeitem"][data-entity-id="${entityId}"]`);

describe.skipIf(!available)('the process tree of an alert in Chromium', () => {
  it('shows the matched process in its ancestry and descendants, and is walked and folded with the keyboard', async () => {
    const { url, browser } = cp!;
    expect(tree, 'the API never showed the decoded script’s sleep under the matched sh').toBeDefined();
    const held = tree!;
    const matched = held.nodes.filter((node) => node.matched);
    // One matched process: the sh this test started (named after its executable, e.g. dash), child of this
    // test's own process.
    expect(matched.map((node) => node.pid)).toEqual([shPid]);
    const sh = matched[0]!;
    expect(sh.commandLine).toContain('base64 -d | sh');
    const parent = held.nodes.find((node) => node.entityId === sh.parentEntityId);
    expect(parent?.pid).toBe(process.pid);
    const below = descendantsOf(held.nodes, sh.entityId);
    const sleep = below.find((node) => node.name === 'sleep');
    expect(sleep).toBeDefined();
    expect(held.truncated).toBe(false);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await admin.signIn(page, url, `/alerts/${alertId}`);
    await page.getByRole('heading', { name: 'Process tree', level: 2 }).waitFor();
    const treeView = page.getByRole('tree', { name: 'Process tree' });
    await treeView.waitFor();

    // Everything is expanded at first: one treeitem per process the API answers (it may have grown since).
    const now = await api<Tree>(url, 'GET', `/api/alerts/${alertId}/process-tree`, undefined, token);
    const items = treeView.getByRole('treeitem');
    await expect.poll(() => items.count()).toBe(now.nodes.length);

    // The matched sh: highlighted with a badge, one level below this test's process, its descendants the
    // rows below it at deeper levels.
    const shItem = item(treeView, sh.entityId);
    await expect
      .poll(() =>
        treeView
          .getByRole('treeitem', { name: new RegExp(`^${escapeRegExp(sh.name!)} \\(${shPid}\\) matched`) })
          .count(),
      )
      .toBe(1);
    expect(await treeView.locator('[role="treeitem"][data-matched="true"]').count()).toBe(1);
    expect(await shItem.getAttribute('data-matched')).toBe('true');
    const parentItem = item(treeView, sh.parentEntityId!);
    expect(await rowBackground(shItem)).not.toBe(await rowBackground(parentItem));
    expect(await parentItem.textContent()).toMatch(new RegExp(`\\(${process.pid}\\)`));
    const rows = await visibleRows(items);
    const at = rows.findIndex((row) => row.id === sh.entityId);
    expect(rows[at - 1]).toEqual({ id: sh.parentEntityId, level: rows[at]!.level - 1 });
    expect(subtree(rows, sh.entityId).sort()).toEqual(
      descendantsOf(now.nodes, sh.entityId)
        .map((node) => node.entityId)
        .sort(),
    );
    expect(subtree(rows, sh.entityId)).toContain(sleep!.entityId);
    expect(await shItem.getAttribute('aria-expanded')).toBe('true');
    // Full command line on hover (title), in monospace.
    expect(await shItem.locator('code').first().getAttribute('title')).toBe(sh.commandLine);

    // A click on the matched process's row focuses it (and only it is in the tab order).
    await shItem.locator('code').first().click();
    expect(await treeView.locator('[role="treeitem"][tabindex="0"]').count()).toBe(1);
    await page.evaluate(() => {
      // Runs in the page (this program has no DOM types): records the keys that reach the window.
      const w = globalThis as unknown as {
        pageKeys: string[];
        addEventListener(type: string, listener: (event: { key: string }) => void): void;
      };
      w.pageKeys = [];
      w.addEventListener('keydown', (event) => w.pageKeys.push(event.key));
    });
    expect(await focusedEntity(page)).toBe(sh.entityId);
    const descendants = descendantsOf(now.nodes, sh.entityId).length;
    // ← folds the sh: its descendants leave the tree; → unfolds it; → again moves to its first child.
    await page.keyboard.press('ArrowLeft');
    expect(await shItem.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => items.count()).toBe(now.nodes.length - descendants);
    await page.keyboard.press('ArrowRight');
    expect(await shItem.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => items.count()).toBe(now.nodes.length);
    await page.keyboard.press('ArrowRight');
    const firstChild = await focusedEntity(page);
    expect(now.nodes.find((node) => node.entityId === firstChild)?.parentEntityId).toBe(sh.entityId);
    // ← on a leaf or a folded child goes back to its parent.
    const childItem = item(treeView, firstChild!);
    if ((await childItem.getAttribute('aria-expanded')) === 'true') {
      await page.keyboard.press('ArrowLeft');
      expect(await childItem.getAttribute('aria-expanded')).toBe('false');
    }
    await page.keyboard.press('ArrowLeft');
    expect(await focusedEntity(page)).toBe(sh.entityId);
    await page.keyboard.press('ArrowLeft'); // folds the sh
    await page.keyboard.press('ArrowLeft'); // then to its parent
    expect(await focusedEntity(page)).toBe(sh.parentEntityId);
    // ↓ and ↑ move between visible rows: the folded sh is the row below its parent.
    await page.keyboard.press('ArrowDown');
    expect(await focusedEntity(page)).toBe(sh.entityId);
    await page.keyboard.press('ArrowUp');
    expect(await focusedEntity(page)).toBe(sh.parentEntityId);
    // Home: the first root; End: the last visible row.
    await page.keyboard.press('Home');
    expect(await item(treeView, (await focusedEntity(page))!).getAttribute('aria-level')).toBe('1');
    await page.keyboard.press('End');
    const last = await focusedEntity(page);
    expect(await items.last().getAttribute('data-entity-id')).toBe(last);
    // Type-ahead: typing "sleep" lands on the sleep (after unfolding everything again).
    await page.getByRole('button', { name: 'Expand all' }).click();
    await shItem.focus();
    await page.keyboard.type('sleep');
    expect(await focusedEntity(page)).toBe(sleep!.entityId);
    // Keys the tree handles stay in it: a page-level shortcut listener (as the alert queue's j/k/a/c) saw none
    // of them; a key the tree leaves alone (Tab) reaches it.
    expect(await pageKeys(page)).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await pageKeys(page)).toEqual(['Tab']);

    await expectAccessible(page, 'alert process tree');
    await screenshot(page, 'alert-process-tree');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
