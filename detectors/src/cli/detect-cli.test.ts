import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INOSEC_RULES_DIR } from '../detection/inosec-rule-set.js';
import { runDetect } from './detect-cli.js';

const base64Shell = `title: Base64 payload piped to a shell
id: 6d3f3b5e-8a51-4c0e-9a0b-0d5c1b6f7a10
status: test
logsource:
  product: linux
  category: process_creation
detection:
  selection:
    CommandLine|contains|all:
      - 'base64'
      - ' -d'
  condition: selection
level: high
`;
const rawRule = `title: Suspicious user agent
id: 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
status: test
logsource:
  category: proxy
detection:
  selection:
    c-useragent|contains: sqlmap
  condition: selection
level: medium
`;
const windowsRule = `title: Whoami run
id: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
status: test
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
level: low
`;
const backreference = `title: Backreference
id: 1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9
status: test
logsource:
  category: proxy
detection:
  selection:
    c-uri|re: '(a)\\1'
  condition: selection
level: low
`;

const sshdImageRule = `title: sshd rule reading a process field
id: 3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f
status: test
logsource:
  product: linux
  service: sshd
detection:
  selection:
    Image|endswith: '/sshd'
  condition: selection
level: low
`;
const sshFailureRule = `title: Test SSH failure
id: 4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a
name: test_ssh_failure
status: test
logsource:
  product: linux
  service: sshd
detection:
  selection:
    event.outcome: failure
  condition: selection
level: low
`;
function correlationOf(rule: string, condition: string): string {
  return `title: Burst of SSH failures
id: 7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f
status: test
correlation:
  type: event_count
  rules:
    - ${rule}
  group-by:
    - source.ip
  timespan: 1m
  condition:
    ${condition}
level: high
`;
}

let dir: string;
let rules: string;

