import { describe, expect, it } from 'vitest';
import type { SigmaCorrelationDocument } from '../loader/rule-document.js';
import { CorrelationEngine } from './correlation-engine.js';
import { CorrelationSnapshotError } from './correlation-snapshot.js';
import { correlationDoc, match } from './correlation-test-helpers.js';

const RULES = [{ id: 'fail' }, { id: 'ok' }];
const BRUTE = correlationDoc({
  type: 'event_count',
  rules: ['fail'],
  groupBy: ['ip'],
  condition: { gte: 5 },
});
const ORDERED = correlationDoc(
  { type: 'temporal_ordered', rules: ['fail', 'ok'], groupBy: ['ip'], timespanMs: 600_000 },
  { id: 'corr-2', documentIndex: 1 },
);

const fail = (seconds: number, ip = 'a') => ({
  ...match('fail', seconds, { ip }),
  ref: { agentId: 'agent-1', seq: seconds },
});
/** A restart: the snapshot goes through JSON text, into a new engine built from the same rules. */
const restart = (engine: CorrelationEngine, docs: SigmaCorrelationDocument[] = [BRUTE, ORDERED]) => {
  const next = new CorrelationEngine(docs, RULES);
  const report = next.restore(JSON.parse(JSON.stringify(engine.snapshot(1_000))));
  return { next, report };
};

describe('snapshot and restore', () => {
  it('fires a correlation that spans a restart', () => {
    const before = new CorrelationEngine([BRUTE, ORDERED], RULES);
    for (const s of [0, 10, 20]) expect(before.onMatch(fail(s))).toEqual([]);
    const { next, report } = restart(before);
    expect(report).toEqual({ groups: 2, skipped: [] });
    expect(next.onMatch(fail(30))).toEqual([]);
    const [alert] = next.onMatch(fail(40));
    expect(alert).toMatchObject({ correlationId: 'corr-1', count: 5, firstSeenMs: 0 });
    expect(alert?.refs).toEqual([0, 10, 20, 30, 40].map((seq) => ({ agentId: 'agent-1', seq })));
    // temporal_ordered across the restart too: failures before, success after.
    expect(next.onMatch(match('ok', 50, { ip: 'a' }))).toMatchObject([{ correlationId: 'corr-2' }]);
  });

  it('loses nothing but also invents nothing: without restore the same matches do not fire', () => {
    const fresh = new CorrelationEngine([BRUTE], RULES);
    expect([...fresh.onMatch(fail(30)), ...fresh.onMatch(fail(40))]).toEqual([]);
  });

  it('keeps the silence and the consumed events of a group that already fired', () => {
    const before = new CorrelationEngine([BRUTE], RULES);
    for (const s of [0, 1, 2, 3]) before.onMatch(fail(s));
    expect(before.onMatch(fail(4))).toHaveLength(1);
    const { next } = restart(before, [BRUTE]);
    // Matches re-fed after a crash (at or before the alert) are ignored, new ones in the silence too.
    for (const s of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) expect(next.onMatch(fail(s))).toEqual([]);
    expect(next.onMatch(fail(61))).toHaveLength(1);
  });

  it('drops the state of a correlation that changed or is gone', () => {
    const before = new CorrelationEngine([BRUTE, ORDERED], RULES);
    before.onMatch(fail(0));
    const changed = correlationDoc({ ...BRUTE.correlation, timespan: '2m', timespanMs: 120_000 });
    const { next, report } = restart(before, [changed]);
    expect(report).toEqual({ groups: 0, skipped: ['corr-1', 'corr-2'] });
    expect(next.stats().groups).toBe(0);
  });

  it('applies the group bound to a restored state', () => {
    const before = new CorrelationEngine([BRUTE], RULES);
    for (let i = 0; i < 10; i++) before.onMatch(fail(i, `ip-${i}`));
    const next = new CorrelationEngine([BRUTE], RULES, { maxGroupsPerCorrelation: 3 });
    expect(next.restore(before.snapshot()).groups).toBe(3);
    expect(next.stats().evictedGroups).toBe(7);
  });

  it('rejects a malformed snapshot with a named error and keeps the current state', () => {
    const engine = new CorrelationEngine([BRUTE], RULES);
    for (const s of [0, 1, 2, 3]) engine.onMatch(fail(s));
    const good = engine.snapshot();
    const bad = [
      null,
      { ...good, format: 'other' },
      { ...good, version: 2 },
      { ...good, correlations: 'x' },
      JSON.parse(JSON.stringify(good).replace('"agentId":"agent-1"', '"agentId":7')),
      JSON.parse(JSON.stringify(good).replace('[0,0,', '[0,9,')), // input index out of range
      JSON.parse(JSON.stringify(good).replace('"maxTimeMs":3000', '"maxTimeMs":"x"')),
    ];
    for (const snapshot of bad) expect(() => engine.restore(snapshot)).toThrow(CorrelationSnapshotError);
    expect(engine.onMatch(fail(4))).toHaveLength(1);
  });
});
