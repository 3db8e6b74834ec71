import { describe, expect, it } from 'vitest';
import type { SigmaCorrelationCondition } from '../loader/rule-document.js';
import { CorrelationEngine } from './correlation-engine.js';
import { correlationDoc, match } from './correlation-test-helpers.js';
import type { CorrelationAlert, RuleMatch } from './correlation-types.js';

const RULES = [{ id: 'fail', name: 'failed_login' }, { id: 'other' }];

function countEngine(condition: SigmaCorrelationCondition, groupBy = ['ip']) {
  return new CorrelationEngine(
    [correlationDoc({ type: 'event_count', rules: ['fail'], groupBy, condition })],
    RULES,
  );
}

/** Feeds the matches; returns every alert. */
function feed(engine: CorrelationEngine, matches: RuleMatch[]): CorrelationAlert[] {
  return matches.flatMap((m) => [...engine.onMatch(m)]);
}

const fail = (seconds: number, ip = '10.0.0.1', extra: Record<string, unknown> = {}) =>
  match('fail', seconds, { ip, ...extra });

describe('event_count', () => {
  it('fires on the match that reaches the threshold, with the window events', () => {
    const engine = countEngine({ gte: 5 });
    const alerts = feed(
      engine,
      [0, 10, 20, 30].map((s) => fail(s)),
    );
    expect(alerts).toEqual([]);
    expect(engine.onMatch(fail(40))).toEqual([
      {
        correlationId: 'corr-1',
        title: 'Test correlation',
        level: 'high',
        type: 'event_count',
        groupBy: { ip: '10.0.0.1' },
        firstSeenMs: 0,
        lastSeenMs: 40_000,
        count: 5,
        refs: ['fail@0', 'fail@10', 'fail@20', 'fail@30', 'fail@40'],
      },
    ]);
  });

  it('includes the window edge but not one second past it', () => {
    expect(
      feed(
        countEngine({ gte: 5 }),
        [0, 10, 20, 30, 60].map((s) => fail(s)),
      ),
    ).toHaveLength(1);
    expect(
      feed(
        countEngine({ gte: 5 }),
        [0, 10, 20, 30, 61].map((s) => fail(s)),
      ),
    ).toEqual([]);
  });

  it('counts strictly more for gt', () => {
    expect(
      feed(
        countEngine({ gt: 5 }),
        [0, 1, 2, 3, 4].map((s) => fail(s)),
      ),
    ).toEqual([]);
    expect(
      feed(
        countEngine({ gt: 5 }),
        [0, 1, 2, 3, 4, 5].map((s) => fail(s)),
      ),
    ).toHaveLength(1);
  });

  it('keeps groups apart, and does not count matches missing a group-by field', () => {
    const engine = countEngine({ gte: 3 });
    const alerts = feed(engine, [
      fail(0, 'a'),
      fail(1, 'b'),
      fail(2, 'a'),
      fail(3, 'b'),
      match('fail', 4, { user: 'x' }), // no ip
      match('fail', 4, { ip: null }),
    ]);
    expect(alerts).toEqual([]);
    expect(engine.stats().missingFields).toBe(2);
    const [alert] = engine.onMatch(fail(5, 'b'));
    expect(alert?.groupBy).toEqual({ ip: 'b' });
    expect(alert?.refs).toEqual(['fail@1', 'fail@3', 'fail@5']);
  });

  it('groups on several fields (ANDed) and without group-by on one group', () => {
    const engine = countEngine({ gte: 2 }, ['ip', 'user']);
    expect(feed(engine, [fail(0, 'a', { user: 'u1' }), fail(1, 'a', { user: 'u2' })])).toEqual([]);
    expect(engine.onMatch(fail(2, 'a', { user: 'u1' }))[0]?.groupBy).toEqual({ ip: 'a', user: 'u1' });
    const global = countEngine({ gte: 2 }, []);
    expect(feed(global, [fail(0, 'a'), fail(1, 'b')])[0]?.groupBy).toEqual({});
  });

  it('counts events that arrive out of order inside the window and ignores older ones', () => {
    const engine = countEngine({ gte: 5 });
    expect(
      feed(
        engine,
        [50, 10, 40, 20].map((s) => fail(s)),
      ),
    ).toEqual([]);
    const [alert] = engine.onMatch(fail(30));
    expect(alert).toMatchObject({ firstSeenMs: 10_000, lastSeenMs: 50_000, count: 5 });
    expect(alert?.refs).toEqual(['fail@10', 'fail@20', 'fail@30', 'fail@40', 'fail@50']);

    const late = countEngine({ gte: 2 });
    expect(feed(late, [fail(100), fail(39)])).toEqual([]); // 39 < 100 - 60
    expect(late.stats().lateEvents).toBe(1);
    expect(feed(late, [fail(40)])).toHaveLength(1); // exactly at the window's start
  });

  it('fires once, then stays silent until the window has slid past the first event, with fresh events only', () => {
    const engine = countEngine({ gte: 5 });
    expect(
      feed(
        engine,
        [0, 1, 2, 3, 4].map((s) => fail(s)),
      ),
    ).toHaveLength(1);
    // More failures in the same window: consumed-and-silenced, no alert storm.
    expect(
      feed(
        engine,
        [10, 20, 30, 40, 50, 60].map((s) => fail(s)),
      ),
    ).toEqual([]);
    // Past 0 + 60 s: a new alert, made of the events since the first one only.
    const alerts = feed(engine, [fail(61)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ firstSeenMs: 10_000, lastSeenMs: 61_000, count: 7 });
    expect(alerts[0]?.refs).not.toContain('fail@4');
    expect(engine.stats().alerts).toBe(2);
  });

  it('does not re-fire on events an alert already used', () => {
    const engine = countEngine({ gte: 3 });
    expect(
      feed(
        engine,
        [0, 1, 2].map((s) => fail(s)),
      ),
    ).toHaveLength(1);
    expect(
      feed(
        engine,
        [70, 71].map((s) => fail(s)),
      ),
    ).toEqual([]); // 2 fresh events only
    expect(feed(engine, [fail(2)])).toEqual([]); // a replayed old event
    expect(feed(engine, [fail(72)])).toHaveLength(1);
  });

  it('decides upper-bounded conditions when the window closes (on a later match or on expire)', () => {
    const between = countEngine({ gt: 2, lte: 4 });
    expect(
      feed(
        between,
        [0, 10, 20].map((s) => fail(s)),
      ),
    ).toEqual([]);
    expect(between.expire(60_000)).toEqual([]); // the window [0, 60] is not over yet
    const [closed] = between.expire(60_001);
    expect(closed).toMatchObject({ count: 3, firstSeenMs: 0, lastSeenMs: 20_000 });

    const tooMany = countEngine({ gt: 2, lte: 4 });
    feed(
      tooMany,
      [0, 10, 20, 30, 40].map((s) => fail(s)),
    );
    expect(tooMany.expire(120_000)).toEqual([]);

    const rare = countEngine({ lt: 3 });
    expect(feed(rare, [fail(0), fail(30)])).toEqual([]);
    // A match past the window closes it: the window [0, 60] had 2 events.
    expect(feed(rare, [fail(61)])).toMatchObject([{ count: 2, lastSeenMs: 30_000 }]);
    expect(rare.expire(200_000)).toMatchObject([{ count: 1, firstSeenMs: 61_000 }]);
  });

  it('tests eq and neq on the closed window', () => {
    const eq = countEngine({ eq: 3 });
    feed(
      eq,
      [0, 1, 2].map((s) => fail(s)),
    );
    expect(eq.expire(100_000)).toHaveLength(1);
    const eqMiss = countEngine({ eq: 3 });
    feed(
      eqMiss,
      [0, 1, 2, 3].map((s) => fail(s)),
    );
    expect(eqMiss.expire(100_000)).toEqual([]);
    const neq = countEngine({ neq: 3 });
    feed(
      neq,
      [0, 1, 2].map((s) => fail(s)),
    );
    expect(neq.expire(100_000)).toEqual([]);
  });

  it('ignores a match whose time is not a number', () => {
    const engine = countEngine({ gte: 2 });
    expect(feed(engine, [{ ...fail(0), timeMs: Number.NaN }, fail(1)])).toEqual([]);
    expect(engine.stats().badTimes).toBe(1);
    expect(feed(engine, [fail(2)])).toHaveLength(1);
  });

  it('accepts matches by rule name as well as by id, and ignores unrelated rules', () => {
    const engine = countEngine({ gte: 2 });
    expect(
      feed(engine, [{ ...fail(0), ruleId: 'no-id-given', ruleName: 'failed_login' }, fail(1)]),
    ).toHaveLength(1);
    expect(
      feed(engine, [match('other', 100, { ip: '10.0.0.1' }), match('unknown', 101, { ip: '10.0.0.1' })]),
    ).toEqual([]);
  });
});

