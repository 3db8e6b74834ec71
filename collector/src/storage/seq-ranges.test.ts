import { describe, expect, it } from 'vitest';
import { addRange, formatMultirange, inRanges, parseMultirange, subtractRanges } from './seq-ranges.js';

describe('seq ranges', () => {
  it('parses and formats PostgreSQL int8multirange text', () => {
    expect(parseMultirange('{}')).toEqual([]);
    expect(parseMultirange('{[1,50),[60,70)}')).toEqual([
      [1, 50],
      [60, 70],
    ]);
    expect(formatMultirange([[1, 50]])).toBe('{[1,50)}');
    expect(formatMultirange([])).toBe('{}');
  });

  it('subtracts a stored set from a batch range', () => {
    const stored = [
      [1, 10],
      [20, 30],
    ] as const;
    expect(subtractRanges([1, 10], stored)).toEqual([]);
    expect(subtractRanges([5, 25], stored)).toEqual([[10, 20]]);
    expect(subtractRanges([0, 40], stored)).toEqual([
      [0, 1],
      [10, 20],
      [30, 40],
    ]);
    expect(subtractRanges([30, 35], stored)).toEqual([[30, 35]]);
    expect(subtractRanges([40, 50], [])).toEqual([[40, 50]]);
  });

  it('adds ranges, merging overlapping and adjacent ones', () => {
    let set = addRange([], [40, 50]);
    set = addRange(set, [1, 10]);
    expect(set).toEqual([
      [1, 10],
      [40, 50],
    ]);
    set = addRange(set, [10, 20]);
    expect(set).toEqual([
      [1, 20],
      [40, 50],
    ]);
    set = addRange(set, [15, 45]);
    expect(set).toEqual([[1, 50]]);
    expect(addRange([[5, 8]], [60, 70])).toEqual([
      [5, 8],
      [60, 70],
    ]);
  });

  it('tells whether a seq is in a set', () => {
    const set = [
      [1, 3],
      [7, 9],
    ] as const;
    expect([0, 1, 2, 3, 7, 8, 9].map((seq) => inRanges(seq, set))).toEqual([
      false,
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
  });
});
