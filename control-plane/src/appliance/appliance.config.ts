import { configFields, parseConfig } from '@inosec/protos';
import { z } from 'zod';

/** Configuration of the appliance supervisor (the one-machine deployment started by `npm start`). */
export const applianceConfigSchema = z.object({
  DATABASE_URL: configFields
    .postgresUrl(
      'a role that may run migrations and create roles; when set, no embedded PostgreSQL is started',
    )
    .optional(),
  INOSEC_DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .describe(
      'a directory path for the appliance state: PostgreSQL cluster, secrets, spool (default ./data)',
    ),
  INOSEC_PG_PORT: configFields.port(54320, 'the embedded PostgreSQL (listens on 127.0.0.1 only)'),
  INOSEC_SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(600_000)
    .default(30_000)
    .describe(
      'milliseconds between 1000 and 600000 each component gets to stop before it is killed (default 30000)',
    ),
  INOSEC_ADMIN_EMAIL: z
    .email()
    .default('admin@localhost.localdomain')
    .describe(
      "the appliance administrator's email, the sign-in name created at first start (default admin@localhost.localdomain)",
    ),
  INOSEC_LOCAL_AGENT: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe('true or false: run the local agent watching this host (default true)'),
  INOSEC_LOCAL_AGENT_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('warn')
    .describe(
      'one of fatal, error, warn, info, debug, trace, silent: the local agent log level (default warn)',
    ),
});

export type ApplianceConfig = z.output<typeof applianceConfigSchema>;

export function loadApplianceConfig(env?: Readonly<Record<string, string | undefined>>): ApplianceConfig {
  return parseConfig('appliance', applianceConfigSchema, env);
}
