import { InosecError } from '@inosec/protos';
import { isIP } from 'node:net';

/** A control-plane URL that is not `grpcs://host[:port]`. */
export class ControlUrlError extends InosecError {
  constructor(message: string) {
    super('control_url_invalid', message);
  }
}

/** Where the control plane's AgentControl service listens. */
export interface ControlEndpoint {
  /** The URL as given, normalised: `grpcs://host:port`. */
  url: string;
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** `host:port` for grpc-js (IPv6 in brackets). */
  target: string;
  /** The TLS SNI name: the host when it is a name, undefined for an IP address (SNI carries names only). */
  servername: string | undefined;
}

const DEFAULT_PORT = 443;

/**
 * Parses `grpcs://host[:port]` (port 443 when absent). Only TLS is accepted: the control plane hands out
 * certificates and policies, so a plaintext URL is refused rather than silently downgraded.
 */
export function parseControlUrl(value: string): ControlEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(value.trim());
  } catch {
    throw new ControlUrlError(`${value} is not a URL: expected grpcs://host:port`);
  }
  if (parsed.protocol !== 'grpcs:') {
    throw new ControlUrlError(`${value} must use grpcs:// (gRPC over TLS), not ${parsed.protocol}//`);
  }
  if (parsed.hostname === '') throw new ControlUrlError(`${value} has no host`);
  if (parsed.username || parsed.password || (parsed.pathname && parsed.pathname !== '/') || parsed.search) {
    throw new ControlUrlError(`${value} must be grpcs://host:port only (no user, path or query)`);
  }
  const port = parsed.port === '' ? DEFAULT_PORT : Number(parsed.port);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  return {
    url: `grpcs://${bracketed}:${port}`,
    host,
    port,
    target: `${bracketed}:${port}`,
    servername: isIP(host) === 0 ? host : undefined,
  };
}
