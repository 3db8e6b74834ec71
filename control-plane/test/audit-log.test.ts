// The audit log against a real PostgreSQL and control plane: the API (filters, keyset pages, CSV export that is
// itself audited, chain verification), append-only triggers that refuse even the superuser, tampering behind
// the triggers' back found by the verify function, the API and the CLI naming the row, and the app role
// confined to its tenant's chain.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as auditCli } from '../src/audit/audit-cli.js';
import { verifyAllAuditChains, verifyAuditChain } from '../src/audit/audit-verify.js';
import {
  startApiHarness,
  type ApiHarness,
  type SeededTenant,
  type SeededUser,
} from './support/api-harness.js';
import { expectProblem } from './support/admin.js';

interface Entry {
  id: number;
  tenantId: string;
  action: string;
  actorId: string;
  outcome: string;
  resourceType: string;
  details: Record<string, unknown>;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Verdict {
  ok: boolean;
  checked: number;
  firstBroken?: { id: number; reason: string };
}

let h: ApiHarness;
let a: SeededTenant;
let b: SeededTenant;
let adminA: SeededUser;
let tokenA: string;
let tokenB: string;
let analystToken: string;

/** Makes `n` tenant.update entries in the tenant of `token`. */
async function changes(token: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await h.request('PATCH', '/api/tenant', { token, body: { name: `Name ${i} ${Date.now()}` } });
    expect(res.status).toBe(200);
  }
}

/** Runs `sql` as the superuser with the audit triggers out of the way (what an attacker with superuser does). */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  const client = await h.admin.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query(sql, params);
  } finally {
    await client.query('RESET session_replication_role');
    client.release();
  }
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await auditCli(
    args,
    { DATABASE_URL: h.pg.url },
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The built CLI (`npx tsc -b control-plane` first), as operators run it. */
const CLI = fileURLToPath(new URL('../dist/audit/audit-cli.js', import.meta.url));

function spawnCli(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, DATABASE_URL: h.pg.url } },
      (error, stdout) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 99) : 0, stdout });
      },
    );
  });
}

