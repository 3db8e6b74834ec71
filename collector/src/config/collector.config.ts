import { configFields, parseConfig } from '@inosec/protos';
import { z } from 'zod';

/** Configuration of a standalone collector (scale-out); the appliance passes the same keys in-process. */
export const collectorConfigSchema = z.object({
  DATABASE_URL: configFields.postgresUrl(
    "the collector's ingest role, which may only insert telemetry and alerts",
  ),
  NATS_URL: z
    .url({ protocol: /^(nats|tls)$/ })
    .optional()
    .describe(
      'a NATS server URL nats://host:4222 or tls://host:4222; when unset, the in-process bus is used',
    ),
  NATS_CREDS: z
    .string()
    .min(1)
    .optional()
    .describe(
      "a path to the collector's NATS credentials file (.creds) issued by the control plane, for a nats-server in operator mode",
    ),
  INOSEC_GRPC_HOST: configFields.host('127.0.0.1', 'the gRPC ingest server'),
  INOSEC_GRPC_PORT: configFields.port(50051, 'the gRPC ingest server'),
  INOSEC_INGEST_MAX_BATCH_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1_048_576)
    .default(4 * 1_048_576)
    .describe('bytes between 1024 and 67108864: the largest EventBatch accepted (default 4194304)'),
  INOSEC_GRPC_TLS_CERT: z
    .string()
    .min(1)
    .optional()
    .describe("a path to the collector's PEM certificate chain for gRPC mTLS"),
  INOSEC_GRPC_TLS_KEY: z
    .string()
    .min(1)
    .optional()
    .describe("a path to the collector's PEM private key for gRPC mTLS"),
  INOSEC_GRPC_TLS_CA: z
    .string()
    .min(1)
    .optional()
    .describe('a path to the PEM CA bundle agent client certificates must chain to'),
  INOSEC_GRPC_INSECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe(
      'true to serve gRPC without TLS, taking the agent id from a header: only for tests on loopback (default false)',
    ),
  INOSEC_GRPC_REQUIRE_ENROLLED_CERT: z
    .enum(['true', 'false'])
    .optional()
    .describe(
      'true to refuse agents registered without an enrolled certificate (legacy rows) instead of accepting them on chain and CN; unset means false',
    ),
  INOSEC_GRPC_STREAM_WINDOW_BYTES: z.coerce
    .number()
    .int()
    .min(65_535)
    .max(2_147_483_647)
    .default(1_048_576)
    .describe(
      'HTTP/2 receive window per gRPC stream in bytes, 65535-2147483647: what an agent may send before the collector reads it (default 1048576)',
    ),
  INOSEC_COLLECTOR_HTTP_HOST: configFields.host('127.0.0.1', "the collector's /metrics and /healthz"),
  INOSEC_COLLECTOR_HTTP_PORT: configFields.port(9464, "the collector's /metrics and /healthz"),
  INOSEC_TELEMETRY_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(30)
    .describe('days 1-3650: telemetry older than this is dropped (default 30)'),
  INOSEC_COLLECTOR_DB_POOL_MAX: configFields.positiveInt(8, "the collector's PostgreSQL connections"),
  INOSEC_INGEST_MAX_INFLIGHT_BYTES: configFields.positiveInt(
    268_435_456,
    'bytes of received batches in processing at most, over all agents; past it the transports stop reading',
  ),
  INOSEC_COLLECTOR_ENCODE_THREADS: z.coerce
    .number()
    .int()
    .min(0)
    .max(64)
    .default(1)
    .describe(
      'worker threads 0-64 that decode, validate and encode batches; 0 does it on the main thread (default 1)',
    ),
  INOSEC_DETECTION_RULE_DIRS: z
    .string()
    .min(1)
    .optional()
    .describe(
      "rule directories separated by ':' that every tenant's detection loads; 'none' turns detection off (default: the shipped SigmaHQ rules and InoSec's own)",
    ),
  INOSEC_IOC_FEEDS: z
    .string()
    .optional()
    .describe(
      "threat-intelligence feed files (CSV or STIX 2.1 JSON) separated by ':'; a hit raises an alert named after the feed (default: none)",
    ),
  INOSEC_COLLECTOR_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/)
    .optional()
    .describe(
      "this collector's name, under which it saves its correlation state (letters, digits, . _ -; default: the host name)",
    ),
  LOG_LEVEL: configFields.logLevel(),
});

export type CollectorConfig = z.output<typeof collectorConfigSchema>;

export function loadCollectorConfig(env?: Readonly<Record<string, string | undefined>>): CollectorConfig {
  return parseConfig('collector', collectorConfigSchema, env);
}
