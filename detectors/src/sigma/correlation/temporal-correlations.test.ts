import { describe, expect, it } from 'vitest';
import { CorrelationEngine } from './correlation-engine.js';
import { correlationDoc, match } from './correlation-test-helpers.js';
import type { CorrelationAlert, RuleMatch } from './correlation-types.js';

const RULES = [
  { id: 'id-a', name: 'recon_a' },
  { id: 'id-b', name: 'recon_b' },
  { id: 'id-c', name: 'recon_c' },
];

function feed(engine: CorrelationEngine, matches: RuleMatch[]): CorrelationAlert[] {
  return matches.flatMap((m) => [...engine.onMatch(m)]);
}

const on = (rule: string, seconds: number, user = 'alice') => match(rule, seconds, { host: 'h1', user });

function temporal(type: 'temporal' | 'temporal_ordered', rules = ['recon_a', 'recon_b', 'recon_c']) {
  return new CorrelationEngine(
    [correlationDoc({ type, rules, groupBy: ['host', 'user'], timespanMs: 300_000 })],
    RULES,
  );
}

describe('temporal', () => {
  it('fires when every referred rule matched in the timespan, in any order', () => {
    const engine = temporal('temporal');
    expect(feed(engine, [on('id-c', 0), on('id-a', 100)])).toEqual([]);
    const [alert] = engine.onMatch(on('id-b', 200));
    expect(alert).toMatchObject({
      type: 'temporal',
      count: 3,
      groupBy: { host: 'h1', user: 'alice' },
      firstSeenMs: 0,
      lastSeenMs: 200_000,
      refs: ['id-c@0', 'id-a@100', 'id-b@200'],
    });
  });

  it('does not fire with one rule missing, repeated, outside the timespan or in another group', () => {
    expect(feed(temporal('temporal'), [on('id-a', 0), on('id-b', 1), on('id-b', 2), on('id-a', 3)])).toEqual(
      [],
    );
    expect(feed(temporal('temporal'), [on('id-a', 0), on('id-b', 1), on('id-c', 301)])).toEqual([]);
    expect(feed(temporal('temporal'), [on('id-a', 0), on('id-b', 1), on('id-c', 2, 'bob')])).toEqual([]);
    expect(feed(temporal('temporal'), [on('id-a', 0), on('id-b', 1), on('id-c', 300)])).toHaveLength(1);
  });

  it('counts a rule that arrives late but inside the window', () => {
    expect(feed(temporal('temporal'), [on('id-b', 200), on('id-c', 250), on('id-a', 10)])).toHaveLength(1);
  });

  it('applies a condition on the number of distinct rules when one is given', () => {
    const engine = new CorrelationEngine(
      [
        correlationDoc({
          type: 'temporal',
          rules: ['recon_a', 'recon_b', 'recon_c'],
          groupBy: ['host'],
          condition: { gte: 2 },
        }),
      ],
      RULES,
    );
    expect(feed(engine, [on('id-a', 0), on('id-a', 1)])).toEqual([]);
    expect(feed(engine, [on('id-c', 2)])).toMatchObject([{ count: 2 }]);
  });
});

describe('temporal_ordered', () => {
  it('fires when the rules matched in the listed order', () => {
    const engine = temporal('temporal_ordered');
    expect(feed(engine, [on('id-a', 0), on('id-b', 10)])).toEqual([]);
    expect(feed(engine, [on('id-c', 20)])).toMatchObject([{ type: 'temporal_ordered', count: 3 }]);
  });

  it('does not fire in the wrong order', () => {
    expect(feed(temporal('temporal_ordered'), [on('id-a', 0), on('id-c', 10), on('id-b', 20)])).toEqual([]);
    expect(feed(temporal('temporal_ordered'), [on('id-c', 0), on('id-b', 10), on('id-a', 20)])).toEqual([]);
  });

  it('uses event time, not arrival order, and finds the order among repeated matches', () => {
    // B arrives before A but happened after it.
    expect(
      feed(temporal('temporal_ordered', ['recon_a', 'recon_b']), [on('id-b', 20), on('id-a', 10)]),
    ).toHaveLength(1);
    // B, A, B: the second B follows A.
    const engine = temporal('temporal_ordered', ['recon_a', 'recon_b']);
    expect(feed(engine, [on('id-b', 0), on('id-a', 10)])).toEqual([]);
    expect(feed(engine, [on('id-b', 20)])).toHaveLength(1);
  });

  it('handles a rule listed twice (A, B, A)', () => {
    const engine = temporal('temporal_ordered', ['recon_a', 'recon_b', 'recon_a']);
    expect(feed(engine, [on('id-a', 0), on('id-b', 10), on('id-b', 11)])).toEqual([]);
    expect(feed(engine, [on('id-a', 12)])).toMatchObject([{ count: 3 }]);
    const unordered = temporal('temporal', ['recon_a', 'recon_b', 'recon_a']);
    expect(feed(unordered, [on('id-b', 0), on('id-a', 1)])).toMatchObject([{ count: 2 }]);
  });

  it('does not fire when the last rule comes after the timespan', () => {
    expect(
      feed(temporal('temporal_ordered', ['recon_a', 'recon_b']), [on('id-a', 0), on('id-b', 301)]),
    ).toEqual([]);
  });
});

