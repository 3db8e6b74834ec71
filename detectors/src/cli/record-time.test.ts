import { describe, expect, it } from 'vitest';
import { parseTimeUs, recordTimeUs } from './record-time.js';

const T = Date.UTC(2026, 0, 10, 8, 0, 0); // ms

describe('parseTimeUs', () => {
  it('reads epoch seconds, milliseconds, microseconds and nanoseconds by magnitude, as numbers or text', () => {
    expect(parseTimeUs(T / 1000)).toBe(T * 1000);
    expect(parseTimeUs(T / 1000 + 0.25)).toBe(T * 1000 + 250_000); // Zeek ts
    expect(parseTimeUs(T)).toBe(T * 1000);
    expect(parseTimeUs(T * 1000)).toBe(T * 1000);
    expect(parseTimeUs(T * 1_000_000)).toBe(T * 1000);
    expect(parseTimeUs(String(T / 1000))).toBe(T * 1000);
  });

  it('reads ISO 8601 with a zone, keeps microseconds, and reads zoneless date-times as UTC', () => {
    expect(parseTimeUs('2026-01-10T08:00:00Z')).toBe(T * 1000);
    expect(parseTimeUs('2026-01-10T09:00:00+01:00')).toBe(T * 1000);
    expect(parseTimeUs('2026-01-10T08:00:00.1234567Z')).toBe(T * 1000 + 123_456); // evtx SystemTime
    expect(parseTimeUs('2026-01-10 08:00:00.500')).toBe(T * 1000 + 500_000); // Sysmon UtcTime
  });

  it('refuses what is not a time (near misses: zero, negative, a clock time alone, an object)', () => {
    for (const value of [0, -5, Number.NaN, '', '  ', '08:00:00', 'yesterday', true, null, {}, []]) {
      expect(parseTimeUs(value), JSON.stringify(value)).toBeUndefined();
    }
  });
});

describe('recordTimeUs', () => {
  it('takes the first field that parses, in the documented order', () => {
    expect(recordTimeUs({ TimeCreated_SystemTime: '2026-01-10T08:00:00Z', '@timestamp': 1 })).toBe(T * 1000);
    expect(recordTimeUs({ time: '08:00:00', ts: T / 1000 })).toBe(T * 1000); // "time" is not a date: next one
    expect(recordTimeUs({ UtcTime: '2026-01-10 08:00:00' })).toBe(T * 1000);
  });

  it('is undefined for a record without a time field', () => {
    expect(recordTimeUs({ CommandLine: 'id', date: '2026-01-10' })).toBeUndefined();
  });
});