describe('value_count', () => {
  const spray = (condition: SigmaCorrelationCondition) =>
    new CorrelationEngine(
      [correlationDoc({ type: 'value_count', rules: ['fail'], groupBy: ['ip'], condition })],
      RULES,
    );
  const attempt = (seconds: number, user: unknown, ip = 'a') => match('fail', seconds, { ip, user });

  it('counts distinct values of the field per group', () => {
    const engine = spray({ field: 'user', gte: 3 });
    expect(feed(engine, [attempt(0, 'root'), attempt(1, 'admin'), attempt(2, 'root', 'b')])).toEqual([]);
    const [alert] = engine.onMatch(attempt(3, 'oracle'));
    expect(alert).toMatchObject({ type: 'value_count', count: 3, groupBy: { ip: 'a' } });
  });

  it('does not count the same value repeated, nor events without the field', () => {
    const engine = spray({ field: 'user', gte: 3 });
    expect(
      feed(
        engine,
        [0, 1, 2, 3, 4, 5].map((s) => attempt(s, s % 2 ? 'root' : 'admin')),
      ),
    ).toEqual([]);
    expect(feed(engine, [match('fail', 6, { ip: 'a' })])).toEqual([]);
    expect(engine.stats().missingFields).toBe(1);
    expect(feed(engine, [attempt(7, 'guest')])).toHaveLength(1);
  });

  it('forgets values that left the window', () => {
    const engine = spray({ field: 'user', gte: 3 });
    expect(feed(engine, [attempt(0, 'root'), attempt(30, 'admin'), attempt(61, 'guest')])).toEqual([]);
    expect(feed(engine, [attempt(62, 'root')])).toHaveLength(1);
  });

  it('counts distinct combinations of several fields', () => {
    const engine = new CorrelationEngine(
      [
        correlationDoc({
          type: 'value_count',
          rules: ['fail'],
          groupBy: ['ip'],
          condition: { field: ['user', 'port'], gte: 3 },
        }),
      ],
      RULES,
    );
    const alerts = feed(engine, [
      match('fail', 0, { ip: 'a', user: 'root', port: 22 }),
      match('fail', 1, { ip: 'a', user: 'root', port: 22 }),
      match('fail', 2, { ip: 'a', user: 'root', port: 2222 }),
    ]);
    expect(alerts).toEqual([]);
    expect(feed(engine, [match('fail', 3, { ip: 'a', user: 'admin', port: 22 })])).toMatchObject([
      { count: 3 },
    ]);
  });
});
