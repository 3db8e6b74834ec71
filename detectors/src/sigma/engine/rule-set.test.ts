import { describe, expect, it } from 'vitest';
import type { CompiledRule } from './compiled-rule.js';
import { compileRule } from './rule-compiler.js';
import { RuleSet } from './rule-set.js';
import { ruleDocument } from './engine-test-helpers.js';

const linuxProc = 'product: linux\n    category: process_creation';
const windowsProc = 'product: windows\n    category: process_creation';

function rule(detection: string, logsource = linuxProc, title = 'r'): CompiledRule {
  return compileRule(ruleDocument(detection, { logsource, title }));
}

const curl = rule(
  `    selection:
        CommandLine|contains|all: ['curl', ' -o ']
    condition: selection`,
  linuxProc,
  'curl',
);
const wget = rule(
  `    selection:
        CommandLine|contains: 'wget '
    condition: selection`,
  linuxProc,
  'wget',
);
const anyShell = rule(
  `    selection:
        Image|re: '/(ba|z)?sh$'
    condition: selection`,
  linuxProc,
  'shell',
);
const winCurl = rule(
  `    selection:
        CommandLine|contains: 'curl'
    condition: selection`,
  windowsProc,
  'win-curl',
);
const notRoot = rule(
  `    filter:
        User: root
    condition: not filter`,
  'product: linux\n    service: auth',
  'not-root',
);

const titles = (rules: CompiledRule[]): string[] => rules.map((r) => r.title).sort();

describe('RuleSet', () => {
  const set = new RuleSet([curl, wget, anyShell, winCurl, notRoot]);

  it('indexes rules by log-source key and reports its sizes', () => {
    expect(set.size).toBe(5);
    expect(set.logsourceKeys().sort()).toEqual([
      'linux/auth',
      'linux/process_creation',
      'windows/process_creation',
    ]);
    expect(titles(set.rulesOf('linux/process_creation'))).toEqual(['curl', 'shell', 'wget']);
    expect(set.rulesOf('nope/nope')).toEqual([]);
    expect(set.stats()).toMatchObject({ rules: 5, alwaysEvaluated: 2, logsourceKeys: 3 });
  });

  it('evaluates every rule when no key is given', () => {
    const event = { CommandLine: 'curl -o /tmp/x http://h', Image: '/bin/bash', User: 'alice' };
    expect(titles(set.matches(event))).toEqual(['curl', 'not-root', 'shell', 'win-curl']);
  });

  it('evaluates only the rules of the given keys', () => {
    const event = { CommandLine: 'curl -o /tmp/x http://h', Image: '/bin/bash', User: 'alice' };
    expect(titles(set.matches(event, ['linux/process_creation']))).toEqual(['curl', 'shell']);
    expect(titles(set.matches(event, ['windows/process_creation']))).toEqual(['win-curl']);
    expect(titles(set.matches(event, ['linux/auth', 'unknown/key']))).toEqual(['not-root']);
    expect(set.matches(event, [])).toEqual([]);
    expect(set.matches(event, ['unknown/key'])).toEqual([]);
  });

  it('calls onMatch once per rule even with a repeated key or a literal found many times', () => {
    const event = { CommandLine: 'curl -o a; curl -o b', Other: 'curl -o c', Image: '/bin/sh' };
    const seen: string[] = [];
    set.evaluate(event, ['linux/process_creation', 'linux/process_creation'], (r) => seen.push(r.title));
    expect(seen.sort()).toEqual(['curl', 'shell']);
    // The key list is not remembered between events.
    expect(titles(set.matches({ CommandLine: 'curl' }, ['windows/process_creation']))).toEqual(['win-curl']);
    expect(titles(set.matches({ CommandLine: 'curl' }, ['linux/process_creation']))).toEqual([]);
  });

  it('needs every literal of an alternative: the anchor alone does not make a candidate', () => {
    const index = set.rules.indexOf(curl);
    expect(set.prefilterAdmits({ CommandLine: 'curl http://x' }, index)).toBe(false);
    expect(set.prefilterAdmits({ CommandLine: 'curl http://x', X: 'A -O B' }, index)).toBe(true);
    // literals may sit in different values (the contract is per literal), the test decides
    expect(set.matches({ CommandLine: 'curl http://x', X: ' -o ' }, ['linux/process_creation'])).toEqual([]);
  });

  it('scans nested values, arrays, numbers and booleans, case-insensitively', () => {
    const numeric = rule(
      `    selection:
        port: 31337
    condition: selection`,
      linuxProc,
      'port',
    );
    const flag = rule(
      `    keywords:
        - 'true'
    condition: keywords`,
      linuxProc,
      'flag',
    );
    const nested = new RuleSet([numeric, flag, wget]);
    expect(titles(nested.matches({ port: 31337 }))).toEqual(['port']);
    expect(titles(nested.matches({ port: '31337' }))).toEqual(['port']);
    expect(titles(nested.matches({ port: 31338 }))).toEqual([]);
    expect(titles(nested.matches({ a: { b: [false, true] } }))).toEqual(['flag']);
    expect(titles(nested.matches({ CommandLine: 'WGET http://x' }))).toEqual(['wget']);
  });

  it('works with no rules and with rules that all lack a prefilter', () => {
    expect(new RuleSet([]).matches({ a: 'b' })).toEqual([]);
    const only = new RuleSet([notRoot]);
    expect(titles(only.matches({ User: 'bob' }))).toEqual(['not-root']);
    expect(only.matches({ User: 'root' })).toEqual([]);
  });

  it('costs no per-rule work for rules whose anchors are absent', () => {
    const many = Array.from({ length: 500 }, (_, i) => {
      const r = rule(
        `    selection:
        CommandLine|contains: 'tool${i}.exe'
    condition: selection`,
        windowsProc,
        `t${i}`,
      );
      let calls = 0;
      return {
        ...r,
        test: (event: Parameters<CompiledRule['test']>[0]) => (calls++, r.test(event)),
        calls: () => calls,
      };
    });
    const big = new RuleSet(many);
    expect(titles(big.matches({ CommandLine: 'c:\\TOOL123.EXE /q' }))).toEqual(['t123']);
    expect(many.reduce((sum, r) => sum + r.calls(), 0)).toBe(1);
    expect(big.stats().anchors).toBe(500);
  });
});
