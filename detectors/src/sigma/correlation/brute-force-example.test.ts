// End to end on one file: a detection rule for sshd authentication failures and an event_count correlation
// "5 failures from the same source IP within 60 s", loaded by the rule loader; synthetic sshd events go
// through the compiled detection, and its matches through the correlation engine.
import { describe, expect, it } from 'vitest';
import { compileCondition } from '../condition/index.js';
import type { SigmaCorrelationDocument, SigmaRuleDocument } from '../loader/index.js';
import { parseRuleText } from '../loader/index.js';
import { compileSelection } from '../match/index.js';
import type { EventPredicate, SigmaEvent } from '../sigma-types.js';
import { CorrelationEngine } from './correlation-engine.js';
import type { CorrelationAlert } from './correlation-types.js';

const RULE_FILE = `title: SSH Authentication Failure
id: 3f0c2a4e-8b1d-4c6e-9a57-2d4b6e8f1a03
name: sshd_auth_failure
status: experimental
description: An sshd authentication attempt that failed (bad password or key, or an unknown user).
author: InoSec
date: 2025-01-15
tags:
    - attack.credential-access
    - attack.t1110
logsource:
    product: linux
    service: sshd
detection:
    selection_process:
        process.name: sshd
    selection_outcome:
        - message|startswith:
              - 'Failed password for '
              - 'Failed publickey for '
              - 'Invalid user '
        - message|contains: 'authentication failure'
    condition: selection_process and selection_outcome
falsepositives:
    - Users mistyping their password
level: low
---
title: SSH Brute Force From One Source
id: 7a1e9c3b-5d2f-4e80-b6a4-0c9d8e7f6a21
status: experimental
description: Five or more failed sshd authentications from one source address within a minute.
author: InoSec
date: 2025-01-15
tags:
    - attack.credential-access
    - attack.t1110.001
correlation:
    type: event_count
    rules:
        - sshd_auth_failure
    group-by:
        - source.ip
    timespan: 60s
    condition:
        gte: 5
level: high
`;

function load() {
  const { documents, errors } = parseRuleText(RULE_FILE, 'rules/linux/sshd_brute_force.yml');
  expect(errors).toEqual([]);
  const rule = documents.find((d): d is SigmaRuleDocument => d.kind === 'detection');
  const correlations = documents.filter((d): d is SigmaCorrelationDocument => d.kind === 'correlation');
  if (!rule) throw new Error('the detection rule did not load');
  const selections = new Map<string, EventPredicate>();
  for (const [name, value] of Object.entries(rule.detection)) {
    if (name !== 'condition')
      selections.set(name, compileSelection(name, value, {}, { ruleId: rule.id }).test);
  }
  const detect = compileCondition(rule.conditions, selections);
  const engine = new CorrelationEngine(correlations, [rule]);
  expect(engine.errors).toEqual([]);
  let seq = 0;
  /** Runs one sshd event through the detection rule, and its match (if any) through the correlations. */
  const ingest = (seconds: number, ip: string, message: string): readonly CorrelationAlert[] => {
    const event: SigmaEvent = { 'process.name': 'sshd', 'source.ip': ip, message };
    seq++;
    if (!detect(event)) return [];
    return engine.onMatch({
      ruleId: rule.id ?? '',
      ruleName: rule.name,
      ruleTitle: rule.title,
      timeMs: Date.UTC(2025, 0, 15, 12, 0, seconds),
      event,
      ref: { agentId: 'web-01', seq },
    });
  };
  return { engine, ingest };
}

const failure = (user: string) => `Failed password for ${user} from port 52100 ssh2`;

describe('brute-force example: 5 sshd failures from one source within 60 s', () => {
  it('alerts on the fifth failure from the attacking address only', () => {
    const { engine, ingest } = load();
    const alerts: CorrelationAlert[] = [];
    for (const [s, user] of [
      [0, 'root'],
      [5, 'admin'],
      [9, 'oracle'],
      [20, 'test'],
    ] as const) {
      alerts.push(...ingest(s, '203.0.113.50', failure(user)));
      alerts.push(...ingest(s + 1, '198.51.100.7', failure('alice'))); // another source, 4 failures
    }
    alerts.push(...ingest(30, '203.0.113.50', 'Accepted password for deploy from port 52101 ssh2')); // not a failure
    expect(alerts).toEqual([]);
    const fired = ingest(45, '203.0.113.50', 'Invalid user ubnt from 203.0.113.50 port 52102');
    expect(fired).toEqual([
      {
        correlationId: '7a1e9c3b-5d2f-4e80-b6a4-0c9d8e7f6a21',
        title: 'SSH Brute Force From One Source',
        level: 'high',
        type: 'event_count',
        groupBy: { 'source.ip': '203.0.113.50' },
        firstSeenMs: Date.UTC(2025, 0, 15, 12, 0, 0),
        lastSeenMs: Date.UTC(2025, 0, 15, 12, 0, 45),
        count: 5,
        refs: [1, 3, 5, 7, 10].map((seq) => ({ agentId: 'web-01', seq })),
      },
    ]);
    // The rule's own low-level matches are not alerted on their own (generate defaults to false).
    expect(engine.generatesStandalone('3f0c2a4e-8b1d-4c6e-9a57-2d4b6e8f1a03')).toBe(false);
  });

  it('does not alert on five failures spread over more than 60 s', () => {
    const { ingest } = load();
    const alerts = [0, 15, 30, 45, 61].flatMap((s) => [...ingest(s, '203.0.113.50', failure('root'))]);
    expect(alerts).toEqual([]);
    // ... until a sixth makes five within a minute again (15..61 s).
    expect(ingest(62, '203.0.113.50', failure('root'))).toHaveLength(1);
  });
});
