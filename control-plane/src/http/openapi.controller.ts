import { Controller, Get, Header } from '@nestjs/common';
import { apiControllers } from '../api-modules.js';
import { VERSION } from '../version.js';
import { buildOpenApiDocument } from './openapi.js';

let document: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of every API route, built once from their @Endpoint declarations. */
export function openApiDocument(): Record<string, unknown> {
  document ??= buildOpenApiDocument(apiControllers(), {
    title: 'InoSec control plane API',
    version: VERSION,
    description:
      'Multi-tenant API of the InoSec control plane. Every route except sign-in, registration, password reset ' +
      'and agent enrollment needs a bearer access token; errors are RFC 9457 problem+json.',
  });
  return document;
}

/** Serves the OpenAPI document at /api/openapi.json. */
@Controller('api')
export class OpenApiController {
  @Get('openapi.json')
  @Header('Cache-Control', 'no-cache')
  openapi(): Record<string, unknown> {
    return openApiDocument();
  }
}
