import { describe, expect, it } from 'vitest';
import { copyJson, copyNonZero, copyNumber, copyText, copyTimestamp } from './copy-text.js';

describe('COPY text encoding', () => {
  it('escapes the characters COPY treats specially and maps empty to NULL', () => {
    expect(copyText('plain')).toBe('plain');
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('nul\0byte')).toBe('nul\uFFFDbyte');
    expect(copyText('')).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
  });

  it('writes numbers, with NULL for missing, non-finite and zero-means-unknown values', () => {
    expect(copyNumber(1.5)).toBe('1.5');
    expect(copyNumber(Number.NaN)).toBe('\\N');
    expect(copyNonZero(0)).toBe('\\N');
    expect(copyNonZero(22)).toBe('22');
  });

  it('keeps microseconds in timestamps', () => {
    expect(copyTimestamp(1_700_000_000_123_456)).toBe('2023-11-14T22:13:20.123456Z');
    expect(copyTimestamp(1_700_000_000_000_001)).toBe('2023-11-14T22:13:20.000001Z');
    expect(copyTimestamp(0)).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('produces jsonb that PostgreSQL accepts: no NUL escapes, COPY escapes applied', () => {
    expect(copyJson({ a: 'x\ty' })).toBe('{"a":"x\\\\ty"}');
    expect(copyJson({ a: 'n\0l', b: ['\0'] })).toBe('{"a":"n\uFFFDl","b":["\uFFFD"]}');
    // A literal backslash-u-0000 in the data is not a NUL and stays as it is.
    expect(copyJson({ a: '\\u0000' })).toBe('{"a":"\\\\\\\\u0000"}');
  });
});
