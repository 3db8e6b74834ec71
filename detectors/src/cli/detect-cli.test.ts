import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(out.at(-1)).toEqual({
      loaded: 3,
      unsupported: 0,
      errors: 0,
      matches: 4,
      events: 5,
      bad_events: 1,
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
    expect(out.at(-1)).toEqual({ loaded: 1, unsupported: 1, errors: 1, matches: 0 });
    expect(out).toContainEqual({
      unsupported: expect.objectContaining({ reason: 'regex-unsupported' }) as unknown,
    });
    expect(out).toContainEqual({
      error: expect.objectContaining({
        message: expect.stringContaining('broken.yml') as unknown,
      }) as unknown,
    });
  });

  it('refuses a command line without rules or with both modes', async () => {
    expect((await run('--events', 'x')).code).toBe(2);
    expect((await run('--rules', rules)).code).toBe(2);
    expect((await run('--rules', rules, '--check', '--events', 'x')).code).toBe(2);
    expect((await run('--rules', rules, '--bogus')).code).toBe(2);
  });
});
