// Password hashing (argon2id, OWASP parameters) and the password policy. Unknown users are verified against a
// dummy hash so a login for a name that does not exist costs the same time as one that does.
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { UnprocessableProblem } from '../http/problems.js';

/** argon2id (the library's default algorithm) with the OWASP minimum: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** The rule, as error bodies and the OpenAPI document state it. */
export const PASSWORD_RULE = `a password has ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters and is not the account's email address`;

/** A new password in a request body: the length part of the policy (the email part needs the account). */
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, PASSWORD_RULE)
  .max(PASSWORD_MAX_LENGTH, PASSWORD_RULE)
  .describe(PASSWORD_RULE);

/** A password presented to be checked (login, confirmation): any length the policy ever allowed. */
export const presentedPasswordSchema = z.string().min(1).max(1024);

/** Hashes a password as an argon2id PHC string. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

let dummy: Promise<string> | undefined;

/** A hash of a random password, made once per process: what unknown users are verified against. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummy;
}

/**
 * Checks `password` against `stored`; with no stored hash (unknown user, invited user) it still spends one
 * verification on a dummy hash and answers false. A malformed stored hash answers false.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const target = stored ?? (await dummyHash());
  let ok: boolean;
  try {
    ok = await verify(target, password);
  } catch {
    ok = false;
  }
  return ok && stored !== null && stored !== undefined;
}

/** Throws 422 `weak_password` naming the rule when `password` breaks the policy for `email`. */
export function enforcePasswordPolicy(password: string, email: string, field = 'body.password'): void {
  const problems: string[] = [];
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    problems.push(`it has ${password.length} characters`);
  }
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) problems.push('it is the email address');
  if (problems.length > 0) {
    const message = `${PASSWORD_RULE}: ${problems.join(', ')}`;
    throw new UnprocessableProblem(
      `the password is refused: ${message}`,
      [{ path: field, message }],
      'weak_password',
    );
  }
}
