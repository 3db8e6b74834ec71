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
});

export type ApplianceConfig = z.output<typeof applianceConfigSchema>;

export function loadApplianceConfig(env?: Readonly<Record<string, string | undefined>>): ApplianceConfig {
  return parseConfig('appliance', applianceConfigSchema, env);
}
