// One decorator declares a route completely: method and path, who may call it, and the zod schemas of its
// params, query, body and responses. The same declaration drives routing (Nest), the guard (auth.guard.ts),
// validation (@Input) and the OpenAPI document (openapi.ts), so nothing is documented that is not enforced.
import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  HttpCode,
  RequestMethod,
  RequestMapping,
  SetMetadata,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Permission } from '../auth/permissions.js';
import { InvalidRequestProblem, type FieldIssue } from './problems.js';

/**
 * Who may call a route: anyone (`public`: login, enrollment), any signed-in user (`authenticated`: their own
 * profile), a holder of one permission, or a platform operator (`platform`: super admin only).
 */
export type Access = 'public' | 'authenticated' | 'platform' | Permission;

/** A response a route documents. `schema` absent: no body (204) or a stream (`contentType`). */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The complete declaration of one route. */
export interface EndpointSpec {
  method: HttpMethod;
  /** Relative to the controller's path; `:name` segments are params. */
  path: string;
  /** Unique across the API (OpenAPI operationId; the generated console client's method name). */
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status of success (default: 201 for POST creating something is up to the route; 200 otherwise). */
  status?: number;
  responses: Record<number, ResponseSpec>;
}

export const ENDPOINT = Symbol('inosec:endpoint');

const METHODS: Record<HttpMethod, RequestMethod> = {
  GET: RequestMethod.GET,
  POST: RequestMethod.POST,
  PUT: RequestMethod.PUT,
  PATCH: RequestMethod.PATCH,
  DELETE: RequestMethod.DELETE,
};

/** Declares a route: see EndpointSpec. */
export function Endpoint(spec: EndpointSpec): MethodDecorator {
  const status = spec.status ?? 200;
  return applyDecorators(
    RequestMapping({ path: spec.path, method: METHODS[spec.method] }),
    HttpCode(status),
    SetMetadata(ENDPOINT, { ...spec, status }),
  );
}

/** The validated input of a request, typed by the schemas of its EndpointSpec. */
export interface RouteInput<P = Record<string, never>, Q = Record<string, never>, B = undefined> {
  params: P;
  query: Q;
  body: B;
}

function issues(where: string, error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Parses one part of the request with its schema; collects the issues instead of throwing. */
function parsePart(
  where: string,
  schema: z.ZodType | undefined,
  value: unknown,
  found: FieldIssue[],
): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  found.push(...issues(where, result.error));
  return undefined;
}

/**
 * Validates a request against its route's schemas: params, query and body, every problem reported at once as
 * a 400 problem+json naming each field. Objects are strict unless the schema says otherwise, so an unknown
 * field is an error rather than silently ignored.
 */
export function validateInput(
  spec: EndpointSpec,
  request: FastifyRequest,
): RouteInput<unknown, unknown, unknown> {
  const found: FieldIssue[] = [];
  const params = parsePart('params', spec.params, request.params, found);
  const query = parsePart('query', spec.query, request.query, found);
  const body = parsePart('body', spec.body, request.body, found);
  if (spec.body === undefined && request.body !== undefined && request.body !== null && request.body !== '') {
    found.push({ path: 'body', message: 'this route takes no body' });
  }
  if (found.length > 0) {
    throw new InvalidRequestProblem(
      `invalid request: ${found.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      found,
    );
  }
  return { params, query, body };
}

/** The handler's validated input (params, query, body), parsed with the schemas of its @Endpoint. */
export const Input = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const spec = Reflect.getMetadata(ENDPOINT, ctx.getHandler()) as EndpointSpec | undefined;
  if (spec === undefined)
    throw new Error(`@Input() on a handler without @Endpoint: ${ctx.getHandler().name}`);
  return validateInput(spec, ctx.switchToHttp().getRequest<FastifyRequest>());
});

/** Common schemas. */
export const schemas = {
  uuid: z.uuid(),
  /** `{ id }` path params. */
  idParams: z.strictObject({ id: z.uuid() }),
  /** An opaque pagination cursor. */
  cursor: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/),
  limit: (max = 200, fallback = 50) => z.coerce.number().int().min(1).max(max).default(fallback),
  /** A query value that may be repeated (`?a=1&a=2`) or comma-separated (`?a=1,2`). */
  list: <T extends z.ZodType<unknown, string>>(item: T, max = 50) =>
    z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter((s) => s !== ''))
      .pipe(z.array(item).max(max)),
  timestamp: z.iso.datetime({ offset: true }),
};

/** The authenticated caller (set by AuthGuard); undefined on public routes. */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (request.auth === undefined) throw new Error('@Auth() on a route without authentication');
  return request.auth;
});
