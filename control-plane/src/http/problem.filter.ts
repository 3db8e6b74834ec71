import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';

/** An RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: unknown;
}

/**
 * The HTTP boundary's single error mapping: every exception leaves as `application/problem+json`.
 * Expected errors (HttpException) keep their status and message; anything else is a 500 whose detail
 * is withheld from the client and logged with the request id.
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
    }
    void reply.status(problem.status).header('Content-Type', 'application/problem+json').send(problem);
  }

  private toProblem(exception: unknown, request: FastifyRequest): Problem {
    const base = { type: 'about:blank', instance: request.url, requestId: request.id };
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
      const problem: Problem = { ...base, title: STATUS_CODES[status] ?? 'Error', status };
      if (detail !== undefined) problem.detail = detail;
      if (body.errors !== undefined) problem.errors = body.errors;
      return problem;
    }
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    return {
      ...base,
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: 'An internal error occurred; see the server log',
    };
  }
}
