// Tenants' own rule files and rule switches against a real PostgreSQL: validation before storage, the rows the
// collector reads, Row Level Security between tenants, and updated_at driving the collectors' reload.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgres, TELEMETRY_MIGRATIONS } from '@inosec/collector';
import { loadInosecRuleTexts } from '@inosec/detectors';
import { migrate } from '@inosec/protos';
import { CONTROL_PLANE_MIGRATIONS } from '../src/database/migrations.js';
import {
  RuleValidationError,
  TenantRuleInputError,
  TenantRuleNotFoundError,
  TenantRulesService,
  shippedRules,
  validateTenantRuleFile,
  type RuleFileValidation,
} from '../src/rules/index.js';
import { freePort } from './support/processes.js';

const SHIPPED_ID = 'ba592c6d-6888-43c3-b8c6-689b8fe47337'; // SigmaHQ: Linux Base64 Encoded Execution
const DETECTION_ID = '0d5a7a5e-3b0e-4f7e-9a51-6c1f1f6b2a01';
const CORRELATION_ID = '5c2f9a0e-7d1b-4a8e-b0c4-2e9d8f7a6b02';

function detectionRule(overrides: { id?: string; name?: string; extra?: string; logsource?: string } = {}) {
  return [
    'title: Netcat Reverse Shell',
    `id: ${overrides.id ?? DETECTION_ID}`,
    `name: ${overrides.name ?? 'acme_ncat_reverse_shell'}`,
    'status: experimental',
    'description: ncat started with a program to hand the connection to',
    'author: ACME SOC',
    'date: 2026-01-15',
    'logsource:',
    overrides.logsource ?? '  product: linux\n  category: process_creation',
    'detection:',
    '  selection:',
    "    Image|endswith: '/ncat'",
    "    CommandLine|contains: ' -e '",
    overrides.extra ?? '',
    '  condition: selection',
    'level: high',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function correlationRule(rules: string[], id = CORRELATION_ID): string {
  return [
    'title: Repeated Reverse Shells By One User',
    `id: ${id}`,
    'status: experimental',
    'correlation:',
    '  type: event_count',
    '  rules:',
    ...rules.map((rule) => `    - ${rule}`),
    '  group-by:',
    '    - User',
    '  timespan: 10m',
    '  condition:',
    '    gte: 3',
    'level: critical',
  ].join('\n');
}

const VALID_FILE = `${detectionRule()}\n---\n${correlationRule(['acme_ncat_reverse_shell'])}\n`;

let dir: string;
let server: EmbeddedPostgres;
let admin: pg.Pool;
let app: pg.Pool;
let ingest: pg.Pool;
let service: TenantRulesService;

function testPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined); // 57P01 of idle clients when the server stops
  return pool;
}

