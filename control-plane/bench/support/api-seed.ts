// Seeds the API benchmark's data set through the admin (superuser) connection, generated server-side with
// generate_series so a million alerts take seconds to make, not a million round trips: tenants with the builtin
// roles, users holding them with one live session each, alerts spread over 30 days the way ingest lays them
// down (time order, tenants interleaved), and stored events behind a sample of alerts for the detail route.
import { hash } from '@node-rs/argon2';
import type pg from 'pg';
import { AccessTokens } from '../../src/auth/access-tokens.js';
import { BUILTIN_ROLES } from '../../src/auth/permissions.js';

/** How big the data set is. */
export interface ApiSeedOptions {
  tenants: number;
  usersPerTenant: number;
  alertsPerTenant: number;
  /** Every n-th alert of a tenant (by time) gets stored events and is a target of the detail requests. */
  detailEvery: number;
  /** Stored events each detail alert points at. */
  eventsPerDetailAlert: number;
  /** Further stored events per tenant that no alert points at (realistic density of the events table). */
  noiseEventsPerTenant: number;
}

/** One tenant's credentials and ids, for the load generator. */
export interface BenchTenant {
  id: string;
  /** One bearer token per user (each with its own session). */
  tokens: string[];
  /** Alerts with stored events behind them. */
  detailAlertIds: string[];
}

/** What was seeded and how long each step took (seconds). */
export interface ApiSeed {
  tenants: BenchTenant[];
  counts: { tenants: number; users: number; alerts: number; events: number };
  seconds: Record<string, number>;
}

/** Detection rules the alerts come from: a realistic Linux/OT mix, most frequent first. */
const RULES: ReadonlyArray<{
  id: string;
  name: string;
  severity: string;
  tactics: string[];
  techniques: string[];
}> = [
  {
    id: 'inosec-ssh-bruteforce',
    name: 'SSH brute force',
    severity: 'medium',
    tactics: ['credential-access'],
    techniques: ['T1110', 'T1110.001'],
  },
  {
    id: 'sigma-curl-usage-linux',
    name: 'Curl Usage on Linux',
    severity: 'low',
    tactics: ['command-and-control'],
    techniques: ['T1105'],
  },
  {
    id: 'inosec-ssh-auth-failure',
    name: 'SSH authentication failure',
    severity: 'informational',
    tactics: ['credential-access'],
    techniques: ['T1110'],
  },
  {
    id: 'sigma-base64-pipe-shell',
    name: 'Linux Base64 Encoded Pipe to Shell',
    severity: 'medium',
    tactics: ['defense-evasion'],
    techniques: ['T1140'],
  },
  {
    id: 'sigma-chmod-tmp-exec',
    name: 'Chmod Suspicious Directory',
    severity: 'medium',
    tactics: ['defense-evasion'],
    techniques: ['T1222.002'],
  },
  {
    id: 'sigma-crontab-enum',
    name: 'Crontab Enumeration',
    severity: 'low',
    tactics: ['discovery'],
    techniques: ['T1007'],
  },
  {
    id: 'inosec-modbus-write-unexpected',
    name: 'Modbus write from unexpected host',
    severity: 'high',
    tactics: ['impair-process-control'],
    techniques: ['T0855'],
  },
  {
    id: 'sigma-reverse-shell-bash',
    name: 'Potential Bash Reverse Shell',
    severity: 'high',
    tactics: ['execution'],
    techniques: ['T1059.004'],
  },
  {
    id: 'sigma-susp-history-clear',
    name: 'History File Deletion',
    severity: 'high',
    tactics: ['defense-evasion'],
    techniques: ['T1070.003'],
  },
  {
    id: 'inosec-ioc-ip-match',
    name: 'Connection to known-bad IP address',
    severity: 'high',
    tactics: ['command-and-control'],
    techniques: ['T1071'],
  },
  {
    id: 'sigma-sudo-privesc-cve',
    name: 'Sudo Privilege Escalation CVE-2019-14287',
    severity: 'high',
    tactics: ['privilege-escalation'],
    techniques: ['T1068'],
  },
  {
    id: 'inosec-modbus-plc-stop',
    name: 'PLC stop command',
    severity: 'critical',
    tactics: ['inhibit-response-function'],
    techniques: ['T0816'],
  },
  {
    id: 'sigma-xmrig-miner',
    name: 'Linux Crypto Mining Indicators',
    severity: 'high',
    tactics: ['impact'],
    techniques: ['T1496'],
  },
  {
    id: 'inosec-anomaly-flow-volume',
    name: 'Anomalous outbound volume',
    severity: 'medium',
    tactics: ['exfiltration'],
    techniques: ['T1048'],
  },
  {
    id: 'sigma-shadow-access',
    name: 'Access of /etc/shadow',
    severity: 'critical',
    tactics: ['credential-access'],
    techniques: ['T1003.008'],
  },
  {
    id: 'sigma-new-systemd-service',
    name: 'Systemd Service Creation',
    severity: 'low',
    tactics: ['persistence'],
    techniques: ['T1543.002'],
  },
];