async function run(...argv: string[]): Promise<{ code: number; out: unknown[]; err: unknown[] }> {
  const out: unknown[] = [];
  const err: unknown[] = [];
  const code = await runDetect(argv, {
    stdout: (line) => out.push(JSON.parse(line)),
    stderr: (line) => err.push(JSON.parse(line)),
  });
  return { code, out, err };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-detect-'));
  rules = path.join(dir, 'rules');
  await mkdir(rules);
  await writeFile(path.join(rules, 'base64.yml'), base64Shell);
  await writeFile(path.join(rules, 'raw.yml'), rawRule);
  await writeFile(path.join(rules, 'windows.yml'), windowsRule);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inosec-detect', () => {
  it('prints one line per match for InoSec events, evtx records and raw records, then the summary', async () => {
    const now = Date.now() * 1000;
    const events = [
      // 0: an InoSec process start whose command line decodes base64 into a shell: the Linux rule.
      {
        seq: 1,
        timeUnixUs: now,
        sensor: 'process',
        process: {
          action: 'ACTION_START',
          process: {
            pid: 4242,
            executable: '/usr/bin/base64',
            name: 'base64',
            commandLine: 'base64 -d /tmp/p | sh',
          },
        },
      },
      // 1: the same command line as a raw record with no log source: a raw record is matched against every
      // rule, so the field name decides (CommandLine is the rule's).
      { CommandLine: 'echo aGk= | base64 -d' },
      // 2: a near miss: base64 without -d.
      {
        seq: 2,
        timeUnixUs: now,
        sensor: 'process',
        process: { action: 'ACTION_START', process: { commandLine: 'base64 /etc/hosts' } },
      },
      // 3: a Windows record in evtx JSON form.
      {
        Event: {
          System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' },
          EventData: { Image: 'C:\\Windows\\System32\\whoami.exe' },
        },
      },
      // 4: a proxy log record.
      { 'c-useragent': 'sqlmap/1.7' },
    ];
    const file = path.join(dir, 'events.jsonl');
    await writeFile(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n{not json\n`);
    const { code, out, err } = await run('--rules', rules, '--events', file);
    expect(code).toBe(0);
    const matches = out.slice(0, -1) as Array<{ rule_title: string; event_index: number }>;
    expect(matches.map((m) => [m.event_index, m.rule_title])).toEqual([
      [0, 'Base64 payload piped to a shell'],
      [1, 'Base64 payload piped to a shell'],
      [3, 'Whoami run'],
      [4, 'Suspicious user agent'],
    ]);
    // Changed with correlations and the InoSec mapping: `loaded`/`unsupported` are InoSec's view (the proxy and
    // Windows rules have no InoSec log source), while all 3 rules still compile for raw/evtx records.
    expect(out.at(-1)).toEqual({
      loaded: 1,
      unsupported: 2,
      errors: 0,
      matches: 4,
      correlations: 0,
      compiled: 3,
      correlation_rules: 0,
      events: 5,
      bad_events: 1,
      untimed_matches: 0,
    });
    expect(err).toEqual([{ error: expect.stringMatching(/^not JSON: /) as unknown, event_index: 5 }]);
  });

  it('--check prints unsupported rules with their reason and rule errors, then the summary', async () => {
    const checked = path.join(dir, 'checked');
    await mkdir(checked);
    await writeFile(path.join(checked, 'ok.yml'), rawRule);
    await writeFile(path.join(checked, 'backref.yml'), backreference);
    await writeFile(path.join(checked, 'broken.yml'), 'title: x\ndetection: [unclosed\n');
    const { code, out } = await run('--rules', checked, '--check');
    expect(code).toBe(1);
    // Changed with the InoSec mapping: a proxy rule is unsupported for InoSec's events (no proxy log collector)
    // although it compiles for raw records (record_reason null); the backreference one is unusable for both.
    expect(out.at(-1)).toEqual({
      loaded: 0,
      unsupported: 2,
      errors: 1,
      matches: 0,
      correlations: 0,
      compiled: 1,
      correlation_rules: 0,
    });
    expect(out).toContainEqual({
      unsupported: expect.objectContaining({
        title: 'Suspicious user agent',
        reason: 'needs_log_collector',
        record_reason: null,
      }) as unknown,
    });
    expect(out).toContainEqual({
      unsupported: expect.objectContaining({
        title: 'Backreference',
        reason: 'needs_log_collector',
        record_reason: 'regex-unsupported',
      }) as unknown,
    });
    expect(out).toContainEqual({
      error: expect.objectContaining({
        message: expect.stringContaining('broken.yml') as unknown,
      }) as unknown,
    });
  });

  it('--check names the field an InoSec log source never carries (unmapped_field)', async () => {
    const unmapped = path.join(dir, 'unmapped');
    await mkdir(unmapped);
    await writeFile(path.join(unmapped, 'sshd-image.yml'), sshdImageRule);
    const { code, out } = await run('--rules', unmapped, '--check');
    expect(code).toBe(0);
    expect(out[0]).toEqual({
      unsupported: expect.objectContaining({
        reason: 'unmapped_field',
        message: expect.stringContaining('Image') as unknown,
        record_reason: null,
      }) as unknown,
    });
    expect(out.at(-1)).toMatchObject({ loaded: 0, unsupported: 1, errors: 0, compiled: 1 });
  });

  it("--check loads InoSec's own auth-log rules and correlations cleanly", async () => {
    const { code, out } = await run('--rules', INOSEC_RULES_DIR, '--check');
    expect(code).toBe(0);
    expect(out).toEqual([
      {
        loaded: 5,
        unsupported: 0,
        errors: 0,
        matches: 0,
        correlations: 0,
        compiled: 5,
        correlation_rules: 4,
      },
    ]);
  });

  it('--check reports a correlation that does not compile as an error', async () => {
    const broken = path.join(dir, 'broken-correlation');
    await mkdir(broken);
    await writeFile(path.join(broken, 'corr.yml'), correlationOf('no_such_rule', 'gte: 3'));
    const { code, out } = await run('--rules', broken, '--check');
    expect(code).toBe(1);
    expect(out).toContainEqual({
      error: expect.objectContaining({
        message: expect.stringContaining("unknown rule reference 'no_such_rule'") as unknown,
      }) as unknown,
    });
    expect(out.at(-1)).toMatchObject({ errors: 1, correlation_rules: 0 });
  });

  it('--events feeds matches to correlations and prints each correlation alert with its events', async () => {
    const corr = path.join(dir, 'correlations');
    await mkdir(corr);
    await writeFile(path.join(corr, 'failure.yml'), sshFailureRule);
    await writeFile(path.join(corr, 'burst.yml'), correlationOf('test_ssh_failure', 'gte: 3'));
    await writeFile(
      path.join(corr, 'lonely.yml'),
      correlationOf('test_ssh_failure', 'lt: 2')
        .replace('Burst of SSH failures', 'A lone SSH failure')
        .replace(/^id: .*$/m, 'id: 2b9e4c1d-7a3f-4e5b-9c8d-1f2e3a4b5c6d'),
    );
    const t0 = Date.UTC(2026, 0, 10, 8, 0, 0);
    const auth = (seconds: number, ip: string, outcome: string) => ({
      seq: seconds,
      timeUnixUs: (t0 + seconds * 1000) * 1000,
      sensor: 'authlog',
      auth: {
        kind: 'KIND_SSH',
        action: 'ACTION_LOGON',
        outcome,
        service: 'sshd',
        process: { name: 'sshd', pid: 811 },
        user: { name: 'root' },
        source: { ip, port: 40000 + seconds },
        method: 'password',
        reason: outcome === 'OUTCOME_FAILURE' ? 'authentication failure' : '',
      },
    });
    const events = [
      auth(0, '203.0.113.5', 'OUTCOME_FAILURE'), // 0
      auth(10, '203.0.113.5', 'OUTCOME_FAILURE'), // 1
      auth(20, '198.51.100.7', 'OUTCOME_FAILURE'), // 2: another source, alone
      auth(25, '203.0.113.5', 'OUTCOME_SUCCESS'), // 3: near miss, not a failure
      // 4: a raw record with the view's field names and a time: the third failure of 203.0.113.5 within 1 min
      {
        'event.outcome': 'failure',
        'source.ip': '203.0.113.5',
        '@timestamp': new Date(t0 + 30_000).toISOString(),
      },
      // 5: the same without a time: it matches, but cannot be placed in a window
      { 'event.outcome': 'failure', 'source.ip': '203.0.113.5' },
    ];
    const file = path.join(dir, 'auth-events.jsonl');
    await writeFile(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    const { code, out, err } = await run('--rules', corr, '--events', file);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const lines = out as Array<Record<string, unknown>>;
    expect(lines.filter((l) => 'rule_title' in l).map((l) => l['event_index'])).toEqual([0, 1, 2, 4, 5]);
    const correlations = lines.filter((l) => 'correlation_id' in l);
    expect(correlations).toEqual([
      {
        correlation_id: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
        correlation_name: null,
        title: 'Burst of SSH failures',
        level: 'high',
        type: 'event_count',
        group_by: { 'source.ip': '203.0.113.5' },
        count: 3,
        first_seen: '2026-01-10T08:00:00.000Z',
        last_seen: '2026-01-10T08:00:30.000Z',
        event_indexes: [0, 1, 4],
      },
      // Upper-bound conditions are decided when the window closes: at the end of the file.
      expect.objectContaining({
        title: 'A lone SSH failure',
        group_by: { 'source.ip': '198.51.100.7' },
        count: 1,
        event_indexes: [2],
      }),
    ]);
    // The burst alert is printed right after the match that completed it.
    expect(lines.indexOf(correlations[0] as Record<string, unknown>)).toBe(
      lines.findIndex((l) => l['event_index'] === 4) + 1,
    );
    expect(lines.at(-1)).toMatchObject({
      matches: 5,
      correlations: 2,
      correlation_rules: 2,
      untimed_matches: 1,
      events: 6,
    });
  });

  it('--events: two failures within the minute are not a burst (near miss)', async () => {
    const corr = path.join(dir, 'correlations-near');
    await mkdir(corr);
    await writeFile(path.join(corr, 'failure.yml'), sshFailureRule);
    await writeFile(path.join(corr, 'burst.yml'), correlationOf('test_ssh_failure', 'gte: 3'));
    const records = [0, 30, 61].map((s) => ({
      'event.outcome': 'failure',
      'source.ip': '203.0.113.5',
      timestamp: 1_768_032_000 + s, // epoch seconds: the third is 61 s after the first
    }));
    const file = path.join(dir, 'near.jsonl');
    await writeFile(file, records.map((r) => JSON.stringify(r)).join('\n'));
    const { out } = await run('--rules', corr, '--events', file);
    expect(out.filter((l) => 'correlation_id' in (l as object))).toEqual([]);
    expect(out.at(-1)).toMatchObject({ matches: 3, correlations: 0, untimed_matches: 0 });
  });

  it('refuses a command line without rules or with both modes', async () => {
    expect((await run('--events', 'x')).code).toBe(2);
    expect((await run('--rules', rules)).code).toBe(2);
    expect((await run('--rules', rules, '--check', '--events', 'x')).code).toBe(2);
    expect((await run('--rules', rules, '--bogus')).code).toBe(2);
  });
});
