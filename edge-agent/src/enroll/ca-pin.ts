import { createHash, X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { ControlEndpoint } from '../control/control-url.js';
import { ENROLL_EXIT, EnrollError } from './enroll-errors.js';

/** Errors of the network, as opposed to the TLS handshake: the server is unreachable. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

/**
 * A SHA-256 certificate fingerprint as 64 lower-case hex digits. Accepts the forms tools print: colons or
 * spaces between bytes, upper case, a `sha256:` / `SHA256 Fingerprint=` prefix. Undefined when it is not one.
 */
export function normalizeFingerprint(value: string): string | undefined {
  const hex = value
    .trim()
    .replace(/^(sha-?256( fingerprint)?[:=])/i, '')
    .replace(/[:\s]/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** The SHA-256 fingerprint (64 hex digits) of a DER certificate. */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

function toPem(der: Buffer): string {
  const base64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

function connectFailure(endpoint: ControlEndpoint, error: NodeJS.ErrnoException): EnrollError {
  const where = `${endpoint.host}:${endpoint.port}`;
  if (error.code && NETWORK_ERRORS.has(error.code)) {
    return new EnrollError(
      ENROLL_EXIT.unavailable,
      `cannot reach the control plane at ${where}: ${error.code}`,
      {
        cause: error,
      },
    );
  }
  return new EnrollError(ENROLL_EXIT.untrusted, `the TLS handshake with ${where} failed: ${error.message}`, {
    cause: error,
  });
}

/** Opens a TLS connection, resolves once the handshake is done (the caller ends the socket). */
function handshake(
  endpoint: ControlEndpoint,
  options: tls.ConnectionOptions,
  timeoutMs: number,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: endpoint.host,
      port: endpoint.port,
      ...(endpoint.servername ? { servername: endpoint.servername } : {}),
      ALPNProtocols: ['h2'],
      ...options,
    });
    socket.setTimeout(timeoutMs, () => {
      const error: NodeJS.ErrnoException = new Error(`no TLS handshake within ${timeoutMs} ms`);
      error.code = 'ETIMEDOUT';
      socket.destroy(error);
    });
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => reject(connectFailure(endpoint, error)));
  });
}

/**
 * Trust on first use without blind trust: connects WITHOUT verifying (only to read the certificate chain the
 * server presents), finds the certificate whose SHA-256 fingerprint is `pin`, checks it is a CA, and returns it
 * as PEM. Nothing is sent over this connection: the caller then connects again with that certificate as the
 * only root and full verification. Throws EnrollError(untrusted) when no presented certificate matches (the
 * server must present its root CA in its chain) or the match is not a CA, EnrollError(unavailable) when the
 * server cannot be reached.
 */
export async function fetchPinnedCa(
  endpoint: ControlEndpoint,
  pin: string,
  timeoutMs = 10_000,
): Promise<string> {
  const socket = await handshake(endpoint, { rejectUnauthorized: false }, timeoutMs);
  const presented: Buffer[] = [];
  try {
    let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
    const seen = new Set<string>();
    while (cert?.raw && !seen.has(cert.fingerprint256)) {
      seen.add(cert.fingerprint256);
      presented.push(cert.raw);
      cert = cert.issuerCertificate;
    }
  } finally {
    socket.destroy();
  }
  const match = presented.find((der) => certificateFingerprint(der) === pin);
  const where = `${endpoint.host}:${endpoint.port}`;
  if (!match) {
    throw new EnrollError(
      ENROLL_EXIT.untrusted,
      `refusing ${where}: none of the ${presented.length} certificate(s) it presents has the SHA-256 fingerprint given with --ca-sha256 (a wrong pin, or not the expected server); nothing was sent`,
    );
  }
  const certificate = new X509Certificate(match);
  if (!certificate.ca) {
    throw new EnrollError(
      ENROLL_EXIT.untrusted,
      `refusing ${where}: the certificate matching --ca-sha256 (${certificate.subject.replaceAll('\n', ', ')}) is not a CA certificate; pin the root CA`,
    );
  }
  return toPem(match);
}

/**
 * Connects with `caPem` as the only trust anchor and full verification (chain, validity, the URL's host name
 * or IP address), so a failure is reported precisely before any token is sent. Throws EnrollError(untrusted)
 * or EnrollError(unavailable).
 */
export async function verifyServer(
  endpoint: ControlEndpoint,
  caPem: string,
  timeoutMs = 10_000,
): Promise<void> {
  const socket = await handshake(endpoint, { ca: caPem, rejectUnauthorized: true }, timeoutMs).catch(
    (error: unknown) => {
      if (error instanceof EnrollError && error.exitCode === ENROLL_EXIT.untrusted) {
        throw new EnrollError(
          ENROLL_EXIT.untrusted,
          `the server certificate of ${endpoint.host}:${endpoint.port} does not verify against the pinned CA: ${(error.cause as Error).message}`,
          { cause: error.cause },
        );
      }
      throw error;
    },
  );
  socket.destroy();
}
