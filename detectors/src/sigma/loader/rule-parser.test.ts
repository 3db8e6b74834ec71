import { describe, expect, it } from 'vitest';
import type { SigmaCorrelationDocument, SigmaFilterDocument, SigmaRuleDocument } from './rule-document.js';
import { parseRuleText } from './rule-parser.js';

const ID = '0e95725d-7320-415d-80f7-004da920fc11';

/** A valid rule, with `extra` YAML lines appended at the top level and `selection` lines in the selection. */
function rule({ head = `id: ${ID}`, extra = '', selection = "CommandLine|contains: 'curl '" } = {}): string {
  return `title: Curl Download
${head}
status: test
level: high
date: 2024-01-02
tags:
    - attack.execution
logsource:
    product: linux
    category: process_creation
detection:
    selection:
        ${selection}
    filter:
        User: root
    condition: selection and not filter
${extra}`;
}

const messages = (text: string, file = 'rules/x.yml') =>
  parseRuleText(text, file).errors.map((e) => e.message);

describe('parseRuleText: detection rules', () => {
  it('loads a valid rule into the typed document', () => {
    const { documents, errors, warnings } = parseRuleText(
      rule({ extra: 'custom_key: kept\nfalsepositives:\n    - Admins' }),
      'a.yml',
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    const [doc] = documents as SigmaRuleDocument[];
    expect(doc).toEqual({
      kind: 'detection',
      id: ID,
      title: 'Curl Download',
      status: 'test',
      level: 'high',
      date: '2024-01-02',
      tags: ['attack.execution'],
      references: [],
      falsepositives: ['Admins'],
      logsource: { product: 'linux', category: 'process_creation' },
      detection: {
        selection: { 'CommandLine|contains': 'curl ' },
        filter: { User: 'root' },
        condition: 'selection and not filter',
      },
      conditions: ['selection and not filter'],
      raw: expect.objectContaining({ custom_key: 'kept', title: 'Curl Download' }),
      file: 'a.yml',
      documentIndex: 0,
    });
  });

  it('names the file, the rule id and the key of each schema violation, in plain words', () => {
    const text = rule({
      head: 'id: not-a-uuid\nauthor: [a, b]',
      extra: 'references: 5',
    })
      .replace('level: high', 'level: severe')
      .replace('date: 2024-01-02', 'date: 2024/01/02')
      .replace('- attack.execution', '- Attack.Execution')
      .replace('category: process_creation', 'category: 7');
    expect(messages(text)).toEqual([
      "rules/x.yml, rule not-a-uuid, at id: id must be a UUID such as 0e95725d-7320-415d-80f7-004da920fc11 (got 'not-a-uuid')",
      'rules/x.yml, rule not-a-uuid, at author: author must be a string (got a list: ["a","b"])',
      'rules/x.yml, rule not-a-uuid, at references: references must be a list (got an integer: 5)',
      "rules/x.yml, rule not-a-uuid, at date: date must be a date written YYYY-MM-DD (got '2024/01/02')",
      'rules/x.yml, rule not-a-uuid, at logsource.category: category must be a string (got an integer: 7)',
      "rules/x.yml, rule not-a-uuid, at level: level must be one of informational, low, medium, high, critical (got 'severe')",
      "rules/x.yml, rule not-a-uuid, at tags[0]: tag 'Attack.Execution' must be lower-case 'namespace.name' using a-z, 0-9, '_', '-' and '.' (e.g. attack.t1059)",
    ]);
  });

  it('reports missing keys, naming the rule by its title when it has no id, and by position without either', () => {
    expect(messages('title: Lonely\nlogsource: {product: linux}\n', 'r.yml')).toEqual([
      "r.yml, rule Lonely, at detection: missing key 'detection'",
    ]);
    expect(messages('logsource: {product: linux}\ndetection: {sel: {a: 1}}\n', 'r.yml')).toEqual([
      "r.yml, rule document 1, at title: missing key 'title'",
      "r.yml, rule document 1, at detection.condition: missing key 'condition'",
    ]);
  });

  it('reports a search identifier that is neither a list nor a map', () => {
    expect(
      messages(rule({ selection: '' }).replace('    selection:\n        \n', "    selection: 'curl'\n")),
    ).toEqual([
      "rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.selection: selection must be a list or a map (got a string: 'curl')",
    ]);
  });

  it('reports an unknown modifier by name, with a suggestion, and a misplaced re flag', () => {
    expect(
      messages(
        rule({ selection: "CommandLine|contians: 'curl '\n        Image|i: x\n        Path|Endswith: y" }),
      ),
    ).toEqual([
      "rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.selection.CommandLine|contians: unknown modifier 'contians' in 'CommandLine|contians' (did you mean 'contains'?)",
      "rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.selection.Image|i: modifier 'i' is a flag of 're' and must come after it in 'Image|i'",
      "rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.selection.Path|Endswith: unknown modifier 'Endswith' in 'Path|Endswith' (did you mean 'endswith'?)",
    ]);
    expect(messages(rule({ selection: '- CommandLine|frobnicate: x' }))[0]).toContain(
      "at detection.selection[0].CommandLine|frobnicate: unknown modifier 'frobnicate' in 'CommandLine|frobnicate'",
    );
  });

  it('accepts every modifier of the modifiers appendix', () => {
    const selection = [
      "CommandLine|windash|contains|all: ['-a', '-b']",
      'Payload|base64offset|contains: abc',
      'Payload|utf16le|base64: abc',
      'Payload|utf16be|base64: abc',
      'Payload|utf16|base64: abc',
      'Payload|wide|base64offset|contains: abc',
      "Name|re|i|m|s: '^a.b$'",
      "Name|re|ignorecase|multiline|dotall: '^a.b$'",
      'Name|cased|startswith: A',
      'Name|endswith|neq: B',
      'Count|lt: 5',
      'Count|lte: 5',
      'Count|gt: 1',
      'Count|gte: 1',
      'Time|minute: 5',
      'Time|hour: 5',
      'Time|day: 5',
      'Time|week: 5',
      'Time|month: 5',
      'Time|year: 2024',
      'Ip|cidr: 10.0.0.0/8',
      "User|expand: '%Administrators%'",
      'Target|fieldref: Source',
      'Optional|exists: false',
    ].join('\n        ');
    expect(parseRuleText(rule({ selection }), 'x').errors).toEqual([]);
  });

  it('reports condition names that are not search identifiers, and x-of patterns that match none', () => {
    // The condition compiler checks the condition: it stops at the first problem.
    const text = rule().replace(
      'condition: selection and not filter',
      'condition: selection and not filtr or 1 of keyword*',
    );
    expect(messages(text)).toEqual([
      `rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.condition: condition "selection and not filtr or 1 of keyword*": unknown search identifier 'filtr' at column 19 (the rule defines: selection, filter)`,
    ]);
    const pattern = rule().replace(
      'condition: selection and not filter',
      'condition: selection or 1 of keyword*',
    );
    expect(messages(pattern)).toEqual([
      `rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.condition: condition "selection or 1 of keyword*": '1 of keyword*' at column 19: the pattern 'keyword*' matches no search identifier`,
    ]);
    const ok = rule().replace(
      'condition: selection and not filter',
      'condition: 1 of sel* and not all of filt* or all of them',
    );
    expect(parseRuleText(ok, 'x').errors).toEqual([]);
  });

  it('reports values that are maps or nested lists, and an exists that is not a boolean', () => {
    expect(
      messages(rule({ selection: "Image: {a: 1}\n        CommandLine: [[a]]\n        User|exists: 'yes'" })),
    ).toEqual([
      'rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.selection.Image: a value must be a string, number, boolean or null, or a list of them (got a map: {"a":1})',
      'rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.selection.CommandLine[0]: a value must be a string, number, boolean or null (got a list)',
      "rules/x.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at detection.selection.User|exists: 'exists' takes true or false (got 'yes')",
    ]);
  });

  it('accepts a list of conditions (allowed by the spec text) with a warning', () => {
    const text = rule().replace(
      'condition: selection and not filter',
      'condition:\n        - selection\n        - filter',
    );
    const { documents, errors, warnings } = parseRuleText(text, 'x.yml');
    expect(errors).toEqual([]);
    expect((documents[0] as SigmaRuleDocument).conditions).toEqual(['selection', 'filter']);
    expect(warnings).toEqual([
      expect.objectContaining({ file: 'x.yml', ruleId: ID, key: 'detection.condition' }),
    ]);
  });
});

describe('parseRuleText: YAML and multi-document files', () => {
  it('gives the line and column of a YAML syntax error', () => {
    const errors = parseRuleText(
      'title: x\ndetection:\n  sel: [a, b\n  condition: sel\n',
      'broken.yml',
    ).errors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.message).toMatch(
      /^broken\.yml, rule document 1: YAML syntax error at line 4, column 3: .+ \(BAD_INDENT\)$/,
    );
    expect(errors[0]?.location).toEqual({ file: 'broken.yml', ruleId: 'document 1' });
  });

  it('names a broken document by the id it holds before the error, else by its position', () => {
    const badIndent = rule().replace('    condition: selection', '   condition: selection');
    const [indentError] = parseRuleText(badIndent, 'indent.yml').errors;
    expect(indentError?.message).toMatch(
      new RegExp(`^indent\\.yml, rule ${ID}: YAML syntax error at line 16, column 1: .+ \\(BAD_INDENT\\)$`),
    );
    expect(indentError?.location).toEqual({ file: 'indent.yml', ruleId: ID });
    // An unclosed quote swallows the rest of the document, the id included (the title is never used: it
    // may be what swallowed it); a list id is no label.
    const unclosed = `title: 'Unclosed\nid: ${ID}\nlogsource:\n    product: linux\n`;
    expect(parseRuleText(unclosed, 'quote.yml').errors[0]?.location).toEqual({
      file: 'quote.yml',
      ruleId: 'document 1',
    });
    const listId = 'id: [a, b]\ndetection:\n  sel: [a\n  condition: sel\n';
    expect(parseRuleText(`---\n${listId}`, 'list.yml').errors[0]?.location.ruleId).toBe('document 1');
    expect(parseRuleText(`${rule()}---\n${listId}`, 'two.yml').errors[0]?.location.ruleId).toBe('document 2');
  });

  it('reports duplicate keys (YAML would silently keep one), naming the key', () => {
    expect(messages(`${rule()}level: low\n`, 'dup.yml')).toEqual([
      `dup.yml, rule ${ID}: YAML syntax error at line 17, column 1: Map keys must be unique ('level' appears twice) (DUPLICATE_KEY)`,
    ]);
    const nested = rule({ selection: "Image|endswith: '/curl'\n        Image|endswith: '/wget'" });
    expect(messages(nested, 'nested.yml')).toEqual([
      expect.stringContaining(
        `rule ${ID}: YAML syntax error at line 14, column 9: Map keys must be unique ('Image|endswith' appears twice)`,
      ),
    ]);
    const quoted = `title: x\n"a b": 1\n"a b": 2\n`;
    expect(messages(quoted, 'q.yml')).toEqual([expect.stringContaining(`('"a b"' appears twice)`)]);
  });

  it('loads the good document of a file whose other document is bad', () => {
    const bad = rule({ head: 'id: 11111111-2222-3333-4444-555555555555' }).replace(
      'condition: selection and not filter',
      'condition: nope',
    );
    const good = rule();
    const broken = 'title: [unclosed\n';
    const { documents, errors } = parseRuleText(`${bad}---\n${broken}---\n${good}`, 'mixed.yml');
    expect(documents.map((d) => [d.id, d.documentIndex])).toEqual([[ID, 2]]);
    expect(errors.map((e) => e.location)).toEqual([
      { file: 'mixed.yml', ruleId: 'document 2' },
      { file: 'mixed.yml', ruleId: '11111111-2222-3333-4444-555555555555', key: 'detection.condition' },
    ]);
  });

  it('applies collection actions across documents', () => {
    const text = `action: global
title: Shared
logsource:
    product: linux
detection:
    condition: selection
level: medium
---
id: ${ID}
logsource:
    service: auditd
detection:
    selection:
        type: EXECVE
---
action: repeat
id: 11111111-2222-3333-4444-555555555555
logsource:
    service: syslog
`;
    const { documents, errors } = parseRuleText(text, 'collection.yml');
    expect(errors).toEqual([]);
    expect(
      documents.map((d) => [d.id, d.title, (d as SigmaRuleDocument).logsource, d.documentIndex]),
    ).toEqual([
      [ID, 'Shared', { product: 'linux', service: 'auditd' }, 1],
      ['11111111-2222-3333-4444-555555555555', 'Shared', { product: 'linux', service: 'syslog' }, 2],
    ]);
  });

  it('rejects a document that contains itself through an alias, and an alias bomb', () => {
    expect(messages('title: &t\n  a: *t\n', 'cycle.yml')).toEqual([
      'cycle.yml, rule document 1: YAML error: the document contains itself through an alias',
    ]);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level++) {
      const previous = String.fromCharCode(96 + level);
      bomb.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10).fill(`*${previous}`).join(', ')}]`,
      );
    }
    const errors = messages(bomb.join('\n'), 'bomb.yml');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^bomb\.yml, rule document 1: YAML error: .*alias/i);
  });

  it('warns about an empty file and gives nothing else', () => {
    expect(parseRuleText('', 'empty.yml')).toEqual({
      documents: [],
      errors: [],
      warnings: [{ file: 'empty.yml', message: 'the file holds no YAML document' }],
    });
  });
});

describe('parseRuleText: correlation and filter documents', () => {
  const correlation = (body: string) => `title: Brute force
id: ${ID}
level: critical
correlation:
${body}`;

  it('loads an event_count correlation with its timespan in ms', () => {
    const { documents, errors } = parseRuleText(
      correlation(`    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 5m
    condition:
        gte: 10
        lt: 100
`),
      'c.yml',
    );
    expect(errors).toEqual([]);
    const doc = documents[0] as SigmaCorrelationDocument;
    expect(doc.kind).toBe('correlation');
    expect(doc.level).toBe('critical');
    expect(doc.generate).toBe(false);
    expect(doc.correlation).toEqual({
      type: 'event_count',
      rules: ['failed_login'],
      groupBy: ['User'],
      timespan: '5m',
      timespanMs: 300_000,
      condition: { gte: 10, lt: 100 },
    });
  });

  it('loads a temporal correlation with aliases, and the rules it refers to in the same file', () => {
    const text = `${correlation(`    type: temporal
    rules: [internal_error, new_connection]
    group-by: [internal_ip]
    timespan: 10s
    aliases:
        internal_ip:
            internal_error: destination.ip
            new_connection: source.ip
`)}generate: true
---
title: Internal error
name: internal_error
logsource: {category: webserver}
detection: {selection: {sc-status: 500}, condition: selection}
`;
    const { documents, errors } = parseRuleText(text, 'c.yml');
    expect(errors).toEqual([]);
    expect(documents.map((d) => d.kind)).toEqual(['correlation', 'detection']);
    const doc = documents[0] as SigmaCorrelationDocument;
    expect(doc.generate).toBe(true);
    expect(doc.correlation.timespanMs).toBe(10_000);
    expect(doc.correlation.aliases).toEqual({
      internal_ip: { internal_error: 'destination.ip', new_connection: 'source.ip' },
    });
    expect((documents[1] as SigmaRuleDocument).name).toBe('internal_error');
  });

  it('reports a bad timespan, a bad condition and a missing field for value_count', () => {
    expect(
      messages(
        correlation(`    type: value_count
    rules: [failed_login]
    group-by: [Host]
    timespan: 1 hour
    condition:
        gte: ten
        above: 5
`),
        'c.yml',
      ),
    ).toEqual([
      "c.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at correlation.timespan: bad timespan '1 hour': expected a whole number followed by s, m, h or d (e.g. '30s', '5m', '1h', '1d')",
      "c.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at correlation.condition.gte: gte must be a number (got 'ten')",
      "c.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at correlation.condition.above: unknown key 'above': expected gt, gte, lt, lte, eq, neq, field",
      "c.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at correlation.condition.field: missing key 'field': a value_count correlation aggregates a field",
    ]);
  });

  it('reports a correlation type outside the spec and the keys its type requires', () => {
    expect(
      messages(correlation('    type: event_sum\n    rules: [failed_login]\n    timespan: 5m\n'), 'c.yml'),
    ).toEqual([
      "c.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at correlation.type: type must be one of event_count, temporal, temporal_ordered, value_count, value_sum, value_avg, value_percentile (got 'event_sum')",
    ]);
    expect(
      messages(correlation('    type: event_count\n    rules: [failed_login]\n    timespan: 5m\n'), 'c.yml'),
    ).toEqual([
      "c.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at correlation.condition: missing key 'condition'",
      "c.yml, rule 0e95725d-7320-415d-80f7-004da920fc11, at correlation.group-by: missing key 'group-by'",
    ]);
  });

  it('loads a global filter and checks its condition like a detection', () => {
    const filter = `title: Admin accounts
logsource: {product: linux}
filter:
    rules: [${ID}]
    selection:
        User|startswith: adm_
    condition: not selection
`;
    const { documents, errors } = parseRuleText(filter, 'f.yml');
    expect(errors).toEqual([]);
    expect(documents[0] as SigmaFilterDocument).toEqual(
      expect.objectContaining({
        kind: 'filter',
        title: 'Admin accounts',
        rules: [ID],
        detection: { selection: { 'User|startswith': 'adm_' } },
        conditions: ['not selection'],
        logsource: { product: 'linux' },
      }),
    );
    expect(
      messages(filter.replace('not selection', 'not selected').replace('startswith', 'beginswith'), 'f.yml'),
    ).toEqual([
      "f.yml, rule Admin accounts, at filter.selection.User|beginswith: unknown modifier 'beginswith' in 'User|beginswith'",
      `f.yml, rule Admin accounts, at filter.condition: condition "not selected": unknown search identifier 'selected' at column 5 (the rule defines: selection)`,
    ]);
  });
});
