import { InosecError } from '@inosec/protos';
import {
  createAccount,
  createOperator,
  decode,
  encodeAccount,
  encodeOperator,
  fromSeed,
  type ClaimsData,
  type KeyPair,
  type OperatorLimits,
  type RevocationList,
} from '@nats-io/jwt';
import { z } from 'zod';

/** NATS credentials could not be issued, parsed or rendered (bad key material, bad input). */
export class NatsAuthError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('nats_auth_error', message, options);
  }
}

/**
 * The root of NATS decentralized auth for one InoSec deployment, as nkey seeds:
 * - the operator, which nats-server trusts (its JWT is pinned in the server config) and which signs accounts;
 * - the system account (`$SYS`: server events and the resolver's claim updates);
 * - the telemetry account, the only account agents and collectors live in: the TELEMETRY stream is one
 *   JetStream stream shared by every tenant, tenants are told apart by agent id (the subject), and
 *   per-subject permissions keep agents apart;
 * - the telemetry account's signing key, which signs every user JWT. The account's identity key signs
 *   nothing (the operator signs the account JWT), so a leaked signing key is retired by re-issuing the
 *   account JWT without it, and the account keeps its identity.
 *
 * The operator and system account JWTs are signed once, at creation, and kept: nats-server refuses a config
 * reload whose operator JWT differs (a re-signed one has a new `iat`), and neither ever needs to change.
 *
 * Seeds are secrets: seal them at rest (nats-authority-store.ts) and never log them.
 */
export interface NatsAuthority {
  version: 1;
  operatorName: string;
  operatorSeed: string;
  systemAccountSeed: string;
  accountSeed: string;
  accountSigningSeed: string;
  /** The operator JWT every nats-server of the deployment pins (`operator:`). */
  operatorJwt: string;
  /** The system account's JWT (signed by the operator). */
  systemAccountJwt: string;
  createdAt: string;
}

/** The public half of a NatsAuthority: what a nats-server config and a reader of JWTs need. */
export interface NatsAuthorityPublic {
  operator: string;
  systemAccount: string;
  account: string;
  accountSigningKey: string;
}

/** The account name of the telemetry account in its JWT and the server's logs. */
export const TELEMETRY_ACCOUNT_NAME = 'INOSEC_TELEMETRY';
/** The system account's name. */
export const SYSTEM_ACCOUNT_NAME = 'SYS';

const UNLIMITED_ACCOUNT: OperatorLimits = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};

const seed = (prefix: string) =>
  z.string().regex(new RegExp(`^S${prefix}[A-Z2-7]{56}$`), `an nkey seed starting with S${prefix}`);

const authoritySchema = z.strictObject({
  version: z.literal(1),
  operatorName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  operatorSeed: seed('O'),
  systemAccountSeed: seed('A'),
  accountSeed: seed('A'),
  accountSigningSeed: seed('A'),
  operatorJwt: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  systemAccountJwt: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  createdAt: z.iso.datetime(),
});

const textOf = (kp: KeyPair): string => new TextDecoder().decode(kp.getSeed());

/**
 * Generates a fresh operator, system account, telemetry account and account signing key, and signs the
 * operator and system account JWTs.
 */
export async function createNatsAuthority(operatorName = 'inosec', now = new Date()): Promise<NatsAuthority> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(operatorName)) {
    throw new NatsAuthError('the operator name must be 1-64 of A-Z a-z 0-9 _ -');
  }
  const operator = createOperator();
  const system = createAccount();
  return {
    version: 1,
    operatorName,
    operatorSeed: textOf(operator),
    systemAccountSeed: textOf(system),
    accountSeed: textOf(createAccount()),
    accountSigningSeed: textOf(createAccount()),
    operatorJwt: await encodeOperator(operatorName, operator, { system_account: system.getPublicKey() }),
    systemAccountJwt: await encodeAccount(
      SYSTEM_ACCOUNT_NAME,
      system,
      { limits: UNLIMITED_ACCOUNT },
      { signer: operator },
    ),
    createdAt: now.toISOString(),
  };
}

/** Checks a NatsAuthority read back from storage (shape and every seed's prefix and checksum). */
export function parseNatsAuthority(json: string): NatsAuthority {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new NatsAuthError('the NATS authority is not JSON', { cause: error });
  }
  const parsed = authoritySchema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new NatsAuthError(`the NATS authority is malformed: ${fields}`);
  }
  const authority = parsed.data;
  for (const field of ['operatorSeed', 'systemAccountSeed', 'accountSeed', 'accountSigningSeed'] as const) {
    try {
      keyPair(authority[field]);
    } catch (error) {
      throw new NatsAuthError(`the NATS authority's ${field} is not a valid nkey seed`, { cause: error });
    }
  }
  const keys = authorityPublicKeys(authority);
  for (const [field, subject] of [
    ['operatorJwt', keys.operator],
    ['systemAccountJwt', keys.systemAccount],
  ] as const) {
    let claims: ClaimsData<unknown>;
    try {
      claims = decode(authority[field]);
    } catch (error) {
      throw new NatsAuthError(`the NATS authority's ${field} does not verify`, { cause: error });
    }
    if (claims.sub !== subject || claims.iss !== keys.operator) {
      throw new NatsAuthError(`the NATS authority's ${field} is not the operator's JWT for its key`);
    }
  }
  return authority;
}

/** An nkey pair from its seed text. */
export function keyPair(seedText: string): KeyPair {
  return fromSeed(new TextEncoder().encode(seedText));
}

/** The public keys of an authority. */
export function authorityPublicKeys(authority: NatsAuthority): NatsAuthorityPublic {
  return {
    operator: keyPair(authority.operatorSeed).getPublicKey(),
    systemAccount: keyPair(authority.systemAccountSeed).getPublicKey(),
    account: keyPair(authority.accountSeed).getPublicKey(),
    accountSigningKey: keyPair(authority.accountSigningSeed).getPublicKey(),
  };
}

/** JetStream limits of the telemetry account; -1 is unlimited (the stream's own max_bytes still applies). */
export interface TelemetryAccountLimits {
  /** Bytes of file storage for all the account's streams (default -1). */
  diskBytes?: number;
  /** Bytes of memory storage (default -1). */
  memoryBytes?: number;
  /** Connections at most, agents and collectors together (default -1). */
  connections?: number;
}

/**
 * The telemetry account's JWT, signed by the operator: JetStream enabled, the signing key that issues
 * users, bearer tokens refused (a user must prove it holds its seed), and the revocation list
 * (user public key -> unix seconds: JWTs of that user issued at or before that time are refused).
 */
export async function encodeTelemetryAccountJwt(
  authority: NatsAuthority,
  revocations: RevocationList = {},
  limits: TelemetryAccountLimits = {},
): Promise<string> {
  const keys = authorityPublicKeys(authority);
  return encodeAccount(
    TELEMETRY_ACCOUNT_NAME,
    keyPair(authority.accountSeed),
    {
      limits: {
        ...UNLIMITED_ACCOUNT,
        conn: limits.connections ?? -1,
        disallow_bearer: true,
        disk_storage: limits.diskBytes ?? -1,
        mem_storage: limits.memoryBytes ?? -1,
        streams: -1,
        consumer: -1,
      },
      signing_keys: [keys.accountSigningKey],
      disallow_bearer: true,
      ...(Object.keys(revocations).length > 0 ? { revocations: { ...revocations } } : {}),
    },
    { signer: keyPair(authority.operatorSeed) },
  );
}
