// @peculiar/x509 (through tsyringe) needs the Reflect metadata API when it loads: the polyfill comes first.
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** The subject of the request: a placeholder, the control plane assigns the agent id and names the certificate. */
export const CSR_SUBJECT = 'CN=inosec-agent-enrollment';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A key pair generated on the agent and its PKCS#10 certification request. */
export interface AgentKeyRequest {
  /** PEM "PRIVATE KEY" (PKCS#8); never leaves the agent. */
  privateKeyPem: string;
  /** DER SubjectPublicKeyInfo of the public key, to check the issued certificate against. */
  publicKeySpki: Buffer;
  /** PEM "CERTIFICATE REQUEST" signed with the private key. */
  csrPem: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

/**
 * Generates an ECDSA P-256 key pair with WebCrypto and a PKCS#10 request for it (subject CSR_SUBJECT, signed
 * with ECDSA SHA-256). The private key exists only in the returned PEM.
 */
export async function createAgentKeyRequest(): Promise<AgentKeyRequest> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: CSR_SUBJECT, keys, signingAlgorithm: SIGNING },
    webcrypto as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1],
  );
  const [pkcs8, spki] = await Promise.all([
    webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
    webcrypto.subtle.exportKey('spki', keys.publicKey),
  ]);
  return {
    privateKeyPem: pem('PRIVATE KEY', pkcs8),
    publicKeySpki: Buffer.from(spki),
    csrPem: csr.toString('pem'),
  };
}

/** Whether a certificate (PEM, the first of a chain) certifies exactly this public key (DER SPKI). */
export function certificateHasKey(certificatePem: string, publicKeySpki: Buffer): boolean {
  const certificate = new NodeX509Certificate(certificatePem);
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return spki.equals(publicKeySpki);
}