beforeAll(async () => {
  h = await startApiHarness();
  a = await h.seedTenant('audit-a');
  b = await h.seedTenant('audit-b');
  adminA = await h.seedUser(a, { roles: ['admin'] });
  tokenA = await h.tokenFor(adminA);
  tokenB = await h.tokenFor(await h.seedUser(b, { roles: ['admin'] }));
  analystToken = await h.tokenFor(await h.seedUser(a, { roles: ['analyst'] }));
  await changes(tokenA, 3);
  await changes(tokenB, 2);
  // A few other entries in A: a role and a refused escalation.
  await h.request('POST', '/api/roles', {
    token: tokenA,
    body: { name: 'readers', permissions: ['alerts:read'] },
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE even to the superuser', async () => {
    await expect(h.admin.query(`UPDATE inosec.audit_log SET outcome = 'failure'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(h.admin.query(`DELETE FROM inosec.audit_log`)).rejects.toThrow(/append-only/);
    await expect(h.admin.query(`TRUNCATE inosec.audit_log`)).rejects.toThrow(/append-only/);
    await expect(h.app.query(`DELETE FROM inosec.audit_log`)).rejects.toThrow(/permission denied/);
  });
});

describe('GET /api/audit', () => {
  it('lists the tenant chain newest first with keyset pages', async () => {
    const all = await h.request<Page<Entry>>('GET', '/api/audit?limit=500', { token: tokenA });
    expect(all.status).toBe(200);
    expect(all.body.items.length).toBeGreaterThanOrEqual(4);
    expect(all.body.items.every((e) => e.tenantId === a.id)).toBe(true);
    const ids = all.body.items.map((e) => e.id);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    const p1 = await h.request<Page<Entry>>('GET', '/api/audit?limit=2', { token: tokenA });
    const p2 = await h.request<Page<Entry>>('GET', `/api/audit?limit=2&cursor=${p1.body.nextCursor}`, {
      token: tokenA,
    });
    expect([...p1.body.items, ...p2.body.items].map((e) => e.id)).toEqual(ids.slice(0, 4));
  });

  it('filters by action prefix (whole segments), actor, resource, outcome and time', async () => {
    const tenant = await h.request<Page<Entry>>('GET', '/api/audit?action=tenant', { token: tokenA });
    expect(tenant.body.items).toHaveLength(3);
    expect(tenant.body.items.every((e) => e.action === 'tenant.update')).toBe(true);
    expect(
      (await h.request<Page<Entry>>('GET', '/api/audit?action=tenant.update', { token: tokenA })).body.items,
    ).toHaveLength(3);
    expect(
      (await h.request<Page<Entry>>('GET', '/api/audit?action=tenant.upd', { token: tokenA })).body.items,
    ).toHaveLength(0);
    expect(
      (await h.request<Page<Entry>>('GET', '/api/audit?action=ten', { token: tokenA })).body.items,
    ).toHaveLength(0);
    const role = await h.request<Page<Entry>>('GET', `/api/audit?resourceType=role&actorId=${adminA.id}`, {
      token: tokenA,
    });
    expect(role.body.items.map((e) => e.action)).toEqual(['role.create']);
    const byResource = await h.request<Page<Entry>>('GET', `/api/audit?resourceId=${a.id}`, {
      token: tokenA,
    });
    expect(byResource.body.items).toHaveLength(3);
    expect(
      (await h.request<Page<Entry>>('GET', '/api/audit?outcome=denied', { token: tokenA })).body.items,
    ).toEqual([]);
    const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    expect(
      (await h.request<Page<Entry>>('GET', `/api/audit?from=${future}`, { token: tokenA })).body.items,
    ).toEqual([]);
    expect(
      (await h.request<Page<Entry>>('GET', `/api/audit?to=${future}&action=tenant`, { token: tokenA })).body
        .items,
    ).toHaveLength(3);
  });

  it('another tenant reads only its own chain, whatever it filters on', async () => {
    const res = await h.request<Page<Entry>>('GET', `/api/audit?resourceId=${a.id}`, { token: tokenB });
    expect(res.body.items).toEqual([]);
    const own = await h.request<Page<Entry>>('GET', '/api/audit', { token: tokenB });
    expect(own.body.items.every((e) => e.tenantId === b.id)).toBe(true);
    expect(own.body.items).toHaveLength(2);
  });

  it('400 on bad filters, 401 without a token, 403 without audit:read', async () => {
    for (const q of [
      'action=USER',
      'action=user.',
      'outcome=maybe',
      'from=yesterday',
      'limit=501',
      'cursor=!!',
      'tenantId=x',
    ]) {
      expectProblem(await h.request('GET', `/api/audit?${q}`, { token: tokenA }), 400);
    }
    expectProblem(await h.request('GET', '/api/audit'), 401);
    expectProblem(await h.request('GET', '/api/audit', { token: analystToken }), 403, 'missing_permission');
    expectProblem(await h.request('GET', '/api/audit/export'), 401);
    expectProblem(await h.request('GET', '/api/audit/export', { token: analystToken }), 403);
    expectProblem(await h.request('GET', '/api/audit/verify'), 401);
    expectProblem(await h.request('GET', '/api/audit/verify', { token: analystToken }), 403);
  });
});

describe('GET /api/audit/export', () => {
  it('streams CSV of the filtered entries and audits the export itself', async () => {
    const res = await h.request<string>('GET', '/api/audit/export?action=tenant', { token: tokenA });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename="inosec-audit-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actor_type,actor_id,actor_ip,action,resource_type,resource_id,outcome,request_id,details',
    );
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).every((l) => l.includes(',tenant.update,tenant,'))).toBe(true);
    const exports = await h.request<Page<Entry>>('GET', '/api/audit?action=audit.export', { token: tokenA });
    expect(exports.body.items[0]).toMatchObject({ actorId: adminA.id, resourceType: 'audit_log' });
    expect(exports.body.items[0]!.details).toMatchObject({ filter: { action: 'tenant' }, maxRows: 100_000 });
    // Tenant B's export holds none of A's rows.
    const other = await h.request<string>('GET', '/api/audit/export', { token: tokenB });
    expect(other.body).not.toContain(a.id);
    expectProblem(await h.request('GET', '/api/audit/export?limit=5', { token: tokenA }), 400);
  });

  it('exports more rows than one batch, in id order, each once', async () => {
    const { rows } = await h.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inosec.audit_log WHERE tenant_id = $1`,
      [b.id],
    );
    // 1,200 entries through the app role's own insert path (the trigger links each into B's chain).
    const client = await h.app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [b.id]);
      await client.query(
        `INSERT INTO inosec.audit_log (tenant_id, actor_type, action, resource_type, outcome, details)
         SELECT $1, 'system', 'rule.enable', 'rule', 'success', jsonb_build_object('n', g) FROM generate_series(1, 1200) g`,
        [b.id],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const res = await h.request<string>('GET', '/api/audit/export', { token: tokenB });
    const ids = res.body
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => Number(l.split(',')[0]));
    expect(ids).toHaveLength(rows[0]!.n + 1200 + 1); // + the export's own entry
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
  });
});

