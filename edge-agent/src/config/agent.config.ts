import { byteSize, choice, parseEnvConfig, text, url, type ConfigOutput } from './config-fields.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Configuration of the edge agent, from its environment file (installed by the enrollment command): each
 * variable with its expected form, which errors and .env.example quote. Checked by hand-written fields, not
 * zod, to keep zod out of the agent binary (about 2 MiB of resident memory).
 */
export const agentConfigSchema = {
  shape: {
    INOSEC_TRANSPORT: url(
      'the collector endpoint: grpcs://host:50051 (gRPC over mTLS), nats://host:4222 or tls://host:4222 (NATS JetStream); grpc:// is plaintext, for tests on loopback only',
      ['grpc', 'grpcs', 'nats', 'tls'],
    ),
    INOSEC_AGENT_ID: text(
      "the agent id (1-128 of A-Z a-z 0-9 . _ -); default: the subject CN of the agent's certificate",
      { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/ },
    ),
    INOSEC_ENROLL_TOKEN: text(
      'the one-time enrollment token from the console (20-200 URL-safe characters or dots); needed once',
      { pattern: /^[A-Za-z0-9_.-]{20,200}$/ },
    ),
    INOSEC_CONTROL_URL: text(
      "the control plane's agent endpoint, grpcs://host:port (written by `inosec-agent enroll`): heartbeats and signed policies over mTLS; unset: no heartbeats",
      { pattern: /^grpcs:\/\/[^\s/?#@]+\/?$/ },
    ),
    INOSEC_AGENT_STATE_DIR: text(
      'a directory for the agent key, certificate and spool (default /var/lib/inosec-agent)',
      { fallback: '/var/lib/inosec-agent' },
    ),
    INOSEC_AGENT_TLS_CERT: text(
      "a path to the agent's PEM client certificate (default: agent.crt in the state directory)",
    ),
    INOSEC_AGENT_TLS_KEY: text(
      "a path to the agent's PEM private key (default: agent.key in the state directory)",
    ),
    INOSEC_AGENT_TLS_CA: text(
      "a path to the PEM CA bundle of the collector's certificate (default: ca.crt in the state directory)",
    ),
    INOSEC_NATS_CREDS: text(
      'a path to the NATS credentials file (.creds) issued at enrollment, for nats:// and tls:// transports (default: nats.creds in the state directory when present)',
    ),
    INOSEC_AGENT_POLICY_FILE: text(
      'a path to a JSON policy (inosec.v1.Policy: sensors, intervals, batch bounds); default: built-in',
    ),
    INOSEC_SPOOL_MAX_BYTES: byteSize(
      'a size of at least 1MiB such as 512MiB or 2GiB: the disk spool bound; the oldest data is dropped past it (default 1GiB)',
      { min: 1_048_576, fallback: '1GiB' },
    ),
    INOSEC_SPOOL_FSYNC: text(
      'always (each append waits for the disk), never, or an interval such as 1000ms: when spooled events are forced to disk (default 1000ms)',
      { pattern: /^(always|never|\d{1,6}ms)$/, fallback: '1000ms' },
    ),
    INOSEC_TRANSPORT_COMPRESSION: choice(
      'gzip or none: compression of gRPC batches (default gzip)',
      ['gzip', 'none'],
      'gzip',
    ),
    LOG_LEVEL: choice(
      'one of fatal, error, warn, info, debug, trace, silent (default info)',
      LOG_LEVELS,
      'info',
    ),
  },
};

/** The agent's configuration: every variable of agentConfigSchema, with its default applied. */
export type AgentConfig = ConfigOutput<(typeof agentConfigSchema)['shape']>;

/**
 * Reads and checks the agent's configuration (default: process.env). Throws a ConfigError (@inosec/protos)
 * naming every bad variable, its expected form and the value received, secrets hidden.
 */
export function loadAgentConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): AgentConfig {
  return parseEnvConfig('edge-agent', agentConfigSchema, env);
}