function loginUrl(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

beforeAll(async () => {
  const warm = shippedRules(); // loads the shipped rule set while PostgreSQL starts
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-tenant-rules-'));
  await chmod(dir, 0o755);
  server = new EmbeddedPostgres({
    dataDir: path.join(dir, 'postgres'),
    secretsDir: path.join(dir, 'secrets'),
    port: await freePort(),
    logger: pino({ level: 'silent' }),
    stopTimeoutMs: 10_000,
  });
  await server.start();
  admin = testPool(server.url);
  await migrate(admin, CONTROL_PLANE_MIGRATIONS);
  await migrate(admin, TELEMETRY_MIGRATIONS);
  await admin.query(`CREATE ROLE rules_app LOGIN PASSWORD 'app-pw' IN ROLE inosec_app`);
  await admin.query(`CREATE ROLE rules_ingest LOGIN PASSWORD 'ingest-pw' IN ROLE inosec_ingest`);
  app = testPool(loginUrl(server.url, 'rules_app', 'app-pw'));
  ingest = testPool(loginUrl(server.url, 'rules_ingest', 'ingest-pw'));
  service = new TenantRulesService(app);
  await warm;
});

afterAll(async () => {
  await app?.end();
  await ingest?.end();
  await admin?.end();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface CollectorRow {
  tenant_id: string;
  rule_key: string;
  enabled: boolean;
  source: string | null;
}

/** Every tenant's rows, read as the collector's ingest role reads them. */
async function collectorRows(tenantId: string): Promise<CollectorRow[]> {
  const { rows } = await ingest.query<CollectorRow>(
    'SELECT tenant_id::text AS tenant_id, rule_key, enabled, source FROM telemetry.tenant_rules ORDER BY tenant_id, rule_key',
  );
  return rows.filter((row) => row.tenant_id === tenantId);
}

/** The collector's reload fingerprint. */
async function collectorVersion(): Promise<string> {
  const { rows } = await ingest.query<{ version: string }>(
    `SELECT count(*)::text || '/' || coalesce(max(updated_at)::text, '') AS version FROM telemetry.tenant_rules`,
  );
  return rows[0]?.version ?? '';
}

async function refused(tenantId: string, slug: string, text: string): Promise<RuleFileValidation> {
  const error = await service.upload(tenantId, slug, text).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RuleValidationError);
  expect(await collectorRows(tenantId)).toEqual([]);
  return (error as RuleValidationError).validation;
}

describe('validateTenantRuleFile', () => {
  it('accepts a detection rule and a correlation referring to it', async () => {
    const result = await validateTenantRuleFile('custom:acme', VALID_FILE);
    expect(result.errors).toEqual([]);
    expect(result.unsupported).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.rules).toEqual([
      {
        id: DETECTION_ID,
        name: 'acme_ncat_reverse_shell',
        title: 'Netcat Reverse Shell',
        kind: 'detection',
        level: 'high',
      },
      {
        id: CORRELATION_ID,
        title: 'Repeated Reverse Shells By One User',
        kind: 'correlation',
        level: 'critical',
      },
    ]);
  });

  it('accepts a correlation over a shipped rule (by name) and refuses one over no rule', async () => {
    const shipped = await validateTenantRuleFile('custom:ssh', correlationRule(['inosec_ssh_auth_failure']));
    expect(shipped.errors).toEqual([]);
    expect(shipped.ok).toBe(true);
    const missing = await validateTenantRuleFile('custom:ssh', correlationRule(['inosec_ssh_auth_failur']));
    expect(missing.ok).toBe(false);
    expect(missing.errors).toHaveLength(1);
    expect(missing.errors[0]).toMatchObject({ ruleId: CORRELATION_ID, key: 'correlation.rules[0]' });
    expect(missing.errors[0]?.message).toMatch(
      /custom:ssh.*correlation\.rules\[0\].*inosec_ssh_auth_failur'/,
    );
  });

  it('refuses an empty file, a global filter, and more than 100 documents', async () => {
    const empty = await validateTenantRuleFile('custom:empty', '# nothing yet\n');
    expect(empty.ok).toBe(false);
    expect(empty.errors[0]?.message).toMatch(/custom:empty: the file holds no Sigma/);

    const filter = [
      'title: Ignore Our Backup Job',
      'id: 7a0c2d4e-1f3b-4c5d-8e9f-0a1b2c3d4e5f',
      'logsource:',
      '  product: linux',
      '  category: process_creation',
      'filter:',
      '  rules:',
      `    - ${SHIPPED_ID}`,
      '  selection:',
      '    User: backup',
      '  condition: not selection',
    ].join('\n');
    const filtered = await validateTenantRuleFile('custom:filter', `${detectionRule()}\n---\n${filter}`);
    expect(filtered.ok).toBe(false);
    expect(filtered.unsupported).toEqual([
      expect.objectContaining({ reason: 'filter_in_tenant_file', title: 'Ignore Our Backup Job' }),
    ]);

    const many = Array.from({ length: 101 }, (_, i) =>
      detectionRule({ id: randomUUID(), name: `rule_${i}` }),
    ).join('\n---\n');
    const tooMany = await validateTenantRuleFile('custom:many', many);
    expect(tooMany.ok).toBe(false);
    expect(tooMany.errors[0]?.message).toMatch(
      /custom:many: the file holds 101 YAML documents; .* at most 100/,
    );
    const hundred = await validateTenantRuleFile(
      'custom:many',
      `---\n${many.split('\n---\n').slice(1).join('\n---\n')}`,
    );
    expect(hundred.errors).toEqual([]);
    expect(hundred.rules).toHaveLength(100);
  });
});

describe('TenantRulesService.upload', () => {
  it('stores a valid file as the row the collector loads', async () => {
    const tenant = randomUUID();
    const { record, validation } = await service.upload(tenant, 'acme-shells', VALID_FILE);
    expect(validation.ok).toBe(true);
    expect(record).toMatchObject({ ruleKey: 'custom:acme-shells', enabled: true, source: VALID_FILE });
    expect(await collectorRows(tenant)).toEqual([
      { tenant_id: tenant, rule_key: 'custom:acme-shells', enabled: true, source: VALID_FILE },
    ]);
    // What the collector does with the row: the rule and the correlation load.
    const loaded = loadInosecRuleTexts([{ name: 'custom:acme-shells', text: VALID_FILE }]);
    expect(loaded.report.errors).toEqual([]);
    expect(loaded.ruleSet.rules.map((r) => r.id)).toEqual([DETECTION_ID]);
    expect(loaded.correlations.map((c) => c.id)).toEqual([CORRELATION_ID]);
  });

  it.each([
    [
      'an unknown modifier',
      detectionRule({ extra: "    ParentImage|endswithh: '/bash'" }),
      /custom:bad.*rule 0d5a7a5e-3b0e-4f7e-9a51-6c1f1f6b2a01.*ParentImage\|endswithh.*endswithh/,
      'errors',
    ],
    [
      'a YAML syntax error',
      `${detectionRule()}\n  other: [unclosed\n`,
      /custom:bad.*YAML syntax error.*line \d+/,
      'errors',
    ],
    [
      'an unmapped field',
      detectionRule({ extra: "    LogonId: '0x3e7'" }),
      /custom:bad.*rule 0d5a7a5e-3b0e-4f7e-9a51-6c1f1f6b2a01.*detection \(LogonId\).*LogonId/,
      'unsupported',
    ],
    [
      'an unknown log source',
      detectionRule({ logsource: '  product: acme\n  category: widget' }),
      /custom:bad.*rule 0d5a7a5e-3b0e-4f7e-9a51-6c1f1f6b2a01.*at logsource/,
      'unsupported',
    ],
    [
      'a correlation over a rule that does not exist',
      `${detectionRule()}\n---\n${correlationRule(['acme_ncat_reverse_shel'])}`,
      /custom:bad.*rule 5c2f9a0e-7d1b-4a8e-b0c4-2e9d8f7a6b02.*at correlation\.rules\[0\].*acme_ncat_reverse_shel'/,
      'errors',
    ],
    [
      'the id of a shipped rule',
      detectionRule({ id: SHIPPED_ID }),
      /custom:bad, rule ba592c6d-6888-43c3-b8c6-689b8fe47337, at id: .*shipped rule 'Linux Base64 Encoded/,
      'errors',
    ],
    [
      '300 KiB of text',
      `${detectionRule()}\n${'# padding\n'.repeat(30 * 1024)}`,
      /custom:bad: the file is 3\d{5} bytes; a rule file holds at most 262144 bytes/,
      'errors',
    ],
  ] as const)('refuses %s, naming the rule and key, and stores nothing', async (_, text, message, list) => {
    const tenant = randomUUID();
    const validation = await refused(tenant, 'bad', text);
    expect(validation.ok).toBe(false);
    const problems: Array<{ message: string }> = validation[list];
    expect(problems.map((p) => p.message)).toContainEqual(expect.stringMatching(message));
  });

  it('gives the problems structured: rule, key and reason', async () => {
    const modifier = await validateTenantRuleFile(
      'custom:bad',
      detectionRule({ extra: "    ParentImage|endswithh: '/bash'" }),
    );
    expect(modifier.errors[0]).toMatchObject({
      ruleId: DETECTION_ID,
      key: expect.stringContaining('endswithh'),
    });
    const unmapped = await validateTenantRuleFile(
      'custom:bad',
      detectionRule({ extra: "    LogonId: '0x3e7'" }),
    );
    expect(unmapped.unsupported).toEqual([
      expect.objectContaining({
        ruleId: DETECTION_ID,
        title: 'Netcat Reverse Shell',
        key: 'detection (LogonId)',
        reason: 'unmapped_field',
      }),
    ]);
    const windows = await validateTenantRuleFile(
      'custom:bad',
      detectionRule({ logsource: '  product: windows\n  category: process_creation' }),
    );
    expect(windows.unsupported[0]).toMatchObject({ reason: 'product_not_collected', key: 'logsource' });
  });

  it('refuses a rule id another of the tenant’s files uses, and a bad slug', async () => {
    const tenant = randomUUID();
    await service.upload(tenant, 'first', detectionRule());
    const validation = await refusedKeepingOthers(tenant, 'second', detectionRule({ name: 'other_name' }));
    expect(validation.errors[0]?.message).toMatch(/custom:second, rule .*, at id: .*your file custom:first/);
    // Replacing the same file is not a collision.
    await expect(service.upload(tenant, 'first', detectionRule())).resolves.toBeDefined();
    for (const slug of ['', 'Upper', '-dash', 'a/b', 'x'.repeat(64)]) {
      await expect(service.upload(tenant, slug, VALID_FILE)).rejects.toBeInstanceOf(TenantRuleInputError);
    }
    await expect(service.upload('not-a-tenant', 'ok', VALID_FILE)).rejects.toBeInstanceOf(
      TenantRuleInputError,
    );
    expect((await collectorRows(tenant)).map((r) => r.rule_key)).toEqual(['custom:first']);
  });
});

async function refusedKeepingOthers(tenant: string, slug: string, text: string): Promise<RuleFileValidation> {
  const before = await collectorRows(tenant);
  const error = await service.upload(tenant, slug, text).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RuleValidationError);
  expect(await collectorRows(tenant)).toEqual(before);
  return (error as RuleValidationError).validation;
}

