// File hashes as compact keys: the hex digest packed four digits to a UTF-16 code unit, so a SHA-256 key
// is a 16-unit string (32 bytes of payload instead of 64) and upper and lower case meet without lower-
// casing. The algorithm is told by the digest's length.
import type { HashAlgorithm } from './ioc-types.js';

const ALGORITHM_BY_HEX_LENGTH: Readonly<Record<number, HashAlgorithm>> = {
  32: 'md5',
  40: 'sha1',
  64: 'sha256',
  128: 'sha512',
};

/** Hex digest length of each supported algorithm. */
export const HASH_HEX_LENGTH: Readonly<Record<HashAlgorithm, number>> = {
  md5: 32,
  sha1: 40,
  sha256: 64,
  sha512: 128,
};

/** The algorithm whose hex digest has `length` characters, or undefined. */
export function hashAlgorithmOfLength(length: number): HashAlgorithm | undefined {
  return ALGORITHM_BY_HEX_LENGTH[length];
}

/** The algorithm of a packed key (see {@link packHash}). */
export function hashAlgorithmOfKey(key: string): HashAlgorithm {
  return ALGORITHM_BY_HEX_LENGTH[key.length * 4] as HashAlgorithm;
}

const scratch: Record<number, number[]> = { 8: [], 10: [], 16: [], 32: [] };
for (const [length, units] of Object.entries(scratch)) units.length = Number(length);

/**
 * Packs a hex digest (any case, md5/sha1/sha256/sha512 length) into its lookup key; undefined when the
 * text is not such a digest.
 */
export function packHash(hex: string): string | undefined {
  const units = scratch[hex.length >>> 2];
  if (units === undefined || (hex.length & 3) !== 0 || ALGORITHM_BY_HEX_LENGTH[hex.length] === undefined) {
    return undefined;
  }
  for (let u = 0, i = 0; u < units.length; u++) {
    let value = 0;
    for (let end = i + 4; i < end; i++) {
      const code = hex.charCodeAt(i);
      let digit: number;
      if (code >= 48 && code <= 57) digit = code - 48;
      else {
        const lower = code | 0x20;
        if (lower < 97 || lower > 102) return undefined;
        digit = lower - 87;
      }
      value = (value << 4) | digit;
    }
    units[u] = value;
  }
  return String.fromCharCode.apply(null, units);
}

/** The lower-case hex digest of a packed key. */
export function unpackHash(key: string): string {
  let hex = '';
  for (let i = 0; i < key.length; i++) hex += key.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}
