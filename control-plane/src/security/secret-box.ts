import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { InosecError } from '@inosec/protos';

/** A sealed value could not be opened: another key sealed it, or it was altered. */
export class SecretBoxError extends InosecError {
  constructor(message: string) {
    super('secret_box_open_failed', message);
  }
}

const VERSION = 'v1';

/**
 * Seals small secrets at rest (TOTP secrets, tenant CA private keys) with AES-256-GCM under the data key
 * (INOSEC_DATA_KEY). The sealed form is `v1.<iv>.<ciphertext>.<tag>` (base64url); `context` is bound as
 * additional data, so a value sealed for one user or tenant cannot be moved to another's row.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError(`the data key must be 32 bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  static fromBase64(value: string): SecretBox {
    return new SecretBox(
      Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64'),
    );
  }

  seal(plaintext: string | Buffer, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, iv, data, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /**
   * HMAC-SHA-256 of `data` under a key derived from the data key for `purpose` (HKDF): a keyed digest of a
   * short secret (a recovery code) that the database alone cannot test guesses against.
   */
  mac(data: string, purpose: string): Buffer {
    const key = Buffer.from(hkdfSync('sha256', this.key, 'inosec-mac', purpose, 32));
    return createHmac('sha256', key).update(data, 'utf8').digest();
  }

  open(sealed: string, context: string): Buffer {
    const [version, iv, data, tag] = sealed.split('.');
    if (version !== VERSION || iv === undefined || data === undefined || tag === undefined) {
      throw new SecretBoxError('not a sealed value');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    } catch {
      throw new SecretBoxError('the sealed value does not open with this data key and context');
    }
  }
}