describe('TenantRulesService.setEnabled', () => {
  it('switches a shipped rule off (enabled=false, source NULL) and back on', async () => {
    const tenant = randomUUID();
    const off = await service.setEnabled(tenant, SHIPPED_ID, false);
    expect(off).toMatchObject({ ruleKey: SHIPPED_ID, enabled: false, source: null });
    expect(await collectorRows(tenant)).toEqual([
      { tenant_id: tenant, rule_key: SHIPPED_ID, enabled: false, source: null },
    ]);
    // A shipped correlation by its id, and a rule without id by its title key, switch off the same way.
    await service.setEnabled(tenant, 'c8e88326-c4a6-4998-bdc3-c3d6ebdad742', false);
    expect(await collectorRows(tenant)).toHaveLength(2);
    // Back on: the switch is deleted (no row is the default: enabled).
    expect(await service.setEnabled(tenant, SHIPPED_ID, true)).toBeNull();
    expect((await collectorRows(tenant)).map((r) => r.rule_key)).toEqual([
      'c8e88326-c4a6-4998-bdc3-c3d6ebdad742',
    ]);
  });

  it('refuses to switch off a key no rule has, and switches a file and one of its rules', async () => {
    const tenant = randomUUID();
    await expect(
      service.setEnabled(tenant, 'ba592c6d-0000-0000-0000-000000000000', false),
    ).rejects.toBeInstanceOf(TenantRuleNotFoundError);
    await expect(service.setEnabled(tenant, 'custom:nothing', false)).rejects.toBeInstanceOf(
      TenantRuleNotFoundError,
    );
    await service.upload(tenant, 'acme', VALID_FILE);
    await service.setEnabled(tenant, DETECTION_ID, false); // one rule of the tenant's file
    const file = await service.setEnabled(tenant, 'custom:acme', false);
    expect(file).toMatchObject({ enabled: false, source: VALID_FILE });
    expect(await collectorRows(tenant)).toEqual([
      { tenant_id: tenant, rule_key: DETECTION_ID, enabled: false, source: null },
      { tenant_id: tenant, rule_key: 'custom:acme', enabled: false, source: VALID_FILE },
    ]);
    // Switching a rule back on never deletes a file.
    await service.setEnabled(tenant, 'custom:acme', true);
    expect((await collectorRows(tenant)).find((r) => r.rule_key === 'custom:acme')?.enabled).toBe(true);
  });
});

