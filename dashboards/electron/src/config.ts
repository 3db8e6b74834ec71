/**
 * Configuration of the desktop shell, read once at start from the command line and the environment.
 * Pure (no electron import): validated here, used by main.ts.
 *
 *   --appliance-url=<url>   or INOSEC_CONSOLE_URL          the console to load (https; http only on loopback)
 *   --ca-sha256=<hex>       or INOSEC_CONSOLE_CA_SHA256    SHA-256 of the appliance's certificate or CA to pin
 *   INOSEC_CONSOLE_DEVTOOLS=1                              allow developer tools (off otherwise)
 *
 * A flag wins over its environment variable. Every refusal names the flag or variable it came from.
 */

export const APPLIANCE_URL_FLAG = '--appliance-url';
export const CA_SHA256_FLAG = '--ca-sha256';
export const APPLIANCE_URL_ENV = 'INOSEC_CONSOLE_URL';
export const CA_SHA256_ENV = 'INOSEC_CONSOLE_CA_SHA256';
export const DEVTOOLS_ENV = 'INOSEC_CONSOLE_DEVTOOLS';

/** Hosts that may be reached over plain http: the console runs on this machine. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export class ConsoleConfigError extends Error {
  override readonly name = 'ConsoleConfigError';
}

export interface ConsoleConfig {
  /** The URL to load first (normalised, without fragment). */
  readonly url: string;
  /** Its origin (`https://host[:port]`): the only origin the shell navigates to. */
  readonly origin: string;
  /** Lower-case hex SHA-256 (64 digits) of the pinned certificate, if any. */
  readonly pinnedSha256: string | undefined;
  readonly devTools: boolean;
}

export type Environment = Readonly<Record<string, string | undefined>>;

export function parseConsoleConfig(argv: readonly string[], env: Environment): ConsoleConfig {
  const urlInput = flagOrEnv(argv, APPLIANCE_URL_FLAG, env, APPLIANCE_URL_ENV);
  if (urlInput === undefined) {
    throw new ConsoleConfigError(
      `No appliance URL: pass ${APPLIANCE_URL_FLAG}=https://<appliance>:<port> or set ${APPLIANCE_URL_ENV}`,
    );
  }
  const url = parseApplianceUrl(urlInput.value, urlInput.source);

  const pinInput = flagOrEnv(argv, CA_SHA256_FLAG, env, CA_SHA256_ENV);
  const pinnedSha256 = pinInput === undefined ? undefined : parseSha256(pinInput.value, pinInput.source);
  if (pinnedSha256 !== undefined && url.protocol !== 'https:') {
    throw new ConsoleConfigError(
      `${pinInput?.source ?? CA_SHA256_FLAG} pins a TLS certificate, but ${urlInput.source} is not an https URL`,
    );
  }

  return { url: url.href, origin: url.origin, pinnedSha256, devTools: env[DEVTOOLS_ENV] === '1' };
}

/**
 * The appliance URL: http(s) only, https unless the host is loopback, no credentials.
 * `source` names the flag or variable in error messages.
 */
export function parseApplianceUrl(input: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new ConsoleConfigError(`${source} is not an absolute URL: ${JSON.stringify(input)}`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConsoleConfigError(`${source} must be an https URL, got scheme ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConsoleConfigError(`${source} must not carry credentials (user:password@host)`);
  }
  if (url.hostname === '') {
    throw new ConsoleConfigError(`${source} has no host`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConsoleConfigError(
      `${source} must use https: plain http is allowed only for localhost, 127.0.0.1 and [::1] (got ${url.host})`,
    );
  }
  url.hash = '';
  return url;
}

/** `hostname` as the WHATWG URL parser gives it (lower case, IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/**
 * A SHA-256 fingerprint in hex, with or without colons (`openssl x509 -fingerprint -sha256` prints
 * `AB:CD:…`), any case; returned as 64 lower-case hex digits.
 */
export function parseSha256(input: string, source: string): string {
  const trimmed = input.trim();
  const hex = (
    /^([0-9a-f]{2}:){31}[0-9a-f]{2}$/i.test(trimmed) ? trimmed.replaceAll(':', '') : trimmed
  ).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new ConsoleConfigError(
      `${source} must be a SHA-256 fingerprint: 64 hex digits, optionally colon-separated pairs`,
    );
  }
  return hex;
}

interface Input {
  readonly value: string;
  readonly source: string;
}

function flagOrEnv(
  argv: readonly string[],
  flag: string,
  env: Environment,
  variable: string,
): Input | undefined {
  const fromFlag = flagValue(argv, flag);
  if (fromFlag !== undefined) return { value: fromFlag, source: flag };
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv.trim(), source: variable };
  return undefined;
}

/** `--flag=value`; refuses `--flag value` (ambiguous with Chromium's own switches) and repeats. */
function flagValue(argv: readonly string[], flag: string): string | undefined {
  const prefix = `${flag}=`;
  let value: string | undefined;
  for (const arg of argv) {
    if (arg === flag) throw new ConsoleConfigError(`${flag} expects a value: ${flag}=<value>`);
    if (!arg.startsWith(prefix)) continue;
    if (value !== undefined) throw new ConsoleConfigError(`${flag} is given more than once`);
    value = arg.slice(prefix.length);
    if (value.trim() === '') throw new ConsoleConfigError(`${flag} is empty`);
  }
  return value;
}
