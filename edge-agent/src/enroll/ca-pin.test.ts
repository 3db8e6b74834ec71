import { describe, expect, it } from 'vitest';
import { normalizeFingerprint } from './ca-pin.js';

const HEX = 'e848463e525f7953e02fe219d0603117e7fb9fab946928d0dd3a9565950fdb17';

describe('normalizeFingerprint', () => {
  it('accepts the forms tools print', () => {
    const colons = HEX.toUpperCase().match(/../g)?.join(':') ?? '';
    expect(normalizeFingerprint(HEX)).toBe(HEX);
    expect(normalizeFingerprint(colons)).toBe(HEX);
    expect(normalizeFingerprint(`sha256 Fingerprint=${colons}`)).toBe(HEX);
    expect(normalizeFingerprint(`sha256:${HEX}`)).toBe(HEX);
    expect(normalizeFingerprint(` ${HEX}\n`)).toBe(HEX);
  });

  it('refuses anything that is not 32 bytes of hex', () => {
    expect(normalizeFingerprint(HEX.slice(2))).toBeUndefined();
    expect(normalizeFingerprint(`${HEX}00`)).toBeUndefined();
    expect(normalizeFingerprint(HEX.replace('e', 'g'))).toBeUndefined();
    expect(normalizeFingerprint('')).toBeUndefined();
    // A SHA-1 fingerprint is refused, not truncated or padded.
    expect(normalizeFingerprint(HEX.slice(0, 40))).toBeUndefined();
  });
});