describe('aliases', () => {
  // The spec's example: an internal error and a new connection between the same two hosts within 10 s.
  const engine = () =>
    new CorrelationEngine(
      [
        correlationDoc({
          type: 'temporal',
          rules: ['internal_error', 'new_network_connection'],
          groupBy: ['internal_ip', 'remote_ip'],
          timespanMs: 10_000,
          aliases: {
            internal_ip: { internal_error: 'destination.ip', new_network_connection: 'source.ip' },
            remote_ip: { internal_error: 'source.ip', new_network_connection: 'destination.ip' },
          },
        }),
      ],
      [
        { id: 'err', name: 'internal_error' },
        { id: 'conn', name: 'new_network_connection' },
      ],
    );
  const error = (seconds: number, source: string, destination: string) =>
    match('err', seconds, { source: { ip: source }, destination: { ip: destination } });
  const connection = (seconds: number, source: string, destination: string) =>
    match('conn', seconds, { 'source.ip': source, 'destination.ip': destination });

  it('groups events of different rules on their own fields', () => {
    const alerts = feed(engine(), [
      error(0, '203.0.113.9', '10.0.0.5'),
      connection(5, '10.0.0.5', '203.0.113.9'),
    ]);
    expect(alerts).toMatchObject([{ groupBy: { internal_ip: '10.0.0.5', remote_ip: '203.0.113.9' } }]);
  });

  it('does not join events whose aliased fields differ', () => {
    expect(
      feed(engine(), [error(0, '203.0.113.9', '10.0.0.5'), connection(5, '203.0.113.9', '10.0.0.5')]),
    ).toEqual([]);
    expect(
      feed(engine(), [error(0, '203.0.113.9', '10.0.0.5'), connection(11, '10.0.0.5', '203.0.113.9')]),
    ).toEqual([]);
  });
});

describe('correlation chains', () => {
  // The spec's example: 10 failed logins of a user, then a successful login of that user, within 10 min.
  const engine = () =>
    new CorrelationEngine(
      [
        correlationDoc(
          {
            type: 'temporal_ordered',
            rules: ['multiple_failed_login', 'successful_login'],
            groupBy: ['User'],
            timespanMs: 600_000,
          },
          { id: 'outer', title: 'Multiple failed logins followed by a successful login' },
        ),
        correlationDoc(
          {
            type: 'event_count',
            rules: ['failed_login'],
            groupBy: ['User'],
            timespanMs: 600_000,
            condition: { gte: 10 },
          },
          { id: 'inner', name: 'multiple_failed_login', title: 'Multiple failed logins', documentIndex: 1 },
        ),
      ],
      [
        { id: 'f', name: 'failed_login' },
        { id: 's', name: 'successful_login' },
      ],
    );
  const failures = (user: string, from: number) =>
    Array.from({ length: 10 }, (_, i) => match('f', from + i, { User: user, ComputerName: `pc${i}` }));

  it('feeds the inner alert to the outer correlation, and returns only the outer one (generate: false)', () => {
    const chain = engine();
    expect(feed(chain, failures('bob', 0))).toEqual([]);
    const alerts = feed(chain, [match('s', 60, { User: 'bob' })]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      correlationId: 'outer',
      groupBy: { User: 'bob' },
      firstSeenMs: 9_000,
      count: 2,
    });
    expect(alerts[0]?.refs).toHaveLength(11);
    expect(chain.stats().correlations.map((c) => [c.correlation, c.alerts])).toEqual([
      ['inner', 1],
      ['outer', 1],
    ]);
  });

  it('does not fire when the success comes first, or for another user', () => {
    const chain = engine();
    expect(feed(chain, [match('s', 0, { User: 'bob' }), ...failures('bob', 1)])).toEqual([]);
    expect(feed(engine(), [...failures('eve', 100), match('s', 200, { User: 'bob' })])).toEqual([]);
  });

  it('returns inner alerts when the outer correlation sets generate: true', () => {
    const chain = new CorrelationEngine(
      [
        correlationDoc(
          { type: 'event_count', rules: ['f'], groupBy: ['User'], condition: { gte: 2 } },
          { id: 'inner' },
        ),
        correlationDoc(
          { type: 'temporal', rules: ['inner', 's'], groupBy: ['User'] },
          { id: 'outer', generate: true },
        ),
      ],
      [{ id: 'f' }, { id: 's' }],
    );
    const alerts = feed(chain, [
      match('f', 0, { User: 'x' }),
      match('f', 1, { User: 'x' }),
      match('s', 2, { User: 'x' }),
    ]);
    expect(alerts.map((a) => a.correlationId)).toEqual(['inner', 'outer']);
    // f is referred to only by the inner correlation, whose generate is false.
    expect(chain.generatesStandalone('f')).toBe(false);
    expect(chain.generatesStandalone('s')).toBe(true);
  });

  it('tells the detection engine which rules do not alert on their own', () => {
    const chain = engine();
    expect(chain.generatesStandalone('f')).toBe(false);
    expect(chain.generatesStandalone('s', 'successful_login')).toBe(false);
    expect(chain.generatesStandalone('unrelated')).toBe(true);
  });
});
