import { type DynamicModule, Global, Module } from '@nestjs/common';
import type pg from 'pg';
import type { Logger } from 'pino';
import { AccessTokens } from './auth/access-tokens.js';
import { PrincipalCache } from './auth/principal-cache.js';
import type { ControlPlaneConfig } from './config/control-plane.config.js';
import { TenantDb } from './database/tenant-db.js';
import { Mailer } from './mail/mailer.js';
import type { ControlPlaneMetrics } from './metrics/metrics.registry.js';
import { SecretBox } from './security/secret-box.js';
import type { ServerContext } from './server-context.js';
import { CONFIG, LOGGER, METRICS, PG_POOL, SCHEMA_VERSION, SERVER_CONTEXT } from './tokens.js';

export interface CoreDependencies {
  pool: pg.Pool;
  metrics: ControlPlaneMetrics;
  schemaVersion: number;
  config: ControlPlaneConfig;
  logger: Logger;
  context: ServerContext;
}

/**
 * The providers every feature module uses, global: the pool and its tenant transactions, the config, the
 * logger, access tokens and the principal cache, the secret box.
 */
@Global()
@Module({})
export class CoreModule {
  static register(deps: CoreDependencies): DynamicModule {
    const providers = [
      { provide: PG_POOL, useValue: deps.pool },
      { provide: METRICS, useValue: deps.metrics },
      { provide: SCHEMA_VERSION, useValue: deps.schemaVersion },
      { provide: CONFIG, useValue: deps.config },
      { provide: LOGGER, useValue: deps.logger },
      { provide: SERVER_CONTEXT, useValue: deps.context },
      { provide: SecretBox, useValue: deps.context.secretBox },
      { provide: TenantDb, useValue: new TenantDb(deps.pool) },
      {
        provide: AccessTokens,
        useValue: new AccessTokens(deps.context.jwtSecret, deps.config.INOSEC_ACCESS_TOKEN_TTL_SECONDS),
      },
      { provide: PrincipalCache, useValue: new PrincipalCache() },
      {
        provide: Mailer,
        useValue: new Mailer(
          {
            ...(deps.config.INOSEC_SMTP_URL ? { smtpUrl: deps.config.INOSEC_SMTP_URL } : {}),
            from: deps.config.INOSEC_MAIL_FROM,
            dataDir: deps.context.dataDir,
          },
          deps.logger.child({ component: 'mail' }),
        ),
      },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
