import { configFields, parseConfig } from '@inosec/protos';
import { z } from 'zod';

const byteSize = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i;
const units: Record<string, number> = { b: 1, kib: 1_024, mib: 1_048_576, gib: 1_073_741_824 };

/** Configuration of the edge agent, from its environment file (installed by the enrollment command). */
export const agentConfigSchema = z.object({
  INOSEC_TRANSPORT: z
    .url({ protocol: /^(grpc|grpcs|nats|tls)$/ })
    .describe(
      'the collector endpoint: grpcs://host:50051 (gRPC over mTLS), nats://host:4222 or tls://host:4222 (NATS JetStream); grpc:// is plaintext, for tests on loopback only',
    ),
  INOSEC_AGENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/)
    .optional()
    .describe(
      "the agent id (1-128 of A-Z a-z 0-9 . _ -); default: the subject CN of the agent's certificate",
    ),
  INOSEC_ENROLL_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,200}$/)
    .optional()
    .describe('the one-time enrollment token from the console (20-200 URL-safe characters); needed once'),
  INOSEC_AGENT_STATE_DIR: z
    .string()
    .min(1)
    .default('/var/lib/inosec-agent')
    .describe('a directory for the agent key, certificate and spool (default /var/lib/inosec-agent)'),
  INOSEC_AGENT_TLS_CERT: z
    .string()
    .min(1)
    .optional()
    .describe("a path to the agent's PEM client certificate (default: agent.crt in the state directory)"),
  INOSEC_AGENT_TLS_KEY: z
    .string()
    .min(1)
    .optional()
    .describe("a path to the agent's PEM private key (default: agent.key in the state directory)"),
  INOSEC_AGENT_TLS_CA: z
    .string()
    .min(1)
    .optional()
    .describe(
      "a path to the PEM CA bundle of the collector's certificate (default: ca.crt in the state directory)",
    ),
  INOSEC_AGENT_POLICY_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'a path to a JSON policy (inosec.v1.Policy: sensors, intervals, batch bounds); default: built-in',
    ),
  INOSEC_SPOOL_MAX_BYTES: z
    .string()
    .default('1GiB')
    .transform((value, ctx) => {
      const match = byteSize.exec(value.trim());
      const bytes = match ? Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1) : Number.NaN;
      if (!Number.isSafeInteger(bytes) || bytes < 1_048_576) {
        ctx.addIssue({ code: 'custom', message: 'invalid size' });
        return z.NEVER;
      }
      return bytes;
    })
    .describe(
      'a size of at least 1MiB such as 512MiB or 2GiB: the disk spool bound; the oldest data is dropped past it (default 1GiB)',
    ),
  INOSEC_SPOOL_FSYNC: z
    .string()
    .regex(/^(always|never|\d{1,6}ms)$/)
    .default('1000ms')
    .describe(
      'always (each append waits for the disk), never, or an interval such as 1000ms: when spooled events are forced to disk (default 1000ms)',
    ),
  INOSEC_TRANSPORT_COMPRESSION: z
    .enum(['gzip', 'none'])
    .default('gzip')
    .describe('gzip or none: compression of gRPC batches (default gzip)'),
  LOG_LEVEL: configFields.logLevel(),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;

export function loadAgentConfig(env?: Readonly<Record<string, string | undefined>>): AgentConfig {
  return parseConfig('edge-agent', agentConfigSchema, env);
}
