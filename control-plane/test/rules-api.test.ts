// The rules API against a real PostgreSQL: the catalogue with switches and alert figures, switching rules
// on and off, uploading a rule file (stored once valid; 422 with the loader's errors when not), reading and
// deleting it, audit entries, permissions and tenant isolation.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, ingestPool, raiseAlerts } from './support/alerts-fixtures.js';
import { startApiHarness, type ApiHarness, type SeededTenant } from './support/api-harness.js';

const SHIPPED_ID = 'ba592c6d-6888-43c3-b8c6-689b8fe47337'; // SigmaHQ: Linux Base64 Encoded Execution
const OWN_ID = '0d5a7a5e-3b0e-4f7e-9a51-6c1f1f6b2a77';

const RULE_FILE = [
  'title: Netcat Reverse Shell',
  `id: ${OWN_ID}`,
  'status: experimental',
  'logsource:',
  '  product: linux',
  '  category: process_creation',
  'detection:',
  '  selection:',
  "    Image|endswith: '/ncat'",
  "    CommandLine|contains: ' -e '",
  '  condition: selection',
  'level: high',
  'tags:',
  '  - attack.execution',
  '  - attack.t1059.004',
].join('\n');

interface Rule {
  key: string;
  title: string;
  source: string;
  file: string | null;
  enabled: boolean;
  level?: string;
  stats: { alerts: number; open: number; hits: number };
}
interface RuleList {
  items: Rule[];
  files: Array<{ slug: string; enabled: boolean; rules: number }>;
}

let h: ApiHarness;
let ingest: pg.Pool;
let a: SeededTenant;
let b: SeededTenant;
let adminA: string;
let analystA: string;
let tokenB: string;

beforeAll(async () => {
  h = await startApiHarness();
  ingest = await ingestPool(h);
  a = await h.seedTenant('rules-a');
  b = await h.seedTenant('rules-b');
  adminA = await h.tokenFor(await h.seedUser(a, { roles: ['admin'] }));
  analystA = await h.tokenFor(await h.seedUser(a, { roles: ['analyst'] }));
  tokenB = await h.tokenFor(await h.seedUser(b, { roles: ['admin'] }));
}, 120_000);

afterAll(async () => {
  await ingest?.end();
  await h?.close();
});

const list = async (token: string, query = '') => h.request<RuleList>('GET', `/api/rules${query}`, { token });

