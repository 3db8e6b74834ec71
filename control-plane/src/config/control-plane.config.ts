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
  LOG_LEVEL: configFields.logLevel(),
});

export type ControlPlaneConfig = z.output<typeof controlPlaneConfigSchema>;

export function loadControlPlaneConfig(
  env?: Readonly<Record<string, string | undefined>>,
): ControlPlaneConfig {
  return parseConfig('control-plane', controlPlaneConfigSchema, env);
}