describe('tenant isolation', () => {
  it("keeps tenant A's rows from tenant B's calls and from the app role without a tenant", async () => {
    const a = randomUUID();
    const b = randomUUID();
    await service.upload(a, 'shared-name', VALID_FILE);
    await service.setEnabled(a, SHIPPED_ID, false);

    expect(await service.list(b)).toEqual([]);
    await expect(service.setEnabled(b, 'custom:shared-name', false)).rejects.toBeInstanceOf(
      TenantRuleNotFoundError,
    );
    await expect(service.remove(b, 'shared-name')).rejects.toBeInstanceOf(TenantRuleNotFoundError);
    await service.setEnabled(b, SHIPPED_ID, true); // B's "back on" deletes only B's switch (none)
    // B may use the same slug and rule ids as A: rule files are per tenant.
    await service.upload(b, 'shared-name', detectionRule());

    const rowsA = await collectorRows(a);
    expect(rowsA).toEqual([
      { tenant_id: a, rule_key: SHIPPED_ID, enabled: false, source: null },
      { tenant_id: a, rule_key: 'custom:shared-name', enabled: true, source: VALID_FILE },
    ]);
    expect((await service.list(a)).map((r) => r.ruleKey)).toEqual([SHIPPED_ID, 'custom:shared-name']);
    expect((await service.list(b)).map((r) => r.source)).toEqual([detectionRule()]);

    // Directly as the app role: nothing without a tenant; with B's, nothing of A's, and no write into A.
    const { rows } = await app.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry.tenant_rules');
    expect(rows[0]?.n).toBe(0);
    const client = await app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [b]);
      const seen = await client.query('SELECT 1 FROM telemetry.tenant_rules WHERE tenant_id = $1', [a]);
      expect(seen.rowCount).toBe(0);
      const updated = await client.query(
        'UPDATE telemetry.tenant_rules SET enabled = true WHERE tenant_id = $1',
        [a],
      );
      expect(updated.rowCount).toBe(0);
      const deleted = await client.query('DELETE FROM telemetry.tenant_rules WHERE tenant_id = $1', [a]);
      expect(deleted.rowCount).toBe(0);
      await expect(
        client.query(
          "INSERT INTO telemetry.tenant_rules (tenant_id, rule_key, enabled) VALUES ($1, 'x', false)",
          [a],
        ),
      ).rejects.toThrow(/row-level security/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await collectorRows(a)).toEqual(rowsA);
  });
});

