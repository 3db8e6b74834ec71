import { describe, expect, it } from 'vitest';
import { compileCountCondition } from './count-condition.js';

const holds = (condition: Parameters<typeof compileCountCondition>[0], counts: number[]) => {
  const compiled = compileCountCondition(condition);
  if (!compiled) throw new Error('no condition');
  return counts.filter((count) => compiled.test(count));
};

describe('compileCountCondition', () => {
  it('tests each bound at its edge', () => {
    const counts = [3, 4, 5, 6];
    expect(holds({ gte: 5 }, counts)).toEqual([5, 6]);
    expect(holds({ gt: 5 }, counts)).toEqual([6]);
    expect(holds({ lte: 4 }, counts)).toEqual([3, 4]);
    expect(holds({ lt: 4 }, counts)).toEqual([3]);
    expect(holds({ eq: 4 }, counts)).toEqual([4]);
    expect(holds({ neq: 4 }, counts)).toEqual([3, 5, 6]);
  });

  it('ANDs the bounds of a range (gt 100 and lte 200)', () => {
    expect(holds({ gt: 100, lte: 200 }, [100, 101, 200, 201])).toEqual([101, 200]);
    expect(holds({ gte: 5, neq: 6 }, [4, 5, 6, 7])).toEqual([5, 7]);
  });

  it('is monotone (decided as soon as true) only with lower bounds alone', () => {
    expect(compileCountCondition({ gte: 5 })?.monotone).toBe(true);
    expect(compileCountCondition({ gt: 1, gte: 3 })?.monotone).toBe(true);
    expect(compileCountCondition({ gte: 5, lte: 9 })?.monotone).toBe(false);
    expect(compileCountCondition({ eq: 5 })?.monotone).toBe(false);
    expect(compileCountCondition({ neq: 5 })?.monotone).toBe(false);
    expect(compileCountCondition({ gt: 100, lte: 200 })?.text).toBe('gt 100 and lte 200');
  });

  it('uses the fallback (temporal types: all rules) only without bounds', () => {
    expect(compileCountCondition(undefined)).toBeUndefined();
    expect(compileCountCondition({ field: 'x' })).toBeUndefined();
    expect(compileCountCondition(undefined, 3)?.text).toBe('gte 3');
    expect(compileCountCondition({ gte: 2 }, 3)?.text).toBe('gte 2');
  });
});