const HOST_PREFIXES = ['web', 'db', 'app', 'plc-gw', 'hmi', 'ws', 'build', 'mail'];

/** Roles by user number: one admin, then analysts, operators and viewers (all may read alerts). */
const ROLE_OF_USER = `CASE WHEN n = 1 THEN 'admin' WHEN n <= 5 THEN 'analyst'
                           WHEN n <= 7 THEN 'fleet-operator' ELSE 'viewer' END`;

async function timed<T>(seconds: Record<string, number>, step: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  seconds[step] = (performance.now() - started) / 1_000;
  return result;
}

/**
 * Seeds the data set into a database migrated with both streams (the benchmark's own throwaway cluster) and
 * mints one access token per user, signed with `jwtSecret` (valid `tokenTtlSeconds`).
 */
export async function seedApiBench(
  admin: pg.Pool,
  jwtSecret: string,
  options: ApiSeedOptions,
  tokenTtlSeconds = 3_600,
): Promise<ApiSeed> {
  const seconds: Record<string, number> = {};
  const client = await admin.connect();
  try {
    await client.query('SELECT setseed(0.42)');
    await timed(seconds, 'tenants_roles', async () => {
      await client.query(
        `INSERT INTO inosec.tenants (slug, name)
         SELECT format('bench-%s', lpad(i::text, 5, '0')), format('Bench tenant %s', i)
           FROM generate_series(1, $1::int) i`,
        [options.tenants],
      );
      await client.query(
        `INSERT INTO inosec.roles (tenant_id, name, description, permissions, builtin)
         SELECT t.id, r.name, r.description, r.permissions, true
           FROM inosec.tenants t
          CROSS JOIN jsonb_to_recordset($1::jsonb) AS r(name text, description text, permissions text[])
          WHERE t.slug LIKE 'bench-%'`,
        [JSON.stringify(BUILTIN_ROLES)],
      );
    });

    const passwordHash = await hash(`bench-${Math.random()}`);
    const sessions = await timed(seconds, 'users_sessions', async () => {
      await client.query(
        `INSERT INTO inosec.users (tenant_id, email, display_name, password_hash, status, email_verified_at)
         SELECT t.id, format('user-%s@%s.test', n, t.slug), format('Bench user %s', n), $1, 'active', now()
           FROM inosec.tenants t CROSS JOIN generate_series(1, $2::int) n
          WHERE t.slug LIKE 'bench-%'`,
        [passwordHash, options.usersPerTenant],
      );
      await client.query(
        `INSERT INTO inosec.user_roles (tenant_id, user_id, role_id)
         SELECT u.tenant_id, u.id, r.id
           FROM (SELECT id, tenant_id, split_part(split_part(email, '@', 1), '-', 2)::int AS n
                   FROM inosec.users WHERE email LIKE 'user-%@bench-%') u
           JOIN inosec.roles r ON r.tenant_id = u.tenant_id AND r.name = ${ROLE_OF_USER}`,
      );
      const { rows } = await client.query<{ id: string; tenant_id: string; user_id: string }>(
        `INSERT INTO inosec.sessions (tenant_id, user_id, expires_at, user_agent)
         SELECT tenant_id, id, now() + interval '1 day', 'inosec-api-bench'
           FROM inosec.users WHERE email LIKE 'user-%@bench-%'
         RETURNING id, tenant_id, user_id`,
      );
      return rows;
    });

    const alerts = await timed(seconds, 'alerts', async () => {
      // Row i belongs to tenant i % N (tenants interleave, as ingest writes them) and is the (i / N)-th
      // alert of it (i ends the dedupe key: the detail sample below finds its rows by it); last_seen grows with i over 29 days (heap order is time order), minutes of jitter.
      const { rowCount } = await client.query(
        `WITH tenant_ids AS (
           SELECT array_agg(id ORDER BY slug) AS ids FROM inosec.tenants WHERE slug LIKE 'bench-%'
         ), rules AS (
           SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                    AS (id text, name text, severity text, tactics text[], techniques text[]))
                  WITH ORDINALITY AS r(id, name, severity, tactics, techniques, ord)
         ), base AS (
           SELECT i, t.ids[1 + i % $2::int] AS tenant_id, (i % $2::int) + 1 AS tenant_no,
                  1 + floor($6::int * random() ^ 2)::int AS rule_no,
                  ($5::text[])[1 + floor(random() * cardinality($5::text[]))::int]
                    || '-' || lpad((1 + floor(random() ^ 1.5 * 12))::text, 2, '0') AS host,
                  now() - interval '29 days' * (1 - i::double precision / ($2::int * $3::int))
                    - random() * interval '10 minutes' AS last_seen,
                  CASE WHEN (i / $2::int) % $4::int = 0 THEN $7::int + floor(random() * 40)::int
                       WHEN random() < 0.6 THEN 1
                       ELSE 1 + floor(random() ^ 3 * 200)::int END AS count,
                  random() AS status_pick
             FROM generate_series(0, $2::int * $3::int - 1) i, tenant_ids t
         ), shaped AS (
           SELECT b.*, format('ag-%s-%s', lpad(tenant_no::text, 5, '0'), host) AS agent_id,
                  CASE WHEN count = 1 THEN last_seen
                       ELSE last_seen - random() * interval '2 hours' END AS first_seen,
                  r.id AS rule_id, r.name AS rule_name, r.severity, r.tactics, r.techniques
             FROM base b JOIN rules r ON r.ord = b.rule_no
         )
         INSERT INTO telemetry.alerts (tenant_id, agent_id, rule_id, rule_name, ruleset, rule_version, severity,
                                       score, title, description, tactics, techniques, tags, host_name, host_id,
                                       dedupe_key, first_seen, last_seen, count, events, status, created_at,
                                       updated_at)
         SELECT tenant_id, agent_id, rule_id, rule_name,
                CASE WHEN rule_id LIKE 'sigma-%' THEN 'sigma' ELSE 'inosec' END, '1',
                severity, round((random() * 100)::numeric, 1)::double precision,
                rule_name || ' on ' || host, 'Raised by the benchmark seed', tactics, techniques,
                ARRAY['attack.' || tactics[1]], host, 'hid-' || agent_id,
                rule_id || ':' || host || ':' || i, first_seen, last_seen, count,
                (SELECT jsonb_agg(jsonb_build_object(
                          'agent_id', agent_id, 'seq', i::bigint * 8 + j,
                          'time', to_char((first_seen + (last_seen - first_seen) * (j - 1)
                                             / greatest(least(count, $7::int) - 1, 1)) AT TIME ZONE 'UTC',
                                          'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
                          ORDER BY j)
                   FROM generate_series(1, least(count, $7::int)) j),
                CASE WHEN status_pick < 0.55 THEN 'new' WHEN status_pick < 0.8 THEN 'acknowledged'
                     ELSE 'closed' END,
                first_seen, last_seen
           FROM shaped`,
        [
          JSON.stringify(RULES),
          options.tenants,
          options.alertsPerTenant,
          options.detailEvery,
          HOST_PREFIXES,
          RULES.length,
          options.eventsPerDetailAlert,
        ],
      );
      return rowCount ?? 0;
    });

    const detail = await timed(seconds, 'events', async () => {
      await client.query(
        `CREATE TEMP TABLE bench_detail_ids AS
         SELECT id, tenant_id, agent_id, host_name, host_id, rule_id, events FROM telemetry.alerts
          WHERE dedupe_key LIKE '%:%:%'
            AND (split_part(dedupe_key, ':', 3)::bigint / $2::int) % $1::int = 0`,
        [options.detailEvery, options.tenants],
      );
      const matched = await client.query(
        `INSERT INTO telemetry.events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name, host_id,
                                       kind, action, outcome, user_name, process_pid, process_name,
                                       process_executable, process_command_line, source_ip, message, data)
         SELECT d.tenant_id, e->>'agent_id', (e->>'seq')::bigint, (e->>'time')::timestamptz,
                (e->>'time')::timestamptz, 'process', d.host_name, d.host_id, 'process', 'start', 'success',
                'www-data', 1000 + (e->>'seq')::bigint % 30000, 'sh', '/usr/bin/sh',
                'sh -c echo c2xlZXAgMwo= | base64 -d | sh', ('10.20.' || ((e->>'seq')::bigint % 250) || '.7')::inet,
                'process started by ' || d.rule_id,
                json_build_object('process', json_build_object('pid', 1000 + (e->>'seq')::bigint % 30000,
                  'name', 'sh', 'executable', '/usr/bin/sh',
                  'commandLine', 'sh -c echo c2xlZXAgMwo= | base64 -d | sh',
                  'parent', json_build_object('name', 'bash', 'pid', 812)), 'user', json_build_object('name', 'www-data'))
           FROM bench_detail_ids d CROSS JOIN jsonb_array_elements(d.events) e`,
      );
      // Background: events no alert points at, spread over the same 29 days, so the table has a
      // realistic density around the matched ones.
      const noise = await client.query(
        `INSERT INTO telemetry.events (tenant_id, agent_id, seq, time, observed_time, sensor, host_name, host_id,
                                       kind, action, outcome, user_name, message, data)
         SELECT t.id, format('ag-%s-web-01', substr(t.slug, 7)), 1000000000000 + n,
                now() - random() * interval '29 days', now() - random() * interval '29 days', 'log', 'web-01',
                'hid-web-01', 'log', 'line', null, null, 'GET /index.html 200',
                json_build_object('log', json_build_object('message', 'GET /index.html 200', 'n', n))
           FROM inosec.tenants t CROSS JOIN generate_series(1, $1::int) n
          WHERE t.slug LIKE 'bench-%'`,
        [options.noiseEventsPerTenant],
      );
      const { rows } = await client.query<{ tenant_id: string; ids: string[] }>(
        `SELECT tenant_id, array_agg(id ORDER BY id) AS ids FROM bench_detail_ids GROUP BY tenant_id`,
      );
      await client.query('DROP TABLE bench_detail_ids');
      return { rows, events: (matched.rowCount ?? 0) + (noise.rowCount ?? 0) };
    });

    await timed(seconds, 'analyze', async () => {
      await client.query('VACUUM (ANALYZE) telemetry.alerts');
      await client.query('ANALYZE');
    });

    const tokens = new AccessTokens(jwtSecret, tokenTtlSeconds);
    const byTenant = new Map<string, BenchTenant>();
    for (const row of detail.rows)
      byTenant.set(row.tenant_id, { id: row.tenant_id, tokens: [], detailAlertIds: row.ids });
    await timed(seconds, 'tokens', async () => {
      for (const session of sessions) {
        const tenant = byTenant.get(session.tenant_id);
        if (tenant === undefined) throw new Error(`tenant ${session.tenant_id} has no detail alerts`);
        tenant.tokens.push(
          await tokens.issue({ userId: session.user_id, tenantId: session.tenant_id, sessionId: session.id }),
        );
      }
    });
    return {
      tenants: [...byTenant.values()],
      counts: { tenants: byTenant.size, users: sessions.length, alerts, events: detail.events },
      seconds,
    };
  } finally {
    client.release();
  }
}
