// The alert builder on hits compacted where they were matched (compactHits with its correlationReads) raises
// exactly the alerts it raises on the hits themselves: same dedupe keys, counts, first/last seen, events and
// correlation alerts; and it does not when the reads leave out a rule a correlation reads.
import { describe, expect, it } from 'vitest';
import { AlertBuilder, alertRuleInfo } from './alert-builder.js';
import {
  BATCH_HOST,
  BURST,
  CURL_RULE,
  RULES,
  SPRAY,
  SSH_RULE,
  mixedEvents,
  processStart,
} from './detection-test-helpers.js';
import type { CorrelationReads, DetectionAlert, SigmaHit } from './detection-types.js';
import { matchEvents } from './event-matcher.js';
import { compactHits, expandHitGroup } from './hit-compaction.js';
import { loadInosecRuleTexts } from './inosec-rule-set.js';

const TENANT = '3f0c2b1a-9e8d-4c7b-8a6f-5e4d3c2b1a09';
const AGENT = 'builder-agent';
const START_US = 1_790_000_000_000_000;
const loaded = loadInosecRuleTexts([{ name: 'rules.yml', text: RULES }]);

function builder(isEnabled?: (tenantId: string, key: string) => boolean): AlertBuilder {
  return new AlertBuilder({
    rules: alertRuleInfo(loaded.ruleSet.rules),
    correlations: loaded.correlations,
    ...(isEnabled ? { isEnabled } : {}),
  });
}

/** Batches of the mix: 400 events each, so that one rule's alert passes the 100 events it keeps. */
function batches(count: number): SigmaHit[][] {
  const out: SigmaHit[][] = [];
  for (let b = 0; b < count; b++) {
    const events = mixedEvents(1 + b * 400, 400, START_US + b * 400_000_000);
    out.push(matchEvents(loaded.ruleSet, AGENT, events, BATCH_HOST));
  }
  return out;
}

/** Alerts in a stable order (the order of different alerts is not part of the contract). */
function sorted(alerts: DetectionAlert[]): DetectionAlert[] {
  return [...alerts].sort((a, b) => a.dedupeKey.localeCompare(b.dedupeKey) || a.firstSeenUs - b.firstSeenUs);
}

