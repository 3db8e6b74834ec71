import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import {
  RuleValidationError,
  TenantRuleInputError,
  TenantRuleLimitError,
  TenantRuleNotFoundError,
} from '../rules/tenant-rule-errors.js';
import { ProblemError } from './problems.js';

/** An RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** A stable machine-readable reason, e.g. `forbidden`, `invalid_request`, `refresh_token_reused`. */
  code?: string;
  requestId?: string;
  errors?: unknown;
}

/** Domain errors of libraries that are not ProblemErrors, and the status each maps to. */
const DOMAIN_STATUS: ReadonlyArray<[new (...args: never[]) => Error, number]> = [
  [RuleValidationError, 422],
  [TenantRuleInputError, 400],
  [TenantRuleNotFoundError, 404],
  [TenantRuleLimitError, 409],
];

/**
 * The HTTP boundary's single error mapping: every exception leaves as `application/problem+json`.
 * ProblemErrors keep their status, code and headers; Nest's HttpExceptions (unknown routes, bad JSON) their
 * status and message; anything else is a 500 whose detail is withheld from the client and logged with the
 * request id.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.toProblem(exception, request);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, reqId: request.id, url: request.url }, 'request failed');
    } else if (problem.status === 401 || problem.status === 403) {
      this.logger.info(
        { reqId: request.id, url: request.url, status: problem.status, code: problem.code },
        problem.detail ?? 'refused',
      );
    }
    if (exception instanceof ProblemError) {
      for (const [name, value] of Object.entries(exception.extra.headers ?? {}))
        void reply.header(name, value);
    }
    void reply.status(problem.status).header('Content-Type', 'application/problem+json').send(problem);
  }

  private toProblem(exception: unknown, request: FastifyRequest): Problem {
    const base = { instance: request.url.split('?')[0], requestId: request.id };
    if (exception instanceof ProblemError) {
      const problem: Problem = {
        type: `urn:inosec:problem:${exception.code}`,
        title: STATUS_CODES[exception.status] ?? 'Error',
        status: exception.status,
        detail: exception.message,
        code: exception.code,
        ...base,
      };
      if (exception.extra.errors && exception.extra.errors.length > 0)
        problem.errors = exception.extra.errors;
      return problem;
    }
    for (const [type, status] of DOMAIN_STATUS) {
      if (exception instanceof type) {
        const code = (exception as { code?: string }).code ?? 'error';
        const problem: Problem = {
          type: `urn:inosec:problem:${code}`,
          title: STATUS_CODES[status] ?? 'Error',
          status,
          detail: exception.message,
          code,
          ...base,
        };
        const errors = (exception as { errors?: unknown }).errors;
        if (errors !== undefined) problem.errors = errors;
        return problem;
      }
    }
    if (exception instanceof Error && exception.message === 'timeout exceeded when trying to connect') {
      // pg's pool had no free connection in time: overloaded, not broken; the client may retry.
      return {
        type: 'urn:inosec:problem:overloaded',
        title: STATUS_CODES[503] ?? 'Service Unavailable',
        status: 503,
        detail: 'the server is busy; retry shortly',
        code: 'overloaded',
        ...base,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const body =
        typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
      const message = typeof response === 'string' ? response : body.message;
      const detail = Array.isArray(message)
        ? message.join('; ')
        : typeof message === 'string'
          ? message
          : undefined;
      const problem: Problem = {
        type: 'about:blank',
        title: STATUS_CODES[status] ?? 'Error',
        status,
        ...base,
      };
      if (detail !== undefined) problem.detail = detail;
      if (body.errors !== undefined) problem.errors = body.errors;
      return problem;
    }
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    return {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: 'An internal error occurred; see the server log',
      ...base,
    };
  }
}
