// The key an enrolling agent asks a certificate for: a PKCS#10 request, or a public key with a proof of
// possession (agent_control.proto). Both must verify with the key they carry, and only ECDSA P-256 and Ed25519
// keys are accepted. Nothing else of the request is used: the control plane assigns the subject.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { x509 } from './certificate-authority.js';
import { EnrollmentRefusedError } from './fleet-errors.js';

/** The prefix of what a PublicKeyProof signs, followed by the enrollment token. */
export const ENROLL_PROOF_PREFIX = 'inosec.v1.enroll:';
const MAX_PEM_CHARS = 16_384;

/** An accepted agent key. */
export interface AgentPublicKey {
  key: x509.PublicKey;
  type: 'ecdsa-p256' | 'ed25519';
}

function keyType(spki: ArrayBuffer): { node: KeyObject; type: AgentPublicKey['type'] } {
  let node: KeyObject;
  try {
    node = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new EnrollmentRefusedError('key_request_invalid', 'the public key cannot be read', {
      cause: error,
    });
  }
  if (node.asymmetricKeyType === 'ed25519') return { node, type: 'ed25519' };
  if (node.asymmetricKeyType === 'ec' && node.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { node, type: 'ecdsa-p256' };
  }
  const detail = node.asymmetricKeyDetails?.namedCurve ?? node.asymmetricKeyDetails?.modulusLength;
  throw new EnrollmentRefusedError(
    'key_type_unsupported',
    `the key is ${node.asymmetricKeyType ?? 'unknown'}${detail ? ` (${detail})` : ''}: only ECDSA P-256 and Ed25519 keys are accepted`,
  );
}

/** Parses and verifies a PEM "CERTIFICATE REQUEST"; its subject and extensions are ignored. */
export async function keyFromCsr(pem: string): Promise<AgentPublicKey> {
  if (pem.length > MAX_PEM_CHARS) {
    throw new EnrollmentRefusedError('key_request_invalid', 'the certificate request is too large');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch (error) {
    throw new EnrollmentRefusedError('key_request_invalid', 'csr_pem is not a PEM certificate request', {
      cause: error,
    });
  }
  const { type } = keyType(csr.publicKey.rawData);
  let valid: boolean;
  try {
    valid = await csr.verify();
  } catch (error) {
    throw new EnrollmentRefusedError(
      'key_request_invalid',
      'the certificate request signature cannot be checked',
      {
        cause: error,
      },
    );
  }
  if (!valid) {
    throw new EnrollmentRefusedError(
      'key_request_invalid',
      'the certificate request is not signed by the key it carries',
    );
  }
  return { key: csr.publicKey, type };
}

/** Parses a PEM "PUBLIC KEY" and checks its proof: a signature over ENROLL_PROOF_PREFIX + token. */
export function keyFromProof(publicKeyPem: string, signature: Uint8Array, token: string): AgentPublicKey {
  if (publicKeyPem.length > MAX_PEM_CHARS || signature.length === 0 || signature.length > 512) {
    throw new EnrollmentRefusedError('key_request_invalid', 'the public key or its proof is malformed');
  }
  let key: x509.PublicKey;
  try {
    key = new x509.PublicKey(publicKeyPem);
  } catch (error) {
    throw new EnrollmentRefusedError('key_request_invalid', 'public_key_pem is not a PEM public key', {
      cause: error,
    });
  }
  const { node, type } = keyType(key.rawData);
  const data = Buffer.from(`${ENROLL_PROOF_PREFIX}${token}`, 'utf8');
  let valid: boolean;
  try {
    valid =
      type === 'ed25519'
        ? verify(null, data, node, signature)
        : verify('sha256', data, { key: node, dsaEncoding: 'der' }, signature);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new EnrollmentRefusedError(
      'key_request_invalid',
      'the proof of possession does not verify with the public key',
    );
  }
  return { key, type };
}
