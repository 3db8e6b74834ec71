import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  decodePolicy,
  InosecError,
  ProtoDecodeError,
  type IPolicySigningKey,
  type Policy,
} from '@inosec/protos';

/** Why a signed policy was refused. */
export type PolicyRejectReason =
  'missing' | 'unknown_key' | 'bad_signature' | 'malformed' | 'wrong_agent' | 'rollback' | 'expired';

/** A SignedPolicy the agent refuses: the previous policy keeps running. */
export class PolicyRejectedError extends InosecError {
  constructor(
    readonly reason: PolicyRejectReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`policy_${reason}`, message, options);
  }
}

/** A SignedPolicy as it crosses the wire: the exact policy bytes, their signature and the signing key's id. */
export interface SignedPolicyBytes {
  policy?: Uint8Array | null;
  signature?: Uint8Array | null;
  keyId?: string | null;
}

/** What the agent checks a policy against. */
export interface PolicyExpectation {
  agentId: string;
  /** The version running now: a lower one is a rollback and refused. Omit to skip (loading a stored policy). */
  currentVersion?: number;
  /** Microseconds since the Unix epoch; omit to skip the expiry check (loading a stored policy). */
  nowUnixUs?: number;
}

const ED25519_SIGNATURE_BYTES = 64;
const MAX_POLICY_BYTES = 1024 * 1024;

/** The Ed25519 keys that sign this tenant's policies, by key id. */
export class PolicyKeyring {
  private readonly keys = new Map<string, KeyObject>();

  /** Throws PolicyRejectedError('unknown_key') naming a key that is not an Ed25519 public key. */
  constructor(keys: readonly IPolicySigningKey[]) {
    for (const entry of keys) {
      const id = entry.keyId ?? '';
      let key: KeyObject;
      try {
        key = createPublicKey(entry.publicKeyPem ?? '');
      } catch (error) {
        throw new PolicyRejectedError('unknown_key', `policy signing key ${id} is not a PEM public key`, {
          cause: error,
        });
      }
      if (key.asymmetricKeyType !== 'ed25519') {
        throw new PolicyRejectedError(
          'unknown_key',
          `policy signing key ${id} is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`,
        );
      }
      if (id) this.keys.set(id, key);
    }
  }

  get size(): number {
    return this.keys.size;
  }

  get(keyId: string): KeyObject | undefined {
    return this.keys.get(keyId);
  }
}

/**
 * Verifies a SignedPolicy as agent_control.proto prescribes and returns the decoded Policy: the Ed25519
 * signature over the exact `policy` bytes with the key named by key_id (before decoding anything), then the
 * policy's agent id (must be ours), its version (not lower than the running one: no rollback) and its expiry.
 * Throws PolicyRejectedError with the reason otherwise.
 */
export function verifySignedPolicy(
  signed: SignedPolicyBytes | null | undefined,
  keyring: PolicyKeyring,
  expect: PolicyExpectation,
): Policy {
  const bytes = signed?.policy;
  if (!signed || !bytes || bytes.byteLength === 0) {
    throw new PolicyRejectedError('missing', 'the control plane sent no policy');
  }
  if (bytes.byteLength > MAX_POLICY_BYTES) {
    throw new PolicyRejectedError(
      'malformed',
      `the policy is ${bytes.byteLength} bytes, over ${MAX_POLICY_BYTES}`,
    );
  }
  const keyId = signed.keyId ?? '';
  const key = keyring.get(keyId);
  if (!key) {
    throw new PolicyRejectedError(
      'unknown_key',
      `the policy is signed with key "${keyId}", which this agent does not know`,
    );
  }
  const signature = signed.signature ?? new Uint8Array();
  if (signature.byteLength !== ED25519_SIGNATURE_BYTES || !verify(null, bytes, key, signature)) {
    throw new PolicyRejectedError(
      'bad_signature',
      `the policy's signature does not verify with key "${keyId}"`,
    );
  }
  let policy: Policy;
  try {
    policy = decodePolicy(bytes, { maxBytes: MAX_POLICY_BYTES });
  } catch (error) {
    const detail = error instanceof ProtoDecodeError ? error.message : String(error);
    throw new PolicyRejectedError('malformed', `the signed policy does not decode: ${detail}`, {
      cause: error,
    });
  }
  if (policy.agentId !== expect.agentId) {
    throw new PolicyRejectedError(
      'wrong_agent',
      `the policy is for agent "${policy.agentId}", not this agent (${expect.agentId})`,
    );
  }
  const version = Number(policy.version);
  if (expect.currentVersion !== undefined && version < expect.currentVersion) {
    throw new PolicyRejectedError(
      'rollback',
      `the policy's version ${version} is lower than the running version ${expect.currentVersion}`,
    );
  }
  const expires = Number(policy.expiresUnixUs);
  if (expect.nowUnixUs !== undefined && expires > 0 && expires <= expect.nowUnixUs) {
    throw new PolicyRejectedError(
      'expired',
      `the policy version ${version} expired at ${new Date(expires / 1000).toISOString()}`,
    );
  }
  return policy;
}
