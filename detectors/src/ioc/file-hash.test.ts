import { describe, expect, it } from 'vitest';
import { hashAlgorithmOfKey, packHash, unpackHash } from './file-hash.js';

const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('packHash', () => {
  it('packs each algorithm to a quarter-length key that round-trips in lower case', () => {
    for (const [hex, algorithm] of [
      [MD5, 'md5'],
      [SHA1, 'sha1'],
      [SHA256, 'sha256'],
      [SHA256 + SHA256, 'sha512'],
    ] as const) {
      const key = packHash(hex) as string;
      expect(key).toHaveLength(hex.length / 4);
      expect(hashAlgorithmOfKey(key)).toBe(algorithm);
      expect(unpackHash(key)).toBe(hex);
    }
  });

  it('gives upper and lower case the same key', () => {
    expect(packHash(SHA256.toUpperCase())).toBe(packHash(SHA256));
  });

  it('keeps leading zeros', () => {
    const hex = `0000${MD5.slice(4)}`;
    expect(unpackHash(packHash(hex) as string)).toBe(hex);
  });

  it.each([MD5.slice(1), `${MD5}0`, `${MD5.slice(1)}g`, SHA1.slice(0, 36), '', `${SHA256.slice(1)} `])(
    'refuses %j',
    (hex) => {
      expect(packHash(hex)).toBeUndefined();
    },
  );
});
