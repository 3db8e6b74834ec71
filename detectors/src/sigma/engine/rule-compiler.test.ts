import { describe, expect, it } from 'vitest';
import { eventSatisfiesLiterals } from '../match/index.js';
import { SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import { logSourceKey } from '../logsource/index.js';
import { compileRule } from './rule-compiler.js';
import { ruleDocument } from './engine-test-helpers.js';

describe('compileRule', () => {
  it('compiles identity, log source, test, fields and a prefilter anchored on the longest literal', () => {
    const doc = ruleDocument(
      `    selection:
        Image|endswith: '/curl'
        CommandLine|contains|all: [' -o ', 'http']
    condition: selection`,
      { extra: 'tags:\n    - attack.t1105\n' },
    );
    const rule = compileRule(doc);
    expect(rule).toMatchObject({
      id: doc.id,
      title: 'Test Rule',
      level: 'high',
      status: 'test',
      tags: ['attack.t1105'],
      logsource: { product: 'linux', category: 'process_creation' },
      logsourceKey: 'linux/process_creation',
      readsAllFields: false,
      filters: [],
    });
    expect([...rule.fields].sort()).toEqual(['CommandLine', 'Image']);
    expect(rule.prefilter).toEqual([['/curl', ' -o ', 'http']]);
    expect(rule.test({ Image: '/usr/bin/curl', CommandLine: 'curl -o x http://a' })).toBe(true);
    expect(rule.test({ Image: '/usr/bin/curl', CommandLine: 'curl http://a' })).toBe(false);
    expect(rule.document).toBe(doc);
  });

  it('ORs the prefilters of alternative selections and ignores negated ones', () => {
    const rule = compileRule(
      ruleDocument(`    sel_a:
        CommandLine|contains: 'nc -e'
    sel_b:
        CommandLine|contains: ['bash -i', '/dev/tcp/']
    filter:
        User: 'root'
    condition: 1 of sel_* and not filter`),
    );
    expect(rule.prefilter).toEqual([['nc -e'], ['bash -i'], ['/dev/tcp/']]);
  });

  it('uses the literals of the selections that have some in an AND', () => {
    const rule = compileRule(
      ruleDocument(`    sel_re:
        CommandLine|re: 'a.*b'
    sel_lit:
        Image|endswith: '/python3'
    condition: sel_re and sel_lit`),
    );
    expect(rule.prefilter).toEqual([['/python3']]);
  });

  it('has no prefilter when the condition requires nothing or a required selection has no literal', () => {
    const negated = compileRule(
      ruleDocument(`    filter:
        User: root
    condition: not filter`),
    );
    expect(negated.prefilter).toBeUndefined();
    const regex = compileRule(
      ruleDocument(`    a:
        CommandLine|re: 'x+y'
    b:
        Image: '/bin/sh'
    condition: a or b`),
    );
    expect(regex.prefilter).toBeUndefined();
    const exists = compileRule(
      ruleDocument(`    selection:
        CommandLine|exists: true
    condition: selection`),
    );
    expect(exists.prefilter).toBeUndefined();
  });

  it('keeps keyword literals (the literal contract holds for searches of every value)', () => {
    const rule = compileRule(
      ruleDocument(`    keywords:
        - 'Segfault'
        - 'kernel panic'
    condition: keywords`),
    );
    expect(rule.readsAllFields).toBe(true);
    expect(rule.prefilter).toEqual([['segfault'], ['kernel panic']]);
    expect(rule.test({ msg: 'A Kernel Panic occurred' })).toBe(true);
  });

  it('drops literals implied by a longer one of the same alternative', () => {
    const rule = compileRule(
      ruleDocument(`    selection:
        CommandLine|contains|all: ['wget', 'wget http']
    condition: selection`),
    );
    expect(rule.prefilter).toEqual([['wget http']]);
  });

  it('gives prefilters every match satisfies (rule-level contract)', () => {
    const rule = compileRule(
      ruleDocument(`    a:
        CommandLine|startswith: 'sudo '
    b:
        CommandLine|endswith: [' -s', ' -i']
    c:
        ParentImage|endswith: '/sshd'
    condition: (a and b) or c`),
    );
    const events = [
      { CommandLine: 'sudo su -s' },
      { CommandLine: 'SUDO bash -I' },
      { ParentImage: '/usr/sbin/sshd' },
      { CommandLine: 'sudo ls' },
      { CommandLine: 'su -i' },
    ];
    for (const event of events) {
      if (rule.test(event)) expect(eventSatisfiesLiterals(rule.prefilter, event)).toBe(true);
    }
    expect(events.filter((event) => rule.test(event))).toHaveLength(3);
  });

  it('throws SigmaRuleError naming the file, rule and key of a bad detection item', () => {
    const doc = ruleDocument(`    selection:
        CommandLine|contains: 'x'
    condition: selection`);
    const broken = { ...doc, detection: { ...doc.detection, selection: { 'CommandLine|nosuch': 'x' } } };
    expect(() => compileRule(broken)).toThrow(SigmaRuleError);
    expect(() => compileRule(broken)).toThrow(/test-\d+\.yml, rule 0000.*detection\.selection/);
  });

  it('throws SigmaUnsupportedError for an undefined placeholder, with the rule location', () => {
    const doc = ruleDocument(`    selection:
        User|expand: '%admins%'
    condition: selection`);
    expect(() => compileRule(doc)).toThrow(SigmaUnsupportedError);
    const mapped = compileRule(doc, { placeholders: new Map([['admins', ['alice']]]) });
    expect(mapped.test({ User: 'alice' })).toBe(true);
    expect(mapped.test({ User: 'bob' })).toBe(false);
  });

  it('applies the field mapping of the compile options', () => {
    const doc = ruleDocument(`    selection:
        CommandLine|contains: 'curl'
    condition: selection`);
    const rule = compileRule(doc, {
      fieldName: (field) => (field === 'CommandLine' ? 'process.command_line' : field),
    });
    expect(rule.fields).toEqual(['process.command_line']);
    expect(rule.test({ process: { command_line: 'curl x' } })).toBe(true);
    expect(rule.test({ CommandLine: 'curl x' })).toBe(false);
  });
});

describe('logsourceKey', () => {
  it('joins product and category (else service), with * for what is absent, lower-cased', () => {
    expect(logSourceKey({ product: 'windows', category: 'process_creation' })).toBe(
      'windows/process_creation',
    );
    expect(logSourceKey({ product: 'Windows', service: 'Security' })).toBe('windows/security');
    expect(logSourceKey({ category: 'firewall' })).toBe('*/firewall');
    expect(logSourceKey({ product: 'linux' })).toBe('linux/*');
    expect(logSourceKey({ product: ' ', category: 'dns' })).toBe('*/dns');
    expect(logSourceKey({})).toBe('*/*');
  });
});
