import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface PemPair {
  certPath: string;
  keyPath: string;
}

export interface LocalPki {
  caPath: string;
  collector: PemPair;
  agent: PemPair;
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decode(pem)[0] as ArrayBuffer,
    ALGORITHM,
    false,
    ['sign'],
  );
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
}

/**
 * The appliance's own small PKI for the local gRPC hop, so the local agent talks to the in-process collector
 * over mTLS like any other agent: a CA (ECDSA P-256, 10 years), the collector's server certificate for
 * 127.0.0.1/localhost, and the local agent's client certificate (subject CN = its agent id). Created once
 * under <data>/pki; private keys are 0600. Enrollment (a later issue) issues agent certificates from the
 * tenant's CA the same way.
 */
export async function ensureLocalPki(dir: string, agentId: string): Promise<LocalPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(dir, name);
  const pki: LocalPki = {
    caPath: file('ca.crt'),
    collector: { certPath: file('collector.crt'), keyPath: file('collector.key') },
    agent: { certPath: file('local-agent.crt'), keyPath: file('local-agent.key') },
  };
  const now = Date.now();
  let caCert: x509.X509Certificate;
  let caKey: CryptoKey;
  if ((await exists(pki.caPath)) && (await exists(file('ca.key')))) {
    caCert = new x509.X509Certificate(await readFile(pki.caPath, 'utf8'));
    caKey = await importKey(await readFile(file('ca.key'), 'utf8'));
  } else {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: 'CN=InoSec appliance local CA',
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 3_650 * DAY_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    caKey = keys.privateKey;
    await writeFile(file('ca.key'), await exportKey(keys.privateKey), { mode: 0o600 });
    await writeFile(pki.caPath, caCert.toString('pem'), { mode: 0o644 });
  }

  const issue = async (pair: PemPair, subject: string, server: boolean) => {
    if ((await exists(pair.certPath)) && (await exists(pair.keyPath))) {
      const current = new x509.X509Certificate(await readFile(pair.certPath, 'utf8'));
      // Reissued when it names another subject (a renamed agent) or expires within 30 days.
      if (current.subject === subject && current.notAfter.getTime() - now > 30 * DAY_MS) return;
    }
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: caCert.subject,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 825 * DAY_MS),
      signingKey: caKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([
          server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
        ]),
        ...(server
          ? [
              new x509.SubjectAlternativeNameExtension([
                { type: 'ip', value: '127.0.0.1' },
                { type: 'dns', value: 'localhost' },
              ]),
            ]
          : []),
      ],
    });
    await writeFile(pair.keyPath, await exportKey(keys.privateKey), { mode: 0o600 });
    await writeFile(pair.certPath, `${cert.toString('pem')}\n${caCert.toString('pem')}\n`, { mode: 0o644 });
  };
  await issue(pki.collector, 'CN=InoSec appliance collector', true);
  await issue(pki.agent, `CN=${agentId}`, false);
  return pki;
}
