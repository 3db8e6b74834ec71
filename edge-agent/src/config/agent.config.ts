import { configFields, parseConfig } from '@inosec/protos';
import { z } from 'zod';

const byteSize = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i;
const units: Record<string, number> = { b: 1, kib: 1_024, mib: 1_048_576, gib: 1_073_741_824 };

/** Configuration of the edge agent, from its environment file (installed by the enrollment command). */
export const agentConfigSchema = z.object({
  INOSEC_COLLECTOR_URL: z
    .url({ protocol: /^(https|grpcs|nats|tls)$/ })
    .describe(
      'the collector endpoint: grpcs://host:port (gRPC over mTLS) or nats://host:4222 / tls://host:4222',
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
  LOG_LEVEL: configFields.logLevel(),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;

export function loadAgentConfig(env?: Readonly<Record<string, string | undefined>>): AgentConfig {
  return parseConfig('edge-agent', agentConfigSchema, env);
}
