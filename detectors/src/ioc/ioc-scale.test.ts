import { describe, expect, it } from 'vitest';
import { loadCsv } from './csv-loader.js';
import { formatIPv4 } from './ip-address.js';
import { IocSet } from './ioc-set.js';

const SIZE = 1_000_000;

describe('a feed of 1,000,000 indicators', () => {
  it('loads, and every indicator and none other matches', () => {
    // Odd addresses spread over the whole space (an odd multiplier is a bijection mod 2^32): the evens never match.
    const address = (i: number): number => Math.imul(2 * i + 1, 0x9e3779b1) >>> 0;
    const lines: string[] = [];
    for (let i = 0; i < SIZE; i++) lines.push(formatIPv4(address(i) | 1));
    lines[123] = 'not-an-ip';
    const set = new IocSet('big');
    const report = loadCsv(set, lines.join('\n'));

    expect(report.loaded.ip + report.duplicates).toBe(SIZE - 1);
    expect(report.invalid).toBe(1);
    expect(report.issues[0]).toMatchObject({ line: 124, value: 'not-an-ip' });
    expect(set.size).toBe(report.loaded.ip);

    let missing = 0;
    let wrong = 0;
    for (let i = 0; i < SIZE; i += 97) {
      if (i !== 123 && set.match('ip', lines[i] as string) === undefined) missing++;
      if (set.match('ip', formatIPv4((address(i) | 1) ^ 1)) !== undefined) wrong++;
    }
    expect(missing).toBe(0);
    expect(wrong).toBe(0);
    expect(set.match('ip', lines[5] as string)).toMatchObject({
      set: 'big',
      kind: 'ip',
      indicator: lines[5],
    });
  });
});
