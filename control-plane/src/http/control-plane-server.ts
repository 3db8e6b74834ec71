import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { AppModule } from '../app.module.js';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { NestPinoLogger } from '../logging/logger.js';
import type { ControlPlaneMetrics } from '../metrics/metrics.registry.js';
import type { ServerContext } from '../server-context.js';
import {
  CONSOLE_CACHE_CONTROL,
  CONSOLE_CSP,
  consoleResponseKind,
  defaultConsoleDir,
  registerConsole,
} from './console-static.js';
import { ProblemFilter } from './problem.filter.js';

export interface ControlPlaneServerOptions {
  config: ControlPlaneConfig;
  pool: pg.Pool;
  metrics: ControlPlaneMetrics;
  logger: Logger;
  schemaVersion: number;
  context: ServerContext;
}

export interface ControlPlaneServer {
  /** The base URL the server listens on. */
  url: string;
  /** The Nest application: tests and the appliance reach providers through it (app.get(Service)). */
  app: NestFastifyApplication;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
/** The API's (and every non-console response's) Content-Security-Policy: it serves no pages. */
const API_CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** A client-supplied X-Request-Id is kept when it is well-formed, so one id follows a call across services. */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Builds the NestJS application on Fastify and starts listening. */
export async function startControlPlaneServer(
  options: ControlPlaneServerOptions,
): Promise<ControlPlaneServer> {
  const { config, logger, metrics } = options;
  const httpLogger = logger.child({ component: 'http' });
  const adapter = new FastifyAdapter({
    loggerInstance: httpLogger,
    // One line per request comes from the onResponse hook below (probes at debug level).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    trustProxy: config.INOSEC_TRUST_PROXY,
    bodyLimit: 1_048_576,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({
      pool: options.pool,
      metrics,
      schemaVersion: options.schemaVersion,
      config,
      logger,
      context: options.context,
    }),
    adapter,
    { logger: new NestPinoLogger(logger.child({ component: 'nest' })), abortOnError: false },
  );
  app.useGlobalFilters(new ProblemFilter(httpLogger));

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    // A console file or page: errors on the way (a file gone between check and send) are not console pages.
    const kind = reply.statusCode < 400 ? consoleResponseKind(request) : undefined;
    void reply
      .header('X-Request-Id', request.id)
      .header('X-Content-Type-Options', 'nosniff')
      .header('X-Frame-Options', 'DENY')
      .header('Referrer-Policy', 'no-referrer')
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .header('Cross-Origin-Opener-Policy', 'same-origin')
      .header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()')
      .header('Content-Security-Policy', kind ? CONSOLE_CSP : API_CSP);
    if (kind) {
      void reply.header('Cache-Control', CONSOLE_CACHE_CONTROL[kind]);
    } else if (request.url.startsWith('/api/') && !reply.hasHeader('Cache-Control')) {
      void reply.header('Cache-Control', 'no-store');
    }
    if (request.protocol === 'https') {
      void reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    }
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, seconds);
    const line = {
      method: request.method,
      // A stream's access token may travel in the query (EventSource cannot set headers): never log it.
      url: request.url.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]'),
      status: reply.statusCode,
      ms: reply.elapsedTime,
    };
    if (PROBES.has(route)) request.log.debug(line, 'request');
    else request.log.info(line, 'request');
  });
  // The console on the same origin: GET and HEAD of any path no API route has.
  await registerConsole(fastify, config.INOSEC_CONSOLE_DIR ?? defaultConsoleDir(), httpLogger);

  await app.listen(config.INOSEC_HTTP_PORT, config.INOSEC_HTTP_HOST);
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    app,
    close: () => app.close(),
  };
}
