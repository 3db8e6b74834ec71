// Which rules' matches correlations read and which fields: by id or name, with aliases and counted fields,
// per tenant (a tenant's correlation reading a shared rule, a shared correlation reading a tenant's rule).
import { describe, expect, it } from 'vitest';
import { AlertBuilder, alertRuleInfo } from './alert-builder.js';
import { correlationReads } from './correlation-reads.js';
import { CURL_RULE, RULES, SSH_RULE } from './detection-test-helpers.js';
import { loadInosecRuleTexts } from './inosec-rule-set.js';

const SUDO_RULES = `title: Test Sudo Failure
name: test_sudo_failure
status: test
logsource: { product: linux, service: sudo }
detection:
  selection:
    event.outcome: failure
  condition: selection
---
title: Test Failures Of One Actor
id: 5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a
status: test
correlation:
  type: temporal
  rules: [test_sudo_failure, test_ssh_failure, no_such_rule]
  group-by: [actor]
  aliases:
    actor:
      test_sudo_failure: USER
      test_ssh_failure: user.name
  timespan: 5m
`;

describe('correlationReads', () => {
  it('names the rules correlations read, with group-by and counted fields, and no other rule', () => {
    const { ruleSet, correlations } = loadInosecRuleTexts([{ name: 'rules.yml', text: RULES }]);
    const reads = correlationReads(
      alertRuleInfo(ruleSet.rules).map((rule) => ({
        id: rule.key,
        ...(rule.name ? { name: rule.name } : {}),
      })),
      correlations,
      alertRuleInfo(ruleSet.rules),
    );
    expect([...reads]).toEqual([[SSH_RULE, ['source.ip', 'user.name']]]);
    expect(reads.has(CURL_RULE)).toBe(false);
    expect(correlationReads([], [], alertRuleInfo(ruleSet.rules)).size).toBe(0);
  });

  it('applies aliases per rule, finds a rule without id by name, and reads per tenant', () => {
    const shared = loadInosecRuleTexts([{ name: 'rules.yml', text: RULES }]);
    const builder = new AlertBuilder({
      rules: alertRuleInfo(shared.ruleSet.rules),
      correlations: shared.correlations,
    });
    const own = loadInosecRuleTexts([{ name: 'sudo.yml', text: SUDO_RULES }]);
    expect(own.ruleSet.size).toBe(1);
    // The correlation does not compile (an unknown reference): its reads count all the same.
    builder.setTenantRules('tenant-a', alertRuleInfo(own.ruleSet.rules), own.correlations);
    expect([...builder.correlationReads('tenant-a')].sort()).toEqual([
      [SSH_RULE, ['actor', 'source.ip', 'user.name']],
      ['title:Test Sudo Failure', ['USER', 'actor']],
    ]);
    // Other tenants read what the shared correlations read; back to that once the tenant's rules go.
    expect([...builder.correlationReads('tenant-b')]).toEqual([[SSH_RULE, ['source.ip', 'user.name']]]);
    expect(builder.correlationReads('tenant-b')).toBe(builder.correlationReads());
    builder.setTenantRules('tenant-a', []);
    expect([...builder.correlationReads('tenant-a')]).toEqual([[SSH_RULE, ['source.ip', 'user.name']]]);
  });

  it('reads a tenant rule a shared correlation names, and not a rule whose name only resembles it', () => {
    const shared = loadInosecRuleTexts([
      { name: 'c.yml', text: SUDO_RULES.slice(SUDO_RULES.indexOf('title: Test Failures')) },
    ]);
    const builder = new AlertBuilder({ rules: [], correlations: shared.correlations });
    expect(builder.correlationReads().size).toBe(0);
    const own = loadInosecRuleTexts([
      { name: 'sudo.yml', text: SUDO_RULES.slice(0, SUDO_RULES.indexOf('---')) },
      {
        name: 'near.yml',
        text: SUDO_RULES.slice(0, SUDO_RULES.indexOf('---'))
          .replace(/test_sudo_failure/g, 'test_sudo_failures')
          .replace('Test Sudo Failure', 'Test Sudo Failures'),
      },
    ]);
    builder.setTenantRules('tenant-a', alertRuleInfo(own.ruleSet.rules));
    expect([...builder.correlationReads('tenant-a')]).toEqual([
      ['title:Test Sudo Failure', ['USER', 'actor']],
    ]);
  });
});
