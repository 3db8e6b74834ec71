import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InosecError } from '@inosec/protos';
import { credsAuthenticator, nkeys, type Authenticator } from '@nats-io/transport-node';

/** A NATS credentials file (NATS_CREDS) is missing, unreadable, malformed or expired. */
export class NatsCredentialsError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('nats_credentials_invalid', message, options);
  }
}

/** A `.creds` file as checked at start: the user JWT, its subject and expiry (the seed is not kept here). */
export interface NatsCredentials {
  file: string;
  /** The user's public nkey (the JWT subject, matching the seed). */
  userPublicKey: string;
  /** The JWT's name claim (e.g. `collector eu-1`). */
  name: string;
  /** When the JWT expires; undefined for JWTs without expiry. */
  expiresAt?: Date;
}

const BLOCK = /-{3,}BEGIN ([A-Z ]+)-{3,}\r?\n\s*([^\r\n]+?)\s*\r?\n\s*-{3,}END \1-{3,}/g;

/**
 * Checks `.creds` text as nats-server will need it: one NATS USER JWT block holding a user JWT, one USER
 * NKEY SEED block holding a valid user seed whose public key is the JWT's subject, and an expiry in the
 * future. The JWT's signature is the server's to verify (it knows the operator). Throws NatsCredentialsError
 * naming `file` and the reason; the message never quotes the seed.
 */
export function parseNatsCredentials(text: string, file: string, now = new Date()): NatsCredentials {
  const blocks = new Map<string, string>();
  for (const [, label, body] of text.matchAll(BLOCK)) {
    if (label !== undefined && body !== undefined) blocks.set(label, body);
  }
  const jwt = blocks.get('NATS USER JWT');
  const seed = blocks.get('USER NKEY SEED');
  if (jwt === undefined || seed === undefined) {
    throw new NatsCredentialsError(
      `${file} is not a NATS credentials file: it needs a NATS USER JWT block and a USER NKEY SEED block`,
    );
  }
  let claims: { sub?: unknown; name?: unknown; exp?: unknown; nats?: { type?: unknown } };
  try {
    const payload = jwt.split('.')[1];
    if (jwt.split('.').length !== 3 || payload === undefined)
      throw new Error('not three dot-separated parts');
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch (error) {
    throw new NatsCredentialsError(`${file}: the user JWT cannot be decoded`, { cause: error });
  }
  if (claims.nats?.type !== 'user' || typeof claims.sub !== 'string') {
    throw new NatsCredentialsError(`${file}: the JWT is not a NATS user JWT`);
  }
  let userPublicKey: string;
  try {
    if (!seed.startsWith('SU')) throw new Error('not a user seed');
    const kp = nkeys.fromSeed(new TextEncoder().encode(seed));
    userPublicKey = kp.getPublicKey();
    kp.clear();
  } catch {
    // The cause is left out on purpose: it could carry the seed.
    throw new NatsCredentialsError(`${file}: the USER NKEY SEED block is not a valid user nkey seed`);
  }
  if (userPublicKey !== claims.sub) {
    throw new NatsCredentialsError(`${file}: the seed does not belong to the JWT's user ${claims.sub}`);
  }
  const expiresAt = typeof claims.exp === 'number' ? new Date(claims.exp * 1_000) : undefined;
  if (expiresAt && expiresAt <= now) {
    throw new NatsCredentialsError(`${file}: the credentials expired at ${expiresAt.toISOString()}`);
  }
  return {
    file,
    userPublicKey,
    name: typeof claims.name === 'string' ? claims.name : '',
    ...(expiresAt ? { expiresAt } : {}),
  };
}

/** Reads and checks a `.creds` file (see parseNatsCredentials); `bytes` is its text with LF line ends. */
export async function readNatsCredentials(
  file: string,
): Promise<{ credentials: NatsCredentials; bytes: Uint8Array }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new NatsCredentialsError(
      `cannot read the NATS credentials file ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return { credentials: parseNatsCredentials(text, file), bytes: lf(text) };
}

// nats.js's creds parser expects LF line ends; a file edited on Windows has CRLF.
const lf = (text: string): Uint8Array => new TextEncoder().encode(text.replace(/\r\n/g, '\n'));

/**
 * A nats.js authenticator that signs the server's nonce with the `.creds` file's seed. The file is read again
 * at each (re)connection, so credentials renewed on disk are used without a restart; when it became
 * unreadable or malformed, the last good contents are used (the server then decides).
 */
export function fileCredsAuthenticator(file: string, initial: Uint8Array): Authenticator {
  let good = initial;
  return credsAuthenticator(() => {
    try {
      const text = readFileSync(file, 'utf8');
      parseNatsCredentials(text, file);
      good = lf(text);
    } catch {
      // Keep the last good credentials.
    }
    return good;
  });
}

/** Connection options for `connect()` authenticating with the `.creds` file, checked first. */
export async function natsCredentialsOptions(
  file: string,
): Promise<{ authenticator: Authenticator; credentials: NatsCredentials }> {
  const { credentials, bytes } = await readNatsCredentials(file);
  return { authenticator: fileCredsAuthenticator(file, bytes), credentials };
}
