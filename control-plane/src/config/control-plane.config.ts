import { configFields, parseConfig } from '@inosec/protos';
import { z } from 'zod';

/** Configuration of the control plane's HTTP server, read from the environment once at start. */
export const controlPlaneConfigSchema = z.object({
  INOSEC_HTTP_HOST: configFields.host('127.0.0.1', 'the control plane HTTP server'),
  INOSEC_HTTP_PORT: configFields.port(8080, 'the control plane HTTP server'),
  INOSEC_TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true or false: trust X-Forwarded-* headers from a load balancer (default false)'),
  INOSEC_DB_POOL_MAX: configFields.positiveInt(10, 'maximum PostgreSQL connections of the control plane'),
  INOSEC_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'the URL users reach the console at, for links in mails (default: the URL the server listens on)',
    ),
  INOSEC_JWT_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe(
      'at least 32 characters: the key that signs access tokens (default: generated once into the secrets directory)',
    ),
  INOSEC_DATA_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/_-]{43}=?$/)
    .optional()
    .describe(
      '32 bytes in base64: the key that seals TOTP secrets and tenant CA keys at rest (default: generated once into the secrets directory)',
    ),
  INOSEC_SMTP_URL: z
    .url({ protocol: /^smtps?$/ })
    .optional()
    .describe(
      'smtp://user:password@host:587 or smtps://host:465: where mail goes; unset, mails are written to the outbox directory',
    ),
  INOSEC_MAIL_FROM: z
    .string()
    .min(3)
    .default('InoSec <no-reply@localhost>')
    .describe('the From address of mails (default "InoSec <no-reply@localhost>")'),
  INOSEC_ACCESS_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(900)
    .describe('seconds 60-86400 an access token is valid (default 900)'),
  INOSEC_REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(90 * 86_400)
    .default(14 * 86_400)
    .describe('seconds 300-7776000 a session lasts without use (default 1209600: 14 days)'),
  INOSEC_LOGIN_MAX_FAILURES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe(
      'failed logins 1-100 for one account within the lockout window before it is locked (default 5)',
    ),
  INOSEC_LOGIN_LOCKOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(900)
    .describe('seconds 1-86400: the failure window and how long a locked account stays locked (default 900)'),
  INOSEC_AGENT_CONTROL_HOST: configFields.host('127.0.0.1', "the agents' AgentControl gRPC service"),
  INOSEC_AGENT_CONTROL_PORT: configFields.port(
    50052,
    "the agents' AgentControl gRPC service (0: a free port)",
  ),
  INOSEC_AGENT_CONTROL_URL: z
    .url({ protocol: /^grpcs$/ })
    .optional()
    .describe(
      'grpcs://host:port agents enroll at, shown in install commands (default: grpcs:// and the address the service listens on)',
    ),
  INOSEC_AGENT_CONTROL_TLS_NAMES: z
    .string()
    .regex(/^[A-Za-z0-9.:*-]+(,[A-Za-z0-9.:*-]+)*$/)
    .default('localhost,127.0.0.1')
    .describe(
      "comma-separated DNS names and IP addresses in the AgentControl service's certificate, besides the host of INOSEC_AGENT_CONTROL_URL (default localhost,127.0.0.1)",
    ),
  INOSEC_COLLECTOR_URLS: z
    .string()
    .regex(/^(grpcs|nats|tls):\/\/[^\s,]+(,(grpcs|nats|tls):\/\/[^\s,]+)*$/)
    .default('grpcs://127.0.0.1:50051')
    .describe(
      'comma-separated collector URLs handed to agents at enrollment, grpcs://host:port or nats://host:port (default grpcs://127.0.0.1:50051)',
    ),
  INOSEC_NATS_AUTHORITY_CREATE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe(
      'true or false: generate the NATS operator and account keys into the data directory on first use (default true; false on replicas that must share a mounted one)',
    ),
  INOSEC_NATS_AUTH_CONFIG: z
    .string()
    .regex(/^\/[^"\\\r\n\t\0]*$/, 'an absolute path without quotes, backslashes or control characters')
    .optional()
    .describe(
      'absolute path of the nats-server include file the control plane rewrites with the operator JWT and the telemetry account JWT on each agent revocation (unset: not written)',
    ),
  INOSEC_NATS_PID_FILE: z
    .string()
    .regex(/^\/[^"\\\r\n\t\0]*$/, 'an absolute path without quotes, backslashes or control characters')
    .optional()
    .describe(
      "absolute path of nats-server's pid_file: after rewriting INOSEC_NATS_AUTH_CONFIG the control plane tells that server to reload it (SIGHUP; the server must run on this host as the same user). Unset: reloading is the operator's step",
    ),
  INOSEC_CONSOLE_DIR: z
    .string()
    .regex(/^\/[^\0]*$/, 'an absolute path')
    .optional()
    .describe(
      'absolute path of the built security console served at / (default: dashboards/dist/console of this installation)',
    ),
  LOG_LEVEL: configFields.logLevel(),
});

export type ControlPlaneConfig = z.output<typeof controlPlaneConfigSchema>;

export function loadControlPlaneConfig(
  env?: Readonly<Record<string, string | undefined>>,
): ControlPlaneConfig {
  return parseConfig('control-plane', controlPlaneConfigSchema, env);
}