describe('AlertBuilder on compacted hits', () => {
  it('raises exactly the alerts of the hits they stand for, batch after batch', () => {
    const plain = builder();
    const compacted = builder();
    const reads = compacted.correlationReads();
    expect([...reads.keys()]).toEqual([SSH_RULE]);
    let curlEvents = 0;
    const correlations = new Map<string, number>();
    for (const hits of batches(4)) {
      const compact = compactHits(hits, reads);
      expect(compact.hits.every((hit) => hit.ruleId === SSH_RULE)).toBe(true);
      const expected = sorted(plain.build(TENANT, hits));
      const actual = sorted(compacted.build(TENANT, compact.hits, compact.groups));
      expect(actual).toEqual(expected);
      for (const alert of actual) {
        if (alert.ruleId === CURL_RULE && alert.dedupeKey.endsWith(':m-web')) curlEvents = alert.count;
        if (alert.ruleset === 'correlation') {
          correlations.set(alert.ruleId, (correlations.get(alert.ruleId) ?? 0) + 1);
        }
      }
    }
    // The case it is about: an alert past the events it keeps, hosts named two ways, correlations firing.
    expect(curlEvents).toBeGreaterThan(100);
    expect(correlations.get(BURST)).toBeGreaterThan(10);
    expect(correlations.get(SPRAY)).toBeGreaterThan(1);
    const alert = plain
      .build(TENANT, batches(1)[0] as SigmaHit[])
      .find((a) => a.dedupeKey === `sigma:${CURL_RULE}:m-web`);
    expect(alert?.events).toHaveLength(100);
    expect(alert?.title).toBe('Test Curl Download on web-01');
  });

  it('keeps the group of a host named another way apart, so the alert takes its first hit’s name', () => {
    const events = [
      processStart(1, '/usr/bin/curl', START_US, { hostname: 'web-01.lan', id: 'm-web' }),
      processStart(2, '/usr/bin/curl', START_US + 1),
      processStart(3, '/usr/bin/curl', START_US + 2, { hostname: 'web-01.lan', id: 'm-web' }),
    ];
    const hits = matchEvents(loaded.ruleSet, AGENT, events, BATCH_HOST);
    const compact = compactHits(hits, builder().correlationReads());
    expect(compact.groups.map((group) => [group.hostName, Array.from(group.refs)])).toEqual([
      ['web-01.lan', [1, START_US]],
      ['web-01', [2, START_US + 1]],
      ['web-01.lan', [3, START_US + 2]],
    ]);
    const [alert] = builder().build(TENANT, compact.hits, compact.groups);
    expect(alert).toMatchObject({ title: 'Test Curl Download on web-01.lan', count: 3 });
    expect(alert?.events.map((ref) => ref.seq)).toEqual([1, 2, 3]);
  });

  it('drops the groups of rules a tenant switched off, as it drops their hits', () => {
    const off = (_tenant: string, key: string) => key !== CURL_RULE;
    const hits = batches(1)[0] as SigmaHit[];
    const compacted = builder(off);
    const compact = compactHits(hits, compacted.correlationReads());
    const alerts = compacted.build(TENANT, compact.hits, compact.groups);
    expect(alerts.some((a) => a.ruleId === CURL_RULE)).toBe(false);
    expect(alerts.some((a) => a.ruleId === 'title:Test Wget Without Id')).toBe(true);
    expect(sorted(alerts)).toEqual(sorted(builder(off).build(TENANT, hits)));
  });

  it('fires no correlation when the reads leave out the rule it reads (the reads matter)', () => {
    const hits = batches(1)[0] as SigmaHit[];
    const none: CorrelationReads = new Map();
    const compact = compactHits(hits, none);
    expect(compact.hits).toEqual([]);
    const alerts = builder().build(TENANT, compact.hits, compact.groups);
    const expected = builder().build(TENANT, hits);
    expect(expected.filter((a) => a.ruleset === 'correlation').length).toBeGreaterThan(0);
    expect(alerts.filter((a) => a.ruleset === 'correlation')).toEqual([]);
  });

  it('counts a group of a rule correlations read now (rules changed meanwhile) in the correlations that read no field', () => {
    const hits = batches(1)[0] as SigmaHit[];
    const ssh = hits.filter((hit) => hit.ruleId === SSH_RULE);
    const compact = compactHits(ssh, new Map());
    expect(compact.groups.map((group) => group.ruleId)).toEqual([SSH_RULE]);
    // Burst and spray group by source.ip: without views they cannot group, and nothing fires or raises.
    const fresh = builder();
    expect(fresh.build(TENANT, [], compact.groups)).toEqual([]);
    expect(fresh.stats().missingFields).toBe(ssh.length * 2);
  });

  it('expands a group back into the hits it stands for', () => {
    const hits = batches(1)[0] as SigmaHit[];
    const compact = compactHits(hits, builder().correlationReads());
    const expanded = compact.groups.flatMap((group) => expandHitGroup(group));
    const grouped = hits.filter((hit) => hit.ruleId !== SSH_RULE);
    const key = (hit: SigmaHit) =>
      `${hit.ruleId}/${hit.ref.seq}/${hit.ref.timeUs}/${hit.hostName}/${hit.hostId}`;
    expect(expanded.map(key).sort()).toEqual(grouped.map(key).sort());
    expect(compact.hits.map((hit) => hit.ref.seq)).toEqual(
      hits.filter((hit) => hit.ruleId === SSH_RULE).map((hit) => hit.ref.seq),
    );
    expect(Object.keys(compact.hits[0]?.view ?? {}).sort()).toEqual(['source.ip', 'user.name']);
  });
});
