import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  decodeSignedPolicy,
  inosec,
  InosecError,
  SignedPolicy,
  type IPolicySigningKey,
  type Policy,
} from '@inosec/protos';
import { writeFileAtomic } from './atomic-file.js';
import { PolicyKeyring, verifySignedPolicy, type SignedPolicyBytes } from './policy-verifier.js';

/** The Ed25519 keys that sign this tenant's policies (PolicySigningKey list, JSON), written at enrollment. */
export const POLICY_KEYS_FILE = 'policy-keys.json';
/** The SignedPolicy the agent runs, exactly as received (protobuf): verified again at every start. */
export const SIGNED_POLICY_FILE = 'policy.signed';
/** The same policy as JSON (the form INOSEC_AGENT_POLICY_FILE reads), for operators and `inosec-agent status`. */
export const POLICY_JSON_FILE = 'policy.json';

/** A policy file in the state directory that cannot be read or is not what it should be. */
export class PolicyStoreError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('policy_store_invalid', message, options);
  }
}

/** Writes the policy signing keys received at enrollment. */
export async function writePolicyKeys(stateDir: string, keys: readonly IPolicySigningKey[]): Promise<void> {
  const list = keys.map((key) => ({ keyId: key.keyId ?? '', publicKeyPem: key.publicKeyPem ?? '' }));
  await writeFileAtomic(path.join(stateDir, POLICY_KEYS_FILE), `${JSON.stringify(list, null, 2)}\n`, 0o600);
}

/** Reads the policy signing keys; throws PolicyStoreError when the file is missing or invalid. */
export async function readPolicyKeys(stateDir: string): Promise<PolicyKeyring> {
  const file = path.join(stateDir, POLICY_KEYS_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new PolicyStoreError(`cannot read the policy signing keys ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (
    !Array.isArray(json) ||
    !json.every(
      (entry: unknown) =>
        typeof entry === 'object' &&
        entry !== null &&
        typeof (entry as IPolicySigningKey).keyId === 'string' &&
        typeof (entry as IPolicySigningKey).publicKeyPem === 'string',
    )
  ) {
    throw new PolicyStoreError(`${file} must be a JSON list of { keyId, publicKeyPem }`);
  }
  try {
    return new PolicyKeyring(json as IPolicySigningKey[]);
  } catch (error) {
    throw new PolicyStoreError(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The policy as JSON in the form `loadPolicyFile` reads (proto3 JSON names, enum names as strings), with every
 * sensor listed: a sensor the signed policy does not list is off, and loadPolicyFile would otherwise fill it in
 * from the built-in default.
 */
export function policyToJson(policy: Policy): Record<string, unknown> {
  const object = inosec.v1.Policy.toObject(policy, { enums: String, longs: Number, defaults: false });
  const listed = new Set<number>(policy.sensors.map((sensor) => sensor.sensor ?? 0));
  const off = Object.values(inosec.v1.Sensor)
    .filter((value): value is number => typeof value === 'number')
    .filter((value) => value !== 0 && !listed.has(value))
    .map((value) => ({ sensor: inosec.v1.Sensor[value], enabled: false }));
  return { ...object, sensors: [...((object.sensors as unknown[] | undefined) ?? []), ...off] };
}

/** Persists a verified policy: the signed bytes (authoritative) and the JSON view, each atomically. */
export async function persistPolicy(
  stateDir: string,
  signed: SignedPolicyBytes,
  policy: Policy,
): Promise<void> {
  const bytes = SignedPolicy.encode({
    policy: signed.policy ?? new Uint8Array(),
    signature: signed.signature ?? new Uint8Array(),
    keyId: signed.keyId ?? '',
  }).finish();
  await writeFileAtomic(path.join(stateDir, SIGNED_POLICY_FILE), bytes, 0o600);
  await writeFileAtomic(
    path.join(stateDir, POLICY_JSON_FILE),
    `${JSON.stringify(policyToJson(policy), null, 2)}\n`,
    0o600,
  );
}

/**
 * The policy the control plane last sent this agent, verified again (signature and agent id; not expiry nor
 * version: it is the one the agent accepted). Undefined when none was received yet; throws PolicyStoreError
 * or PolicyRejectedError when the stored one does not verify (the caller falls back and the control plane
 * sends it again).
 */
export async function loadStoredPolicy(stateDir: string, agentId: string): Promise<Policy | undefined> {
  const file = path.join(stateDir, SIGNED_POLICY_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PolicyStoreError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let signed: SignedPolicy;
  try {
    signed = decodeSignedPolicy(bytes);
  } catch (error) {
    throw new PolicyStoreError(`${file} is not a SignedPolicy: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return verifySignedPolicy(signed, await readPolicyKeys(stateDir), { agentId });
}
