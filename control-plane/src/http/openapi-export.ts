// The OpenAPI document offline, for generating the console's typed API client: the same document the server
// serves at /api/openapi.json, built from the controllers' declarations without a database or a network.
//   node control-plane/dist/http/openapi-export.js <out-file>
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openApiDocument } from './openapi.controller.js';

/** The served OpenAPI document as the committed file holds it: two-space indented JSON and a final newline. */
export function openApiJson(): string {
  return JSON.stringify(openApiDocument(), null, 2) + '\n';
}

/** Writes openApiJson() to `file` (relative to the working directory), creating its directories. */
export async function writeOpenApiJson(file: string): Promise<string> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, openApiJson());
  return target;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const file = process.argv[2];
  if (file === undefined || file === '') {
    process.stderr.write('usage: node control-plane/dist/http/openapi-export.js <out-file>\n');
    process.exitCode = 2;
  } else {
    try {
      process.stdout.write(`${await writeOpenApiJson(file)}\n`);
    } catch (error) {
      process.stderr.write(
        `cannot write the OpenAPI document to ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  }
}
