/**
 * Test fixture (excluded from the build): real X.509 certificates made with openssl at test time, as
 * an appliance would present them: a self-signed CA and a server certificate it signed, a
 * self-signed server certificate, and an attacker's look-alikes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { certificateSha256, type PemCertificate } from './certificate-pin.js';

export const APPLIANCE_HOST = 'appliance.example';

export interface CertificateFixture {
  /** The appliance's self-signed CA. */
  readonly ca: string;
  /** Server certificate for appliance.example and 127.0.0.1, signed by `ca`. */
  readonly server: string;
  /** Server certificate for other.example, signed by `ca`. */
  readonly otherHost: string;
  /** Self-signed server certificate for appliance.example (pinned directly). */
  readonly selfSigned: string;
  /** An attacker's CA and its certificate for appliance.example (same names, other keys). */
  readonly rogueCa: string;
  readonly rogueServer: string;
  /** appliance.example certificate signed with `server`'s key, which is not a CA. */
  readonly signedByLeaf: string;
  readonly sha256: Readonly<Record<'ca' | 'server' | 'selfSigned' | 'rogueCa' | 'rogueServer', string>>;
}

export function makeCertificates(): CertificateFixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'inosec-electron-certs-'));
  const file = (name: string): string => path.join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  const selfSignedCa = (name: string, cn: string): void =>
    openssl(
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.pem`),
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );

  const signed = (name: string, issuer: string, san: string): void => {
    openssl(
      'req',
      '-new',
      ...ecKey,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      '/CN=console',
    );
    writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\nsubjectAltName=${san}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${issuer}.pem`),
      '-CAkey',
      file(`${issuer}.key`),
      '-set_serial',
      String(Date.now()),
      '-days',
      '365',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    );
  };

  try {
    selfSignedCa('ca', 'InoSec Appliance CA');
    selfSignedCa('rogueCa', 'InoSec Appliance CA');
    signed('server', 'ca', `DNS:${APPLIANCE_HOST},IP:127.0.0.1`);
    signed('otherHost', 'ca', 'DNS:other.example');
    signed('rogueServer', 'rogueCa', `DNS:${APPLIANCE_HOST},IP:127.0.0.1`);
    signed('signedByLeaf', 'server', `DNS:${APPLIANCE_HOST}`);
    openssl(
      'req',
      '-x509',
      ...ecKey,
      '-keyout',
      file('selfSigned.key'),
      '-out',
      file('selfSigned.pem'),
      '-days',
      '365',
      '-subj',
      `/CN=${APPLIANCE_HOST}`,
      '-addext',
      `subjectAltName=DNS:${APPLIANCE_HOST}`,
    );

    const pem = (name: string): string => readFileSync(file(`${name}.pem`), 'utf8');
    const ca = pem('ca');
    const server = pem('server');
    const selfSigned = pem('selfSigned');
    const rogueCa = pem('rogueCa');
    const rogueServer = pem('rogueServer');
    return {
      ca,
      server,
      otherHost: pem('otherHost'),
      selfSigned,
      rogueCa,
      rogueServer,
      signedByLeaf: pem('signedByLeaf'),
      sha256: {
        ca: certificateSha256(ca),
        server: certificateSha256(server),
        selfSigned: certificateSha256(selfSigned),
        rogueCa: certificateSha256(rogueCa),
        rogueServer: certificateSha256(rogueServer),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The chain as Electron's `Certificate` presents it: the server's first, `issuerCert` upwards. */
export function chain(...pems: string[]): PemCertificate {
  const [first, ...rest] = pems;
  if (first === undefined) throw new TypeError('empty chain');
  return { data: first, issuerCert: rest.length === 0 ? undefined : chain(...rest) };
}
