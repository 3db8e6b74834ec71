import {
  createUser,
  decode,
  encodeUser,
  fmtCreds,
  type ClaimsData,
  type KeyPair,
  type Permissions,
  type User,
} from '@nats-io/jwt';
import { NatsAuthError, authorityPublicKeys, keyPair, type NatsAuthority } from './nats-authority.js';

/**
 * Subjects agreed with the collector and the agent (they meet on the wire, not through imports):
 * the collector's TELEMETRY stream takes `telemetry.>` and `alertSubject()` publishes on `inosec.alerts.<tenant>`;
 * an agent sets nats.js's `inboxPrefix` to `_INBOX_<agent-id>` so the JetStream publish acks reach it there.
 */
export const TELEMETRY_SUBJECT_PREFIX = 'telemetry.';
export const ALERT_SUBJECT_PREFIX = 'inosec.alerts.';
export const TELEMETRY_STREAM_NAME = 'TELEMETRY';

/** The inbox prefix an agent's NATS client must use (`inboxPrefix`); its credentials allow no other inbox. */
export function agentInboxPrefix(agentId: string): string {
  return `_INBOX_${agentId}`;
}

/**
 * No credentials live longer than a year (agents renew by re-enrolling, services by re-issuing): a
 * revocation older than that can be pruned from the account JWT (pruneRevocations).
 */
export const MAX_CREDENTIALS_TTL_SECONDS = 365 * 86_400;
/** Agent credentials are valid one year unless told otherwise. */
export const AGENT_CREDENTIALS_TTL_SECONDS = MAX_CREDENTIALS_TTL_SECONDS;
/** Service (collector, control plane) credentials default to one year as well. */
export const SERVICE_CREDENTIALS_TTL_SECONDS = MAX_CREDENTIALS_TTL_SECONDS;

/** An agent id usable as one NATS subject token: no `.`, `*`, `>` or white space. */
const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Issued credentials: the `.creds` file to hand over once, and what to keep to revoke them later. */
export interface IssuedNatsCredentials {
  /** The `.creds` file (user JWT and nkey seed): a secret, delivered once, never stored or logged. */
  creds: string;
  /** The user JWT alone (public: it holds no secret). */
  jwt: string;
  /** The user's public nkey (`U...`): keep it with the agent, revokeUser() takes it. */
  userPublicKey: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** The permissions of an agent's NATS user: publish its own telemetry subject, read its own inbox only. */
export function agentPermissions(agentId: string): Required<Pick<Permissions, 'pub' | 'sub'>> {
  assertAgentId(agentId);
  return {
    pub: { allow: [`${TELEMETRY_SUBJECT_PREFIX}${agentId}`], deny: [] },
    sub: { allow: [`${agentInboxPrefix(agentId)}.>`], deny: [] },
  };
}

/**
 * The permissions of a collector's NATS user: manage and read the TELEMETRY stream through the JetStream
 * API, acknowledge its messages, publish alerts, and receive replies on the default inbox. It may not
 * publish telemetry (it would bypass an agent's identity).
 */
export function collectorPermissions(): Required<Pick<Permissions, 'pub' | 'sub'>> {
  return {
    pub: {
      allow: ['$JS.API.>', `$JS.ACK.${TELEMETRY_STREAM_NAME}.>`, `${ALERT_SUBJECT_PREFIX}>`],
      deny: [`${TELEMETRY_SUBJECT_PREFIX}>`],
    },
    sub: { allow: ['_INBOX.>'], deny: [] },
  };
}

/** The permissions of a control plane replica that follows the alert stream. */
export function alertSubscriberPermissions(): Required<Pick<Permissions, 'pub' | 'sub'>> {
  return { pub: { allow: [], deny: ['>'] }, sub: { allow: [`${ALERT_SUBJECT_PREFIX}>`], deny: [] } };
}

function assertAgentId(agentId: string): void {
  if (!AGENT_ID.test(agentId)) {
    throw new NatsAuthError(
      'an agent id on NATS must be 1-128 of A-Z a-z 0-9 _ - starting with a letter or digit (one subject token)',
    );
  }
}

interface IssueOptions {
  name: string;
  permissions: Required<Pick<Permissions, 'pub' | 'sub'>>;
  ttlSeconds: number;
  tags: string[];
  /** Subscriptions at most (-1: unlimited). */
  maxSubscriptions: number;
  now: Date;
}

async function issue(authority: NatsAuthority, options: IssueOptions): Promise<IssuedNatsCredentials> {
  const { ttlSeconds } = options;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > MAX_CREDENTIALS_TTL_SECONDS) {
    throw new NatsAuthError(
      `credentials must be valid for a whole number of seconds from 60 to ${MAX_CREDENTIALS_TTL_SECONDS}`,
    );
  }
  const user: KeyPair = createUser();
  const issuedAt = new Date(Math.floor(options.now.getTime() / 1_000) * 1_000);
  const exp = issuedAt.getTime() / 1_000 + options.ttlSeconds;
  const claims: Partial<User> = {
    ...options.permissions,
    subs: options.maxSubscriptions,
    data: -1,
    payload: -1,
    bearer_token: false,
    allowed_connection_types: ['STANDARD'],
    tags: options.tags,
  };
  const jwt = await encodeUser(options.name, user, authorityPublicKeys(authority).account, claims, {
    signer: keyPair(authority.accountSigningSeed),
    exp,
  });
  const creds = renderCreds(jwt, user);
  const userPublicKey = user.getPublicKey();
  user.clear();
  return { creds, jwt, userPublicKey, issuedAt, expiresAt: new Date(exp * 1_000) };
}

