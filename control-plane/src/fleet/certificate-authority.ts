// X.509 building blocks of the fleet PKI (@peculiar/x509 on Node's WebCrypto): CA certificates, agent client
// certificates, server certificates, and fingerprints. No storage here: fleet-pki.service.ts keeps the keys.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Every CA of the platform signs with ECDSA P-256 / SHA-256. */
export const CA_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Backdating against small clock differences between the control plane and agents. */
const BACKDATE_MS = 5 * 60_000;

/** A CA: its certificate and private key. */
export interface CaKeyPair {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

/** A 128-bit positive serial number (hex). */
export function randomSerial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
}

/** SHA-256 of a certificate's DER encoding. */
export function certificateSha256(cert: x509.X509Certificate): Buffer {
  return createHash('sha256').update(Buffer.from(cert.rawData)).digest();
}

export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function importCaKey(pkcs8Pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pkcs8Pem)[0];
  if (der === undefined) throw new Error('not a PEM private key');
  return webcrypto.subtle.importKey('pkcs8', der, CA_ALGORITHM, false, ['sign']);
}

/** Creates the self-signed platform root CA (path length 1: it signs tenant CAs, which sign leaves). */
export async function createRootCa(commonName: string, days: number): Promise<CaKeyPair> {
  const keys = await webcrypto.subtle.generateKey(CA_ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${commonName}, O=InoSec`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + days * DAY_MS),
    keys,
    signingAlgorithm: CA_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey };
}

/** Creates a tenant's intermediate CA under the root (path length 0: it signs agent certificates only). */
export async function createTenantCa(root: CaKeyPair, tenantId: string, days: number): Promise<CaKeyPair> {
  const keys = await webcrypto.subtle.generateKey(CA_ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const notAfter = Math.min(now + days * DAY_MS, root.cert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=InoSec tenant CA ${tenantId}, O=InoSec`,
    issuer: root.cert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingKey: root.key,
    publicKey: keys.publicKey,
    signingAlgorithm: CA_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.cert.publicKey),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `urn:inosec:tenant:${tenantId}` }]),
    ],
  });
  return { cert, key: keys.privateKey };
}

/** The URI SANs an agent certificate carries: collectors read tenant and agent from them. */
export function agentUris(tenantId: string, agentId: string): { tenant: string; agent: string } {
  return { tenant: `urn:inosec:tenant:${tenantId}`, agent: `urn:inosec:agent:${agentId}` };
}

/**
 * Issues an agent's client certificate: subject CN = the agent id (assigned by the control plane, never taken
 * from the request), URI SANs for tenant and agent, clientAuth only.
 */
export async function issueAgentCertificate(params: {
  ca: CaKeyPair;
  publicKey: x509.PublicKey;
  tenantId: string;
  agentId: string;
  days: number;
}): Promise<x509.X509Certificate> {
  const now = Date.now();
  const notAfter = Math.min(now + params.days * DAY_MS, params.ca.cert.notAfter.getTime());
  const uris = agentUris(params.tenantId, params.agentId);
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [params.agentId] }, { O: ['InoSec agent'] }],
    issuer: params.ca.cert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingKey: params.ca.key,
    publicKey: params.publicKey,
    signingAlgorithm: CA_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: uris.tenant },
        { type: 'url', value: uris.agent },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(params.ca.cert.publicKey),
    ],
  });
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** A server certificate and its fresh key, PEM: `certChainPem` is the leaf followed by the issuing CA. */
export interface ServerTls {
  certChainPem: string;
  keyPem: string;
  notAfter: Date;
}

/** Issues a server certificate (serverAuth) for DNS names and IP addresses, with a new P-256 key. */
export async function issueServerCertificate(params: {
  ca: CaKeyPair;
  commonName: string;
  names: readonly string[];
  days: number;
}): Promise<ServerTls> {
  const keys = await webcrypto.subtle.generateKey(CA_ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const names = [...new Set(params.names)].map((name): x509.JsonGeneralName =>
    IPV4.test(name) || name.includes(':') ? { type: 'ip', value: name } : { type: 'dns', value: name },
  );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${params.commonName}, O=InoSec`,
    issuer: params.ca.cert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + params.days * DAY_MS, params.ca.cert.notAfter.getTime())),
    signingKey: params.ca.key,
    publicKey: keys.publicKey,
    signingAlgorithm: CA_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(params.ca.cert.publicKey),
    ],
  });
  return {
    certChainPem: `${cert.toString('pem')}\n${params.ca.cert.toString('pem')}\n`,
    keyPem: await exportPrivateKeyPem(keys.privateKey),
    notAfter: cert.notAfter,
  };
}

export { x509 };
