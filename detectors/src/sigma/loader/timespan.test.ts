import { describe, expect, it } from 'vitest';
import { parseTimespan } from './timespan.js';

describe('parseTimespan', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['90m', 5_400_000],
    ['2w', 14 * 86_400_000],
    ['1M', 30 * 86_400_000],
    ['1y', 365 * 86_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseTimespan(text)).toEqual({ ok: true, ms });
  });

  it.each(['5', 'm', '5x', '1.5h', '-5m', '5 m', '5mm', '0s', '', '1H'])(
    'rejects %j with a reason',
    (text) => {
      const result = parseTimespan(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain('timespan');
    },
  );

  it('rejects a non-string such as a bare number', () => {
    expect(parseTimespan(300)).toEqual({
      ok: false,
      reason: "timespan must be a string such as '5m' (got 300)",
    });
  });

  it('rejects spans past 100 years', () => {
    expect(parseTimespan('40000d').ok).toBe(false);
    expect(parseTimespan('36500d')).toEqual({ ok: true, ms: 36_500 * 86_400_000 });
  });
});
