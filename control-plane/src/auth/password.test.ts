import { describe, expect, it } from 'vitest';
import { ProblemError } from '../http/problems.js';
import { enforcePasswordPolicy, hashPassword, newPasswordSchema, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('hashes with argon2id at the OWASP parameters and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse batterY')).toBe(false);
  });

  it('answers false for a missing or malformed hash', async () => {
    expect(await verifyPassword(null, 'anything at all')).toBe(false);
    expect(await verifyPassword(undefined, '')).toBe(false);
    expect(await verifyPassword('not-a-phc-string', 'anything at all')).toBe(false);
  });
});

describe('password policy', () => {
  it('bounds the length and explains the rule', () => {
    expect(newPasswordSchema.safeParse('x'.repeat(12)).success).toBe(true);
    expect(newPasswordSchema.safeParse('x'.repeat(256)).success).toBe(true);
    const short = newPasswordSchema.safeParse('x'.repeat(11));
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.message).toContain('12 to 256 characters');
    expect(newPasswordSchema.safeParse('x'.repeat(257)).success).toBe(false);
  });

  it('refuses the email address as the password, whatever its case', () => {
    expect(() => enforcePasswordPolicy('Alice.Long@Example.test', 'alice.long@example.test')).toThrow(
      ProblemError,
    );
    try {
      enforcePasswordPolicy('alice.long@example.test', 'alice.long@example.test');
    } catch (error) {
      expect((error as ProblemError).status).toBe(422);
      expect((error as ProblemError).code).toBe('weak_password');
      expect((error as ProblemError).extra.errors?.[0]?.message).toContain('not the account');
    }
    expect(() => enforcePasswordPolicy('alice.long@example.tests', 'alice.long@example.test')).not.toThrow();
  });
});
