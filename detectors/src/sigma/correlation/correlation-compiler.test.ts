import { InosecError } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import { CorrelationEngine } from './correlation-engine.js';
import { correlationDoc, match } from './correlation-test-helpers.js';

const RULES = [{ id: 'r1', name: 'rule_one' }, { id: 'r2', name: 'rule_two' }, { name: 'named_only' }];

describe('compiling correlation rules', () => {
  it('reports an unknown reference by name and position, and keeps the other correlations working', () => {
    const engine = new CorrelationEngine(
      [
        correlationDoc({ type: 'temporal', rules: ['rule_one', 'no_such_rule'] }, { id: 'bad' }),
        correlationDoc(
          { type: 'event_count', rules: ['r1'], condition: { gte: 2 } },
          { id: 'good', documentIndex: 1 },
        ),
      ],
      RULES,
    );
    expect(engine.size).toBe(1);
    expect(engine.errors).toHaveLength(1);
    const [error] = engine.errors;
    expect(error).toBeInstanceOf(SigmaRuleError);
    expect(error?.message).toBe(
      "rules/test-correlation.yml, rule bad, at correlation.rules[1]: unknown rule reference 'no_such_rule'",
    );
    expect(error?.location).toEqual({
      file: 'rules/test-correlation.yml',
      ruleId: 'bad',
      key: 'correlation.rules[1]',
    });
    expect([...engine.onMatch(match('r1', 0)), ...engine.onMatch(match('r1', 1))]).toHaveLength(1);
  });

  it('resolves rules known only by name', () => {
    const engine = new CorrelationEngine(
      [correlationDoc({ type: 'event_count', rules: ['named_only'], condition: { gte: 1 } })],
      RULES,
    );
    expect(engine.errors).toEqual([]);
    expect(engine.onMatch({ ...match('whatever', 0), ruleName: 'named_only' })).toHaveLength(1);
    expect(engine.onMatch(match('named_only', 100))).toHaveLength(1); // a rule id that is the name
  });

  it('marks the types it does not evaluate as unsupported', () => {
    for (const type of ['value_sum', 'value_avg', 'value_percentile'] as const) {
      const engine = new CorrelationEngine(
        [correlationDoc({ type, rules: ['r1'], condition: { field: 'bytes', gt: 10 } })],
        RULES,
      );
      const [error] = engine.errors;
      expect(error).toBeInstanceOf(SigmaUnsupportedError);
      expect((error as SigmaUnsupportedError).reason).toBe('correlation-type');
      expect(error?.message).toContain(`'${type}'`);
    }
  });

  it('requires a condition for the count types, and a field for value_count', () => {
    const errors = new CorrelationEngine(
      [
        correlationDoc({ type: 'event_count', rules: ['r1'] }, { id: 'a' }),
        correlationDoc({ type: 'value_count', rules: ['r1'], condition: { gte: 2 } }, { id: 'b' }),
        correlationDoc({ type: 'temporal', rules: ['r1', 'r2'] }, { id: 'c' }),
      ],
      RULES,
    ).errors;
    expect(errors.map((e) => [e.location.ruleId, e.location.key])).toEqual([
      ['a', 'correlation.condition'],
      ['b', 'correlation.condition.field'],
    ]);
  });

  it('refuses a threshold the per-group bound could never reach', () => {
    const engine = new CorrelationEngine(
      [correlationDoc({ type: 'event_count', rules: ['r1'], condition: { gte: 500 } })],
      RULES,
      { maxEventsPerGroup: 100 },
    );
    expect((engine.errors[0] as SigmaUnsupportedError).reason).toBe('state-bound');
  });

  it('reports an alias that maps a rule the correlation does not refer to', () => {
    const [error] = new CorrelationEngine(
      [
        correlationDoc({
          type: 'temporal',
          rules: ['rule_one', 'rule_two'],
          groupBy: ['ip'],
          aliases: { ip: { rule_one: 'src', rule_three: 'dst' } },
        }),
      ],
      RULES,
    ).errors;
    expect(error?.location.key).toBe('correlation.aliases.ip.rule_three');
  });

  it('reports cycles, failures of inner correlations and duplicate ids', () => {
    const errors = new CorrelationEngine(
      [
        correlationDoc({ type: 'temporal', rules: ['b', 'r1'] }, { id: 'a' }),
        correlationDoc({ type: 'temporal', rules: ['a', 'r1'] }, { id: 'b' }),
        correlationDoc({ type: 'temporal', rules: ['missing'] }, { id: 'c' }),
        correlationDoc({ type: 'temporal', rules: ['c', 'r1'] }, { id: 'd' }),
        correlationDoc({ type: 'temporal', rules: ['r1', 'r2'] }, { id: 'e' }),
        correlationDoc({ type: 'temporal', rules: ['r1', 'r2'] }, { id: 'e' }),
      ],
      RULES,
    ).errors;
    expect(errors.map((e) => e.message.replace(/^.*: /, ''))).toEqual([
      "refers to correlation 'a', which refers back to this one (a cycle)",
      "refers to correlation 'b', which could not be compiled",
      "unknown rule reference 'missing'",
      "refers to correlation 'c', which could not be compiled",
      "another correlation rule has the same id or name 'e'",
    ]);
  });

  it('refuses a chain longer than the limit', () => {
    const docs = [
      correlationDoc({ type: 'event_count', rules: ['r1'], condition: { gte: 1 } }, { id: 'c0' }),
      correlationDoc({ type: 'event_count', rules: ['c0'], condition: { gte: 1 } }, { id: 'c1' }),
      correlationDoc({ type: 'event_count', rules: ['c1'], condition: { gte: 1 } }, { id: 'c2' }),
    ];
    const engine = new CorrelationEngine(docs, RULES, { maxChainDepth: 2 });
    expect(engine.size).toBe(2);
    expect((engine.errors[0] as SigmaUnsupportedError).reason).toBe('correlation-chain');
  });

  it('rejects bad options with a named error', () => {
    expect(() => new CorrelationEngine([], RULES, { maxGroupsPerCorrelation: 0 })).toThrow(InosecError);
    expect(() => new CorrelationEngine([], RULES, { maxEventsPerGroup: 1.5 })).toThrow(/maxEventsPerGroup/);
  });
});
