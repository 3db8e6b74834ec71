import { describe, expect, it } from 'vitest';
import { Int32Map } from './int32-map.js';

describe('Int32Map', () => {
  it('stores int32 keys including 0, -1 and the extremes, through growth', () => {
    const map = new Int32Map();
    const keys = [0, -1, 1, 0x7fffffff, -0x80000000];
    for (let i = 0; i < 10_000; i++) keys.push(Math.imul(i, 0x9e3779b1));
    const unique = [...new Set(keys)];
    const refused = unique.filter((key, index) => !map.setIfAbsent(key, index + 1));
    expect(refused).toEqual([]);
    expect(map.size).toBe(unique.length);
    const wrong = unique.filter((key, index) => map.get(key) !== index + 1);
    expect(wrong).toEqual([]);
    expect(map.get(12345678)).toBe(unique.includes(12345678) ? unique.indexOf(12345678) + 1 : 0);
  });

  it('keeps the first value of a key and treats unsigned and signed forms alike', () => {
    const map = new Int32Map();
    expect(map.setIfAbsent(0xffffffff, 5)).toBe(true);
    expect(map.setIfAbsent(-1, 6)).toBe(false);
    expect(map.get(-1)).toBe(5);
    expect(map.get(0xffffffff)).toBe(5);
    expect(map.get(0xfffffffe)).toBe(0);
  });

  it('refuses values that would read as absent', () => {
    const map = new Int32Map();
    expect(() => map.setIfAbsent(1, 0)).toThrow(RangeError);
    expect(() => map.setIfAbsent(1, 1.5)).toThrow(RangeError);
  });

  it('visits every entry', () => {
    const map = new Int32Map(4);
    map.setIfAbsent(7, 1);
    map.setIfAbsent(-7, 2);
    const seen: Array<[number, number]> = [];
    map.forEach((key, value) => seen.push([key, value]));
    expect(seen.sort((a, b) => a[1] - b[1])).toEqual([
      [7, 1],
      [-7, 2],
    ]);
  });
});