describe('rules API', () => {
  it('lists shipped rules with their state and per-rule alert figures', async () => {
    await raiseAlerts(ingest, a.id, [
      alertInput({ rule_id: SHIPPED_ID, host_name: 'h1', count: 3 }),
      alertInput({ rule_id: SHIPPED_ID, host_name: 'h2', count: 2 }),
    ]);
    const res = await list(analystA);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(200);
    const shipped = res.body.items.find((r) => r.key === SHIPPED_ID)!;
    expect(shipped).toMatchObject({
      source: 'shipped',
      file: null,
      enabled: true,
      stats: { alerts: 2, open: 2, hits: 5 },
    });
    const inB = (await list(tokenB)).body.items.find((r) => r.key === SHIPPED_ID)!;
    expect(inB.stats.alerts).toBe(0);
    expect((await list(analystA, '?q=base64')).body.items.every((r) => /base64/i.test(r.title + r.key))).toBe(
      true,
    );
    expect((await list(analystA, '?source=tenant')).body.items).toEqual([]);
    expect((await h.request('GET', '/api/rules?enabled=maybe', { token: analystA })).status).toBe(400);
    expect((await h.request('GET', '/api/rules')).status).toBe(401);
  });

  it('switches a shipped rule off and on for one tenant, audited', async () => {
    const off = await h.request('POST', '/api/rules/switch', {
      token: adminA,
      body: { ruleKey: SHIPPED_ID, enabled: false },
    });
    expect(off.status).toBe(200);
    expect((await list(analystA)).body.items.find((r) => r.key === SHIPPED_ID)!.enabled).toBe(false);
    expect((await list(tokenB)).body.items.find((r) => r.key === SHIPPED_ID)!.enabled).toBe(true);
    expect((await list(analystA, '?enabled=false')).body.items.map((r) => r.key)).toEqual([SHIPPED_ID]);
    await h.request('POST', '/api/rules/switch', {
      token: adminA,
      body: { ruleKey: SHIPPED_ID, enabled: true },
    });
    expect((await list(analystA)).body.items.find((r) => r.key === SHIPPED_ID)!.enabled).toBe(true);
    const { rows } = await h.admin.query<{ action: string }>(
      `SELECT action FROM inosec.audit_log WHERE tenant_id = $1 AND resource_id = $2 ORDER BY id`,
      [a.id, SHIPPED_ID],
    );
    expect(rows.map((r) => r.action)).toEqual(['rule.disable', 'rule.enable']);
    const unknown = await h.request('POST', '/api/rules/switch', {
      token: adminA,
      body: { ruleKey: 'no-such-rule', enabled: false },
    });
    expect(unknown.status).toBe(404);
    expect(
      (await h.request('POST', '/api/rules/switch', { token: adminA, body: { ruleKey: SHIPPED_ID } })).status,
    ).toBe(400);
    expect(
      (
        await h.request('POST', '/api/rules/switch', {
          token: analystA,
          body: { ruleKey: SHIPPED_ID, enabled: false },
        })
      ).status,
    ).toBe(403);
  });

  it('stores a valid rule file, lists its rules, serves it, deletes it', async () => {
    const up = await h.request<{ slug: string; loaded: Array<{ id: string }> }>('POST', '/api/rules/files', {
      token: adminA,
      body: { slug: 'acme-shells', text: RULE_FILE },
    });
    expect(up.status).toBe(200);
    expect(up.body.loaded.map((r) => r.id)).toEqual([OWN_ID]);
    const listed = await list(analystA, '?source=tenant');
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        key: OWN_ID,
        file: 'acme-shells',
        enabled: true,
        level: 'high',
        source: 'tenant',
      }),
    ]);
    expect(listed.body.files).toEqual([
      expect.objectContaining({ slug: 'acme-shells', enabled: true, rules: 1 }),
    ]);
    const file = await h.request<{ text: string }>('GET', '/api/rules/files/acme-shells', {
      token: analystA,
    });
    expect(file.status).toBe(200);
    expect(file.body.text).toBe(RULE_FILE);
    // The whole file switched off.
    await h.request('POST', '/api/rules/switch', {
      token: adminA,
      body: { ruleKey: 'custom:acme-shells', enabled: false },
    });
    expect((await list(analystA, '?source=tenant')).body.items[0]!.enabled).toBe(false);
    // Another tenant sees none of it.
    expect((await h.request('GET', '/api/rules/files/acme-shells', { token: tokenB })).status).toBe(404);
    expect((await h.request('DELETE', '/api/rules/files/acme-shells', { token: tokenB })).status).toBe(404);
    expect((await list(tokenB, '?source=tenant')).body.items).toEqual([]);
    expect((await h.request('DELETE', '/api/rules/files/acme-shells', { token: analystA })).status).toBe(403);
    expect((await h.request('DELETE', '/api/rules/files/acme-shells', { token: adminA })).status).toBe(204);
    expect((await h.request('GET', '/api/rules/files/acme-shells', { token: analystA })).status).toBe(404);
    expect((await h.request('GET', '/api/rules/files/Bad_Slug!', { token: analystA })).status).toBe(400);
    const { rows } = await h.admin.query<{ action: string; outcome: string }>(
      `SELECT action, outcome FROM inosec.audit_log WHERE tenant_id = $1 AND resource_id = 'custom:acme-shells' ORDER BY id`,
      [a.id],
    );
    expect(rows.map((r) => r.action)).toEqual(['rule.upload', 'rule.disable', 'rule.delete']);
  });

  it('refuses a rule file with 422 listing the loader’s errors, and stores nothing', async () => {
    const broken = RULE_FILE.replace("Image|endswith: '/ncat'", "Image|frobnicate: '/ncat'").replace(
      'level: high',
      'level: apocalyptic',
    );
    const res = await h.request<{
      status: number;
      code: string;
      errors: Array<{ path: string; message: string }>;
    }>('POST', '/api/rules/files', { token: adminA, body: { slug: 'broken', text: broken } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('rule_file_invalid');
    expect(res.body.errors.length).toBeGreaterThanOrEqual(2);
    expect(res.body.errors.every((e) => e.path.startsWith('body.text'))).toBe(true);
    expect(res.body.errors.map((e) => e.message).join('\n')).toMatch(/frobnicate/);
    expect(res.body.errors.map((e) => e.message).join('\n')).toMatch(/apocalyptic|level/);
    // Taking a shipped rule's id is refused too.
    const clash = await h.request<{ errors: Array<{ message: string }> }>('POST', '/api/rules/files', {
      token: adminA,
      body: { slug: 'clash', text: RULE_FILE.replace(OWN_ID, SHIPPED_ID) },
    });
    expect(clash.status).toBe(422);
    expect(clash.body.errors[0]!.message).toMatch(/shipped rule/);
    expect((await h.request('GET', '/api/rules/files/broken', { token: adminA })).status).toBe(404);
    const { rows } = await h.admin.query<{ outcome: string }>(
      `SELECT outcome FROM inosec.audit_log WHERE resource_id = 'custom:broken'`,
    );
    expect(rows.map((r) => r.outcome)).toEqual(['failure']);
    for (const body of [
      { slug: 'x' },
      { slug: 'Bad Slug', text: RULE_FILE },
      { slug: 'ok', text: '' },
      { slug: 'ok', text: RULE_FILE, extra: 1 },
    ]) {
      expect(
        (await h.request('POST', '/api/rules/files', { token: adminA, body })).status,
        JSON.stringify(body),
      ).toBe(400);
    }
    expect(
      (await h.request('POST', '/api/rules/files', { token: analystA, body: { slug: 'x', text: RULE_FILE } }))
        .status,
    ).toBe(403);
  });
});
