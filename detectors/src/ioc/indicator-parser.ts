// Turning one indicator as a feed writes it (`1.2.3.4`, `10.0.0.0/8`, `evil[.]com`, `hxxp://x/y`, a hex
// digest), with an optional type from the feed, into a typed indicator ready for an IocSet.
import { domainProblem, extractUrlHost, normaliseDomain, refang } from './domain-name.js';
import { hashAlgorithmOfKey, HASH_HEX_LENGTH, packHash } from './file-hash.js';
import { parseCidr, parseIp, type ParsedCidr } from './ip-address.js';
import type { HashAlgorithm, IocKind } from './ioc-types.js';

const HASH_LENGTHS = new Set(Object.values(HASH_HEX_LENGTH));

/** What a feed says an indicator is; `auto` detects it from the value. */
export type IndicatorHint = IocKind | 'url' | HashAlgorithm | 'auto';

/** A validated indicator in its lookup form. */
export type ParsedIndicator =
  | { readonly kind: 'ip'; readonly version: 4; readonly v4: number }
  | { readonly kind: 'ip'; readonly version: 6; readonly v6: Uint16Array }
  | ({ readonly kind: 'cidr' } & ParsedCidr)
  | { readonly kind: 'domain'; readonly domain: string }
  | { readonly kind: 'hash'; readonly key: string; readonly algorithm: HashAlgorithm };

/** Why a value was refused: `invalid` when malformed, `unsupported` for a kind this matcher lacks. */
export interface IndicatorProblem {
  readonly problem: 'invalid' | 'unsupported';
  readonly reason: string;
}

// Type names used by CSV exports of MISP, OTX, ThreatFox, OpenCTI and hand-made lists.
const HINTS: Readonly<Record<string, IndicatorHint>> = {
  ip: 'ip',
  ipv4: 'ip',
  ipv6: 'ip',
  'ip-src': 'ip',
  'ip-dst': 'ip',
  'ipv4-addr': 'ip',
  'ipv6-addr': 'ip',
  ip_address: 'ip',
  ipaddress: 'ip',
  cidr: 'cidr',
  'ipv4-cidr': 'cidr',
  'ipv6-cidr': 'cidr',
  network: 'cidr',
  netblock: 'cidr',
  subnet: 'cidr',
  'ip-range': 'cidr',
  domain: 'domain',
  'domain-name': 'domain',
  hostname: 'domain',
  host: 'domain',
  fqdn: 'domain',
  url: 'url',
  uri: 'url',
  hash: 'hash',
  filehash: 'hash',
  md5: 'md5',
  'filehash-md5': 'md5',
  sha1: 'sha1',
  'sha-1': 'sha1',
  'filehash-sha1': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  'filehash-sha256': 'sha256',
  sha512: 'sha512',
  'sha-512': 'sha512',
  'filehash-sha512': 'sha512',
  auto: 'auto',
  '': 'auto',
};

/** The hint for a feed's type name (case-insensitive), or undefined for a type not supported. */
export function indicatorHintOf(typeName: string): IndicatorHint | undefined {
  return HINTS[typeName.trim().toLowerCase()];
}

function invalid(reason: string): IndicatorProblem {
  return { problem: 'invalid', reason };
}

/**
 * Parses one indicator. Defanged forms are refanged; a URL gives its host (an IP or a domain); a leading
 * `*.` on a domain is dropped (a domain indicator already covers its subdomains).
 */
export function parseIndicator(
  raw: string,
  hint: IndicatorHint = 'auto',
): ParsedIndicator | IndicatorProblem {
  const text = refang(raw.trim());
  if (text === '') return invalid('empty indicator');
  switch (hint) {
    case 'ip':
      return text.includes('/') ? asCidr(text) : asIp(text);
    case 'cidr':
      return asCidr(text);
    case 'domain':
      return asDomain(text, false);
    case 'url':
      return asUrl(text);
    case 'hash':
      return asHash(text, undefined);
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return asHash(text, hint);
    case 'auto':
      return detect(text);
  }
}

function detect(text: string): ParsedIndicator | IndicatorProblem {
  if (HASH_LENGTHS.has(text.length)) {
    const hash = packHash(text);
    if (hash !== undefined) return { kind: 'hash', key: hash, algorithm: hashAlgorithmOfKey(hash) };
  }
  if (text.includes('://')) return asUrl(text);
  const slash = text.indexOf('/');
  if (slash >= 0) {
    if (parseIp(text.slice(0, slash))) return asCidr(text);
    return asUrl(text);
  }
  const ip = parseIp(text);
  if (ip)
    return ip.version === 4 ? { kind: 'ip', version: 4, v4: ip.v4 } : { kind: 'ip', version: 6, v6: ip.v6 };
  if (!text.includes('.'))
    return invalid(`'${text}' is not an IP, CIDR, domain, URL or md5/sha1/sha256/sha512 hash`);
  return asDomain(text, true);
}

function asIp(text: string): ParsedIndicator | IndicatorProblem {
  const ip = parseIp(text);
  if (!ip) return invalid(`'${text}' is not an IP address`);
  return ip.version === 4 ? { kind: 'ip', version: 4, v4: ip.v4 } : { kind: 'ip', version: 6, v6: ip.v6 };
}

function asCidr(text: string): ParsedIndicator | IndicatorProblem {
  const cidr = parseCidr(text);
  if (typeof cidr === 'string') return invalid(`'${text}' is not a CIDR range: ${cidr}`);
  return { kind: 'cidr', ...cidr };
}

function asDomain(text: string, detected: boolean): ParsedIndicator | IndicatorProblem {
  const bare = text.startsWith('*.') ? text.slice(2) : text;
  const domain = normaliseDomain(bare);
  if (domain === undefined) return invalid(`'${text}' is not a domain name`);
  const problem = domainProblem(domain);
  if (problem !== undefined) {
    return invalid(
      detected ? `'${text}' is not an IP, CIDR, URL, hash or domain (${problem})` : `'${text}': ${problem}`,
    );
  }
  return { kind: 'domain', domain };
}

function asUrl(text: string): ParsedIndicator | IndicatorProblem {
  const host = extractUrlHost(text);
  if (host === undefined) return invalid(`'${text}' has no host`);
  const ip = parseIp(host);
  if (ip)
    return ip.version === 4 ? { kind: 'ip', version: 4, v4: ip.v4 } : { kind: 'ip', version: 6, v6: ip.v6 };
  return asDomain(host, false);
}

function asHash(text: string, algorithm: HashAlgorithm | undefined): ParsedIndicator | IndicatorProblem {
  if (algorithm !== undefined && text.length !== HASH_HEX_LENGTH[algorithm]) {
    return invalid(
      `${algorithm} must have ${HASH_HEX_LENGTH[algorithm]} hex digits, '${text}' has ${text.length}`,
    );
  }
  const key = packHash(text);
  if (key === undefined) return invalid(`'${text}' is not an md5, sha1, sha256 or sha512 hex digest`);
  return { kind: 'hash', key, algorithm: hashAlgorithmOfKey(key) };
}

/** True when the result is a refusal. */
export function isIndicatorProblem(result: ParsedIndicator | IndicatorProblem): result is IndicatorProblem {
  return 'problem' in result;
}
