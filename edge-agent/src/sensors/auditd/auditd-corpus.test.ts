import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuditLine } from './audit-record-parser.js';
import { parseAuditRecords } from './parse-audit-records.js';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/linux-telemetry');
const otrf = path.join(corpus, 'otrf-security-datasets/datasets/atomic/linux');
const wazuh = path.join(corpus, 'wazuh-ruleset-tests/expected_matches.jsonl');
const skip = !existsSync(corpus) && process.env['CI'] === undefined;

// Counted independently of the parser: record headers and distinct audit ids, by regex over the raw text.
const HEADER = /type=\w+ msg=audit\((\d+\.\d+:\d+)\)/g;
const countRecords = (text: string) => [...text.matchAll(HEADER)].length;
const distinctIds = (text: string) => new Set([...text.matchAll(HEADER)].map((m) => m[1])).size;

function auditLogs(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.log'))
    .map((f) => path.join(dir, f))
    .sort();
}

describe.skipIf(skip)('OTRF Security-Datasets raw auditd (atomic linux)', () => {
  it('is present', () => {
    expect(existsSync(otrf), `OTRF corpus missing at ${otrf}`).toBe(true);
  });

  it('every file: records and events match the independent counts, nothing unparsed', () => {
    const files = auditLogs(otrf);
    expect(files.map((f) => path.basename(f))).toEqual([
      'sh_binary_padding_dd_2020-11-10081941.log',
      'sh_arp_cache_2020-11-10074812.log',
    ]);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const result = parseAuditRecords(text.split('\n'), { source: file });
      expect(result.records, file).toBe(countRecords(text));
      expect(result.events, file).toHaveLength(distinctIds(text));
      expect(result.unparsedLines, file).toBe(0);
    }
  });

  it("finds the 'arp -a' of T1018 and the grep of the same pipeline, with pids, ppid and cwd", () => {
    const file = auditLogs(otrf).find((f) => f.includes('sh_arp_cache')) ?? '';
    const { events } = parseAuditRecords(readFileSync(file, 'utf8').split('\n'));
    const procs = events.map((e) => e.process?.process);
    expect(procs).toEqual([
      expect.objectContaining({
        pid: 1631,
        ppid: 29002,
        executable: '/usr/sbin/arp',
        name: 'arp',
        args: ['arp', '-a'],
        commandLine: 'arp -a',
        workingDirectory: '/home/wardog',
        tty: 'pts/0',
        sessionId: 104,
        user: { id: '1000' },
      }),
      expect.objectContaining({
        pid: 1632,
        ppid: 29002,
        args: ['grep', '-v', '^?'],
        workingDirectory: '/home/wardog',
      }),
    ]);
    expect(events[0]?.timeUnixUs).toBe(1604994496_155_000);
    expect(events[0]?.sensor).toBe('auditd');
  });

  it('finds the dd binary-padding execution of T1027.001', () => {
    const file = auditLogs(otrf).find((f) => f.includes('sh_binary_padding_dd')) ?? '';
    const { events } = parseAuditRecords(readFileSync(file, 'utf8').split('\n'));
    expect(events).toHaveLength(1);
    expect(events[0]?.process?.process).toMatchObject({
      pid: 2168,
      ppid: 29002,
      executable: '/bin/dd',
      args: ['dd', 'if=/dev/zero', 'bs=1', 'count=1'],
      workingDirectory: '/home/wardog',
    });
  });
});

interface WazuhCase {
  file: string;
  line_name: string;
  section: string;
  decoder: string;
  logs: string[];
}

describe.skipIf(skip)('Wazuh ruleset auditd cases', () => {
  // The ini files write the ENRICHED group separator as the text "\u001D"; audit.log has the byte 0x1d.
  const load = (): WazuhCase[] =>
    readFileSync(wazuh, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as WazuhCase)
      .filter((c) => c.decoder === 'auditd')
      .map((c) => ({ ...c, logs: c.logs.map((l) => l.replaceAll('\\u001D', '\x1d')) }));

  it('parse without loss: every record, every event, every key of every record', () => {
    const cases = load();
    let records = 0;
    let events = 0;
    for (const c of cases) {
      const text = c.logs.join('\n');
      const result = parseAuditRecords(c.logs);
      const id = `${c.file}#${c.section}#${c.line_name}`;
      expect(result.records, id).toBe(countRecords(text));
      expect(result.events, id).toHaveLength(distinctIds(text));
      expect(result.unparsedLines, id).toBe(0);
      // Every `key=` of the raw record text is a key of the parsed record (msg=audit( and msg=' aside).
      for (const line of c.logs) {
        for (const record of parseAuditLine(line)) {
          const body = record.raw.slice(record.raw.indexOf('):') + 2).replaceAll('\x1d', ' ');
          const keys = [...body.matchAll(/(?:^|[\s'])([A-Za-z_][\w-]*(?:\[\d+\])?)=/g)].map(
            (m) => m[1] ?? '',
          );
          const parsed = { ...record.fields, ...record.enriched };
          for (const key of keys) {
            if (key === 'msg' || key === 'node' || key === 'type') continue;
            expect(parsed, `${id}: ${key} in ${record.type}`).toHaveProperty(key);
          }
        }
      }
      records += result.records;
      events += result.events.length;
    }
    // The pinned corpus: 20 auditd cases, 50 records in 21 events (the per-case checks above are the proof).
    expect({ cases: cases.length, records, events }).toEqual({ cases: 20, records: 50, events: 21 });
  });

  it('maps the execve cases to processes with the enriched user names', () => {
    const ps = load().find((c) => c.logs[0]?.includes('comm="ps"'));
    const event = parseAuditRecords(ps?.logs ?? []).events[0];
    expect(event?.process?.process).toMatchObject({
      pid: 4646,
      ppid: 3177,
      args: ['ps', 'ax'],
      workingDirectory: '/home/administrator@ExchangeTest.com',
      user: { id: '1198400500', name: 'administrator@ExchangeTest.com' },
      group: { id: '1198400513', name: 'domain users@ExchangeTest.com' },
    });
    // This case's EXECVE record says argc=6 but holds a0-a3 only (cut in the ini): the four are kept.
    const python = load().find((c) => c.logs[0]?.includes('psexec.py'));
    expect(parseAuditRecords(python?.logs ?? []).events[0]?.process?.process?.args).toEqual([
      '/usr/bin/python3',
      './runtime',
      'psexec.py',
      'exchangetest.com/administrator@192.168.0.57',
    ]);
  });
});
