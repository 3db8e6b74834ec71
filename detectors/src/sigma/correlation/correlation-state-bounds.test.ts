import { describe, expect, it } from 'vitest';
import { CorrelationEngine } from './correlation-engine.js';
import { correlationDoc, match } from './correlation-test-helpers.js';
import type { RuleMatch } from './correlation-types.js';

const RULES = [{ id: 'a' }, { id: 'b' }];

describe('bounded correlation state', () => {
  it('holds at most maxGroupsPerCorrelation groups through a million distinct groups', () => {
    const engine = new CorrelationEngine(
      [correlationDoc({ type: 'event_count', rules: ['a'], groupBy: ['ip'], condition: { gte: 2 } })],
      RULES,
      { maxGroupsPerCorrelation: 50_000 },
    );
    const event = { ip: '' };
    const m: RuleMatch = { ruleId: 'a', ruleTitle: 'A', timeMs: 0, event, ref: '' };
    let alerts = 0;
    for (let i = 0; i < 1_000_000; i++) {
      event.ip = `ip-${i}`;
      m.timeMs = i;
      alerts += engine.onMatch(m).length;
    }
    const stats = engine.stats();
    expect(alerts).toBe(0);
    expect(stats.groups).toBe(50_000);
    expect(stats.evictedGroups).toBe(950_000);
    // The evicted groups are the least recently updated: the newest group still counts.
    expect(engine.onMatch({ ...m, event: { ip: 'ip-999999' }, timeMs: 1_000_000 })).toHaveLength(1);
    expect(engine.onMatch({ ...m, event: { ip: 'ip-0' }, timeMs: 1_000_000 })).toEqual([]);
  });

  it('keeps a group that is updated again and evicts the idle one', () => {
    const engine = new CorrelationEngine(
      [correlationDoc({ type: 'event_count', rules: ['a'], groupBy: ['ip'], condition: { gte: 2 } })],
      RULES,
      { maxGroupsPerCorrelation: 2 },
    );
    engine.onMatch(match('a', 0, { ip: 'x' }));
    engine.onMatch(match('a', 1, { ip: 'y' }));
    engine.onMatch(match('a', 2, { ip: 'y' })); // y fires and stays silenced
    engine.onMatch(match('b', 3, { ip: 'x' })); // another rule: does not touch x
    engine.onMatch(match('a', 4, { ip: 'z' })); // evicts x (least recently updated)
    expect(engine.stats().evictedGroups).toBe(1);
    expect(engine.onMatch(match('a', 5, { ip: 'x' }))).toEqual([]); // x starts again from one event
  });

  it('keeps at most maxEventsPerGroup events per group, dropping the oldest', () => {
    const engine = new CorrelationEngine(
      [correlationDoc({ type: 'temporal', rules: ['a', 'b'], groupBy: ['ip'], timespanMs: 3_600_000 })],
      RULES,
      { maxEventsPerGroup: 100 },
    );
    for (let i = 0; i < 5_000; i++) engine.onMatch(match('a', i / 10, { ip: 'x' }));
    expect(engine.stats().droppedEvents).toBe(4_900);
    const snapshot = engine.snapshot();
    expect(snapshot.correlations[0]?.groups[0]?.entries).toHaveLength(100);
    const [alert] = engine.onMatch(match('b', 500, { ip: 'x' }));
    expect(alert?.refs).toHaveLength(100); // maxRefsPerAlert
    expect(alert?.firstSeenMs).toBe(490_100);
  });

  it('frees groups past every window on expire, and keeps silenced ones until their silence ends', () => {
    const engine = new CorrelationEngine(
      [correlationDoc({ type: 'event_count', rules: ['a'], groupBy: ['ip'], condition: { gte: 2 } })],
      RULES,
    );
    engine.onMatch(match('a', 0, { ip: 'x' }));
    engine.onMatch(match('a', 10, { ip: 'y' }));
    engine.onMatch(match('a', 11, { ip: 'y' })); // fires, silenced until 70 s
    engine.expire(65_000);
    expect(engine.stats().groups).toBe(1); // x freed, y remembered
    engine.expire(71_000);
    expect(engine.stats().groups).toBe(0);
  });

  it('counts a group-by value nested too deeply to write as a missing field, never throws', () => {
    const engine = new CorrelationEngine(
      [correlationDoc({ type: 'event_count', rules: ['a'], groupBy: ['ip'], condition: { gte: 2 } })],
      RULES,
    );
    const deepList: unknown = JSON.parse(`${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`);
    let deepMap: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deepMap = { a: deepMap };
    expect(engine.onMatch(match('a', 0, { ip: deepMap }))).toEqual([]);
    expect(engine.onMatch(match('a', 1, { ip: deepMap }))).toEqual([]);
    expect(engine.stats().missingFields).toBe(2);
    // A list of one value (however nested) is that value: groups with the plain value.
    expect(engine.onMatch(match('a', 2, { ip: deepList }))).toEqual([]);
    expect(engine.onMatch(match('a', 3, { ip: 'x' }))).toHaveLength(1);
    expect(engine.stats().missingFields).toBe(2);
  });
});
