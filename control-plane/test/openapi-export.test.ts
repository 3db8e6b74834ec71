// The offline OpenAPI export is the document the server serves, and the console's committed copy (from which its
// typed client is generated) is that export byte for byte.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiJson } from '../src/http/openapi-export.js';
import { startApiHarness, type ApiHarness } from './support/api-harness.js';

const COMMITTED = fileURLToPath(new URL('../../dashboards/app/api/openapi.json', import.meta.url));
const REGENERATE = 'regenerate it with `npm run gen:api`';
/** The built script (`npx tsc -b` first), as `npm run openapi` and `npm run gen:api` run it. */
const SCRIPT = fileURLToPath(new URL('../dist/http/openapi-export.js', import.meta.url));

/** Where two texts first differ, as a line number and both lines, or undefined when they are equal. */
function firstDifference(actual: string, expected: string): string | undefined {
  if (actual === expected) return undefined;
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i += 1) {
    if (a[i] !== e[i]) {
      return `line ${i + 1}: committed ${JSON.stringify(a[i] ?? '<end of file>')}, export ${JSON.stringify(e[i] ?? '<end of file>')}`;
    }
  }
  return 'the files differ in line endings';
}

describe('openApiJson', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness();
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('is the document the running server serves at /api/openapi.json', async () => {
    const exported = openApiJson();
    expect(exported.endsWith('}\n')).toBe(true);
    expect(exported.split('\n')[1]).toBe('  "openapi": "3.1.0",');
    const response = await fetch(`${h.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const served = await response.text();
    // Same content and the same key order: the served body is the same document, compactly serialised.
    expect(served).toBe(JSON.stringify(JSON.parse(exported)));
    expect(JSON.parse(served)).toEqual(JSON.parse(exported));
  });

  it("equals the console's committed dashboards/app/api/openapi.json byte for byte", async () => {
    expect(existsSync(COMMITTED), `${COMMITTED} does not exist: ${REGENERATE}`).toBe(true);
    const committed = await readFile(COMMITTED, 'utf8');
    const difference = firstDifference(committed, openApiJson());
    expect(
      difference,
      `dashboards/app/api/openapi.json is stale (${difference ?? ''}): ${REGENERATE}`,
    ).toBeUndefined();
  });
});

describe('the openapi-export script', () => {
  const run = promisify(execFile);
  let dir: string;

  beforeAll(async () => {
    expect(existsSync(SCRIPT), `${SCRIPT} is missing: build with npx tsc -b`).toBe(true);
    dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-openapi-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the document to the given file, creating its directories', async () => {
    const out = path.join(dir, 'nested', 'api', 'openapi.json');
    const { stdout } = await run(process.execPath, [SCRIPT, out]);
    expect(stdout).toBe(`${out}\n`);
    expect(await readFile(out, 'utf8')).toBe(openApiJson());
  });

  it('without a file, prints its usage and exits 2', async () => {
    const failure = await run(process.execPath, [SCRIPT]).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toBe('usage: node control-plane/dist/http/openapi-export.js <out-file>\n');
  });
});
