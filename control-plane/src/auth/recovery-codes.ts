// TOTP recovery codes: ten single-use codes of ten Crockford base32 characters (50 bits each), shown as
// `xxxxx-xxxxx`. Typed back in any case, with or without the dash or spaces; the letters Crockford reads as
// digits (i, l → 1; o → 0) are read the same way. Stored only as keyed digests (SecretBox.mac).
import { randomInt } from 'node:crypto';
import type { SecretBox } from '../security/secret-box.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RECOVERY_CODE_COUNT = 10;
const LENGTH = 10;
const MAC_PURPOSE = 'totp-recovery-code';

/** Fresh codes, as the user is shown them. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = '';
    for (let i = 0; i < LENGTH; i += 1) code += ALPHABET[randomInt(ALPHABET.length)];
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  });
}

/** The canonical form of a typed code, or undefined when it cannot be one. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const code = input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : undefined;
}

/** The stored digest of a code (canonical or as shown). */
export function recoveryCodeMac(secretBox: SecretBox, code: string): Buffer | undefined {
  const canonical = normalizeRecoveryCode(code);
  return canonical === undefined ? undefined : secretBox.mac(canonical, MAC_PURPOSE);
}