/**
 * Issues an enrolled agent's NATS credentials: publish only on `telemetry.<agentId>`, subscribe only to its
 * own inbox `_INBOX_<agentId>.>` (the JetStream publish acks), at most 16 subscriptions, standard client
 * connections only, signed by the account signing key, expiring after `ttlSeconds` (default one year).
 * The tenant and agent are recorded as JWT tags for operators; the collector still maps the agent id to
 * its tenant from the database.
 */
export async function issueAgentCredentials(
  authority: NatsAuthority,
  input: { tenantId: string; agentId: string; ttlSeconds?: number; now?: Date },
): Promise<IssuedNatsCredentials> {
  assertAgentId(input.agentId);
  if (!UUID.test(input.tenantId)) throw new NatsAuthError('the tenant id must be a UUID');
  return issue(authority, {
    name: `agent ${input.agentId}`,
    permissions: agentPermissions(input.agentId),
    ttlSeconds: input.ttlSeconds ?? AGENT_CREDENTIALS_TTL_SECONDS,
    tags: [`tenant:${input.tenantId.toLowerCase()}`, `agent:${input.agentId.toLowerCase()}`],
    maxSubscriptions: 16,
    now: input.now ?? new Date(),
  });
}

/** Issues a collector's NATS credentials (see collectorPermissions), for its NATS_CREDS file. */
export async function issueCollectorCredentials(
  authority: NatsAuthority,
  input: { name: string; ttlSeconds?: number; now?: Date },
): Promise<IssuedNatsCredentials> {
  if (!SERVICE_NAME.test(input.name))
    throw new NatsAuthError('a collector name is 1-64 of A-Z a-z 0-9 . _ -');
  return issue(authority, {
    name: `collector ${input.name}`,
    permissions: collectorPermissions(),
    ttlSeconds: input.ttlSeconds ?? SERVICE_CREDENTIALS_TTL_SECONDS,
    tags: ['role:collector'],
    maxSubscriptions: -1,
    now: input.now ?? new Date(),
  });
}

/** Issues credentials for a control plane replica that subscribes to `inosec.alerts.>` and publishes nothing. */
export async function issueAlertSubscriberCredentials(
  authority: NatsAuthority,
  input: { name: string; ttlSeconds?: number; now?: Date },
): Promise<IssuedNatsCredentials> {
  if (!SERVICE_NAME.test(input.name)) throw new NatsAuthError('a service name is 1-64 of A-Z a-z 0-9 . _ -');
  return issue(authority, {
    name: `control-plane ${input.name}`,
    permissions: alertSubscriberPermissions(),
    ttlSeconds: input.ttlSeconds ?? SERVICE_CREDENTIALS_TTL_SECONDS,
    tags: ['role:control-plane'],
    maxSubscriptions: -1,
    now: input.now ?? new Date(),
  });
}

/** Renders a `.creds` file (the format nats.js, nats.go and the nats CLI read) from a user JWT and its key. */
export function renderCreds(jwt: string, user: KeyPair): string {
  return new TextDecoder().decode(fmtCreds(jwt, user));
}

/** A `.creds` file taken apart: the user JWT's verified claims and the seed's public key. */
export interface ParsedCreds {
  jwt: string;
  claims: ClaimsData<User>;
  userPublicKey: string;
}

const CREDS_BLOCK = /-{3,}BEGIN ([A-Z ]+)-{3,}\r?\n\s*([^\r\n]+?)\s*\r?\n\s*-{3,}END \1-{3,}/g;

/**
 * Parses a `.creds` file strictly: one user JWT block whose signature verifies, one user seed block, and the
 * seed's public key equal to the JWT's subject. Throws NatsAuthError with the reason otherwise.
 */
export function parseCreds(text: string): ParsedCreds {
  const blocks = new Map<string, string>();
  for (const match of text.matchAll(CREDS_BLOCK)) {
    const [, label, body] = match;
    if (label === undefined || body === undefined) continue;
    if (blocks.has(label)) throw new NatsAuthError(`the creds file has two ${label} blocks`);
    blocks.set(label, body);
  }
  const jwt = blocks.get('NATS USER JWT');
  const seedText = blocks.get('USER NKEY SEED');
  if (jwt === undefined) throw new NatsAuthError('the creds file has no NATS USER JWT block');
  if (seedText === undefined) throw new NatsAuthError('the creds file has no USER NKEY SEED block');
  let claims: ClaimsData<User>;
  try {
    claims = decode<User>(jwt);
  } catch (error) {
    throw new NatsAuthError('the creds file JWT is not a valid NATS JWT', { cause: error });
  }
  if (claims.nats.type !== 'user') throw new NatsAuthError('the creds file JWT is not a user JWT');
  let userPublicKey: string;
  try {
    if (!seedText.startsWith('SU')) throw new Error('not a user seed');
    const kp = keyPair(seedText);
    userPublicKey = kp.getPublicKey();
    kp.clear();
  } catch (error) {
    throw new NatsAuthError('the creds file seed is not a valid user nkey seed', { cause: error });
  }
  if (userPublicKey !== claims.sub) {
    throw new NatsAuthError("the creds file seed does not belong to the JWT's user");
  }
  return { jwt, claims, userPublicKey };
}
