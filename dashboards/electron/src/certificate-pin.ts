/**
 * Pinning of the appliance's TLS certificate. Appliances serve the console with a certificate from
 * their own self-signed CA, which no OS trusts; the operator pins it with `--ca-sha256=<hex>`.
 *
 * The pin is the SHA-256 of the DER certificate (what `openssl x509 -noout -fingerprint -sha256`
 * prints) and may name either
 *   - the appliance's server certificate itself: trusted as is, like an SSH host key; or
 *   - a CA certificate in the chain the appliance presents: trusted only if each certificate from the
 *     server's up to the pinned one is signed by the next (a server cannot just append the public CA
 *     certificate to a chain of its own), the signers are CAs, and the server certificate names the
 *     appliance's host.
 * Every certificate up to the pinned one must be within its validity period. The pin applies to the
 * console's origin only; any other host keeps Chromium's own verdict.
 *
 * Pure (node:crypto only, no electron import at run time), wired by main.ts to
 * `session.setCertificateVerifyProc` (every request: page, fetch, SSE, WebSocket) and, as a fallback
 * for navigations, to `app.on('certificate-error')`.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { isIP } from 'node:net';

/** The parts of Electron's `Certificate` the pin reads (PEM data and the chain presented). */
export interface PemCertificate {
  readonly data: string;
  readonly issuerCert?: PemCertificate | null | undefined;
}

/** `setCertificateVerifyProc` results: accept, reject, or keep Chromium's verification result. */
export const VERIFY_ACCEPT = 0;
export const VERIFY_REJECT = -2;
export const VERIFY_USE_CHROMIUM = -3;
export type VerifyProcResult = typeof VERIFY_ACCEPT | typeof VERIFY_REJECT | typeof VERIFY_USE_CHROMIUM;

/** The only certificate error a pin may override: an issuer the OS does not know (self-signed CA). */
export const OVERRIDABLE_CERTIFICATE_ERROR = 'net::ERR_CERT_AUTHORITY_INVALID';

/** Longest chain walked from the server certificate towards the pinned one. */
const MAX_CHAIN = 8;

export interface CertificateVerifier {
  /** Lower-case hex SHA-256 pinned, if any. */
  readonly pinnedSha256: string | undefined;
  /**
   * For `app.on('certificate-error')`: true (trust: preventDefault + callback(true)) only with a pin,
   * for a URL on the console's origin, for an unknown-issuer error, when the chain matches the pin.
   */
  trustsCertificateError(url: string, error: string, certificate: PemCertificate, now?: Date): boolean;
  /**
   * For `session.setCertificateVerifyProc`: the console's host is accepted only with the pinned
   * certificate (rejected otherwise, even if publicly trusted: a pin is a pin); other hosts, and
   * every host when nothing is pinned, keep Chromium's verdict.
   */
  verifyProcResult(hostname: string, certificate: PemCertificate, now?: Date): VerifyProcResult;
  /** Whether `certificate`, presented by `hostname`, satisfies the pin (false without a pin). */
  matchesPin(hostname: string, certificate: PemCertificate, now?: Date): boolean;
}

export function certificateVerifier(origin: string, pinnedSha256: string | undefined): CertificateVerifier {
  const consoleUrl = new URL(origin);
  const pin = pinnedSha256?.replaceAll(':', '').toLowerCase();
  if (pin !== undefined && !/^[0-9a-f]{64}$/.test(pin)) {
    throw new TypeError('pinned SHA-256 must be 64 hex digits');
  }
  if (pin !== undefined && consoleUrl.protocol !== 'https:') {
    throw new TypeError(`a certificate pin needs an https origin, got ${consoleUrl.origin}`);
  }
  const consoleOrigin = consoleUrl.origin;
  const consoleHost = bareHost(consoleUrl.hostname);

  const matchesPin = (hostname: string, certificate: PemCertificate, now = new Date()): boolean =>
    pin !== undefined &&
    bareHost(hostname) === consoleHost &&
    chainMatchesPin(certificate, pin, consoleHost, now);

  return {
    pinnedSha256: pin,
    matchesPin,
    trustsCertificateError(url, error, certificate, now) {
      if (pin === undefined || error !== OVERRIDABLE_CERTIFICATE_ERROR) return false;
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return false;
      }
      if (target.origin !== consoleOrigin || target.username !== '' || target.password !== '') return false;
      return matchesPin(target.hostname, certificate, now);
    },
    verifyProcResult(hostname, certificate, now) {
      if (pin === undefined || bareHost(hostname) !== consoleHost) return VERIFY_USE_CHROMIUM;
      return matchesPin(hostname, certificate, now) ? VERIFY_ACCEPT : VERIFY_REJECT;
    },
  };
}

/** Lower-case hex SHA-256 of a PEM certificate's DER encoding. */
export function certificateSha256(pem: string): string {
  return sha256(new X509Certificate(pem));
}

function sha256(certificate: X509Certificate): string {
  return createHash('sha256').update(certificate.raw).digest('hex');
}

function chainMatchesPin(presented: PemCertificate, pin: string, host: string, now: Date): boolean {
  let chain: X509Certificate[];
  try {
    chain = parseChain(presented);
  } catch {
    return false; // unparsable certificate: fail closed
  }
  const pinned = chain.findIndex((certificate) => sha256(certificate) === pin);
  if (pinned < 0) return false;
  for (let i = 0; i <= pinned; i++) {
    if (!withinValidity(chain[i], now)) return false;
  }
  if (pinned === 0) return true;
  for (let i = 0; i < pinned; i++) {
    const subject = chain[i];
    const issuer = chain[i + 1];
    if (subject === undefined || issuer === undefined || !issuer.ca) return false;
    if (!subject.checkIssued(issuer) || !subject.verify(issuer.publicKey)) return false;
  }
  const server = chain[0];
  return server !== undefined && namesHost(server, host);
}

function parseChain(presented: PemCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let current: PemCertificate | null | undefined = presented;
  while (current != null && chain.length < MAX_CHAIN) {
    const certificate = new X509Certificate(current.data);
    const previous = chain.at(-1);
    if (previous !== undefined && previous.raw.equals(certificate.raw)) break; // self-signed: its own issuer
    chain.push(certificate);
    current = current.issuerCert;
  }
  return chain;
}

function withinValidity(certificate: X509Certificate | undefined, now: Date): boolean {
  if (certificate === undefined) return false;
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  if (Number.isNaN(from) || Number.isNaN(to)) return false;
  return from <= now.getTime() && now.getTime() <= to;
}

/** Like Chromium: subjectAltName only (no Common Name fallback), no partial wildcards. */
function namesHost(certificate: X509Certificate, host: string): boolean {
  if (isIP(host) !== 0) return certificate.checkIP(host) !== undefined;
  return certificate.checkHost(host, { subject: 'never', partialWildcards: false }) !== undefined;
}

/** Host name for comparison: lower case, IPv6 without brackets (Chromium gives `::1`, URL `[::1]`). */
function bareHost(hostname: string): string {
  const lower = hostname.toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}