describe('chain verification', () => {
  it('an untouched chain verifies ok through the API, the function and the CLI', async () => {
    const res = await h.request<Verdict>('GET', '/api/audit/verify', { token: tokenB });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.checked).toBeGreaterThan(1200);
    expect(res.body.firstBroken).toBeUndefined();
    const client = await h.admin.connect();
    const all = await verifyAllAuditChains(client).finally(() => client.release());
    expect(all.every((r) => r.ok)).toBe(true);
    expect(all.map((r) => r.tenantId)).toEqual(expect.arrayContaining([a.id, b.id]));
    const run = await cli(['verify', '--all']);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`OK      tenant ${b.id}`);
  });

  it('a row changed as superuser with triggers disabled is found, named by id, by the API, the function and the CLI', async () => {
    const c = await h.seedTenant('audit-tamper');
    const token = await h.tokenFor(await h.seedUser(c, { roles: ['admin'] }));
    await changes(token, 4);
    const { rows } = await h.admin.query<{ id: string }>(
      `SELECT id::text FROM inosec.audit_log WHERE tenant_id = $1 ORDER BY id`,
      [c.id],
    );
    const victim = Number(rows[1]!.id);
    await tamper(`UPDATE inosec.audit_log SET details = '{"changes":{}}' WHERE id = $1`, [victim]);
    const api = await h.request<Verdict>('GET', '/api/audit/verify', { token });
    expect(api.body).toMatchObject({
      ok: false,
      checked: 4,
      firstBroken: { id: victim, reason: 'content_changed' },
    });
    const client = await h.admin.connect();
    try {
      const report = await verifyAuditChain(client, c.id);
      expect(report).toMatchObject({ ok: false, firstBroken: { id: victim, reason: 'content_changed' } });
    } finally {
      client.release();
    }
    const run = await cli(['verify', '--tenant', c.id]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`first broken link at row ${victim} (its content was changed)`);
    const json = await cli(['verify', '--tenant', c.id, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, chains: [{ firstBroken: { id: victim } }] });
    const spawned = await spawnCli(['verify', '--tenant', c.id]);
    expect(spawned.code).toBe(1);
    expect(spawned.stdout).toContain(`first broken link at row ${victim}`);
    // The other chains are still intact, and --all reports the broken one.
    expect((await cli(['verify', '--tenant', a.id])).code).toBe(0);
    const all = await cli(['verify', '--all']);
    expect(all.code).toBe(1);
    expect(all.out).toContain(`BROKEN  tenant ${c.id}`);
  });

  it('a row whose hash was recomputed after a change is found at the next row', async () => {
    const c = await h.seedTenant('audit-rehash');
    const token = await h.tokenFor(await h.seedUser(c, { roles: ['admin'] }));
    await changes(token, 3);
    const { rows } = await h.admin.query<{ id: string }>(
      `SELECT id::text FROM inosec.audit_log WHERE tenant_id = $1 ORDER BY id`,
      [c.id],
    );
    const [first, second] = rows.map((r) => Number(r.id));
    await tamper(`UPDATE inosec.audit_log SET outcome = 'failure' WHERE id = $1`, [first]);
    await tamper(`UPDATE inosec.audit_log a SET hash = inosec.audit_digest(a.prev_hash, a) WHERE id = $1`, [
      first,
    ]);
    const api = await h.request<Verdict>('GET', '/api/audit/verify', { token });
    expect(api.body.firstBroken).toEqual({ id: second, reason: 'previous_missing_or_changed' });
  });

  it('a deleted row is found at the next row', async () => {
    const c = await h.seedTenant('audit-delete');
    const token = await h.tokenFor(await h.seedUser(c, { roles: ['admin'] }));
    await changes(token, 4);
    const { rows } = await h.admin.query<{ id: string }>(
      `SELECT id::text FROM inosec.audit_log WHERE tenant_id = $1 ORDER BY id`,
      [c.id],
    );
    const ids = rows.map((r) => Number(r.id));
    await h.admin.query('ALTER TABLE inosec.audit_log DISABLE TRIGGER USER');
    try {
      await h.admin.query('DELETE FROM inosec.audit_log WHERE id = $1', [ids[1]]);
    } finally {
      await h.admin.query('ALTER TABLE inosec.audit_log ENABLE TRIGGER USER');
    }
    const api = await h.request<Verdict>('GET', '/api/audit/verify', { token });
    expect(api.body).toMatchObject({
      ok: false,
      checked: 3,
      firstBroken: { id: ids[2], reason: 'previous_missing_or_changed' },
    });
    const run = await cli(['verify', '--tenant', c.id]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`row ${ids[2]} (the previous row is missing or was changed)`);
    // Deleting the first row of a chain is found too.
    await h.admin.query('ALTER TABLE inosec.audit_log DISABLE TRIGGER USER');
    try {
      await h.admin.query('DELETE FROM inosec.audit_log WHERE id = $1', [ids[0]]);
    } finally {
      await h.admin.query('ALTER TABLE inosec.audit_log ENABLE TRIGGER USER');
    }
    expect((await h.request<Verdict>('GET', '/api/audit/verify', { token })).body.firstBroken).toEqual({
      id: ids[2],
      reason: 'previous_missing_or_changed',
    });
  });

  it('the platform chain verifies with --platform', async () => {
    const run = await cli(['verify', '--platform']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/OK {6}platform: \d+ rows intact/);
    const spawned = await spawnCli(['verify', '--platform']);
    expect(spawned.code).toBe(0);
    expect(spawned.stdout).toMatch(/OK {6}platform/);
  });
});

describe('the app role and the audit chains', () => {
  it('reads only its tenant chain, never another tenant nor the platform chain, even without a WHERE', async () => {
    await h.admin.query(
      `INSERT INTO inosec.audit_log (tenant_id, actor_type, action, resource_type, outcome) VALUES (NULL, 'system', 'tenant.create', 'tenant', 'success')`,
    );
    const client = await h.app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [a.id]);
      const seen = await client.query<{ t: string | null }>(
        'SELECT DISTINCT tenant_id::text AS t FROM inosec.audit_log',
      );
      expect(seen.rows).toEqual([{ t: a.id }]);
      expect((await verifyAuditChain(client, b.id)).checked).toBe(0);
      expect((await verifyAuditChain(client, null)).checked).toBe(0);
      expect((await verifyAuditChain(client, a.id)).ok).toBe(true);
      // Nor write into another tenant's chain.
      await expect(
        client.query(
          `INSERT INTO inosec.audit_log (tenant_id, actor_type, action, resource_type, outcome) VALUES ($1, 'system', 'x.y', 'x', 'success')`,
          [b.id],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
