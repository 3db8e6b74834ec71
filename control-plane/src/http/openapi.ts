// The OpenAPI 3.1 document, generated from the @Endpoint declarations of the registered controllers: paths,
// parameters, request bodies and responses come from the same zod schemas that validate requests. zod emits
// JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect.
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { z } from 'zod';
import { ENDPOINT, type EndpointSpec } from './endpoint.js';

type JsonSchema = Record<string, unknown>;

/** A route as the document lists it. */
export interface DocumentedRoute {
  path: string;
  spec: EndpointSpec;
}

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

function join(...parts: string[]): string {
  const path = parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '')
    .join('/');
  return `/${path}`;
}

/** The routes of the given controller classes, with their full paths (`:id` kept). */
export function documentedRoutes(
  controllers: ReadonlyArray<abstract new (...args: never[]) => unknown>,
): DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  for (const controller of controllers) {
    const prefix = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (typeof handler !== 'function') continue;
      const spec = Reflect.getMetadata(ENDPOINT, handler) as EndpointSpec | undefined;
      if (spec) routes.push({ path: join(prefix, spec.path), spec });
    }
  }
  return routes;
}

function parameters(spec: EndpointSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (where: 'path' | 'query', object: z.ZodObject | undefined) => {
    if (!object) return;
    const json = toSchema(object, 'input');
    const props = (json['properties'] ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json['required'] ?? []) as string[]);
    for (const [name, schema] of Object.entries(props)) {
      const description = schema['description'];
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema,
        ...(typeof description === 'string' ? { description } : {}),
      });
    }
  };
  add('path', spec.params);
  add('query', spec.query);
  return out;
}

function securityOf(spec: EndpointSpec): JsonSchema[] | undefined {
  return spec.access === 'public' ? [] : undefined;
}

/** Builds the OpenAPI 3.1 document of the given controllers. */
export function buildOpenApiDocument(
  controllers: ReadonlyArray<abstract new (...args: never[]) => unknown>,
  info: { title: string; version: string; description?: string },
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const operationIds = new Set<string>();
  for (const { path, spec } of documentedRoutes(controllers)) {
    if (operationIds.has(spec.operationId)) throw new Error(`duplicate operationId ${spec.operationId}`);
    operationIds.add(spec.operationId);
    const openApiPath = path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, JsonSchema> = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      const content =
        response.schema !== undefined
          ? { [response.contentType ?? 'application/json']: { schema: toSchema(response.schema, 'output') } }
          : response.contentType !== undefined
            ? { [response.contentType]: {} }
            : undefined;
      responses[status] = { description: response.description, ...(content ? { content } : {}) };
    }
    const problem = {
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
    if (spec.params || spec.query || spec.body)
      responses['400'] ??= { description: 'Invalid request', ...problem };
    if (spec.access !== 'public') {
      responses['401'] ??= { description: 'Not signed in, or the session ended', ...problem };
      responses['403'] ??= { description: 'Missing permission', ...problem };
    }
    if (spec.params) responses['404'] ??= { description: 'Not found in your tenant', ...problem };
    responses['default'] = { description: 'Error', ...problem };
    const operation: JsonSchema = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: spec.tags,
      ...(spec.description ? { description: spec.description } : {}),
      parameters: parameters(spec),
      responses,
      'x-inosec-access': spec.access,
    };
    const security = securityOf(spec);
    if (security) operation['security'] = security;
    if (spec.body) {
      operation['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: toSchema(spec.body, 'input') } },
      };
    }
    (paths[openApiPath] ??= {})[spec.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: PROBLEM_SCHEMA },
    },
  };
}