describe('updated_at', () => {
  it('advances on every change, and the collector fingerprint changes with it', async () => {
    const tenant = randomUUID();
    const versions = [await collectorVersion()];
    const stamps: bigint[] = [];
    // In microseconds (a Date keeps milliseconds: two changes may share one).
    const stamp = async (key: string) => {
      const { rows } = await ingest.query<{ us: string }>(
        `SELECT (extract(epoch FROM updated_at) * 1000000)::bigint::text AS us
         FROM telemetry.tenant_rules WHERE tenant_id = $1 AND rule_key = $2`,
        [tenant, key],
      );
      stamps.push(BigInt(rows[0]?.us ?? '-1'));
      versions.push(await collectorVersion());
    };
    await service.upload(tenant, 'acme', VALID_FILE);
    await stamp('custom:acme');
    await service.upload(tenant, 'acme', VALID_FILE); // replaced with the same text: still a change
    await stamp('custom:acme');
    await service.setEnabled(tenant, 'custom:acme', false);
    await stamp('custom:acme');
    await service.setEnabled(tenant, SHIPPED_ID, false);
    await stamp(SHIPPED_ID);
    await service.setEnabled(tenant, SHIPPED_ID, false); // again: the collector reloads, harmless
    await stamp(SHIPPED_ID);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThan(stamps[i - 1] as bigint);
    const file = (await service.list(tenant)).find((r) => r.ruleKey === 'custom:acme');
    expect(file?.createdAt.getTime()).toBe(Number((stamps[0] as bigint) / 1000n)); // created once, kept
    // Deleting changes the row count: the fingerprint changes too.
    await service.setEnabled(tenant, SHIPPED_ID, true);
    versions.push(await collectorVersion());
    await service.remove(tenant, 'acme');
    versions.push(await collectorVersion());
    // Each change differs from the version read just before it (what a collector compares with).
    for (let i = 1; i < versions.length; i++) expect(versions[i]).not.toBe(versions[i - 1]);
    expect(await collectorRows(tenant)).toEqual([]);
  });
});
