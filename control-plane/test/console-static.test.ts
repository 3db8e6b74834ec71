// The security console served on the API's origin by a real server: its files with their caching, index.html for
// the console's own routes, its own Content-Security-Policy, and nothing outside its directory. API paths keep
// their problem+json 404s and headers; an unbuilt console answers 503 while the API keeps working.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../src/config/control-plane.config.js';
import { defaultConsoleDir } from '../src/http/console-static.js';
import { startApiHarness, type ApiHarness } from './support/api-harness.js';

const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const API_CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head></html>\n';
const APP_JS = 'console.log("inosec console");\n';
const SECRET = 'secret-outside-the-console-dir';
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request whose path goes on the wire exactly as written (fetch would resolve `..` segments first). */
function raw(base: string, method: string, rawPath: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(base);
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: rawPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Asserts the Nest 404 problem+json with the API's headers. */
function expectApiNotFound(res: RawResponse, rawPath: string): void {
  expect(res.status, rawPath).toBe(404);
  expect(res.headers['content-type'], rawPath).toContain('application/problem+json');
  const problem = JSON.parse(res.body) as { status: number; title: string; requestId: string };
  expect(problem.status, rawPath).toBe(404);
  expect(problem.title, rawPath).toBe('Not Found');
  expect(problem.requestId, rawPath).toBe(res.headers['x-request-id']);
  expect(res.headers['content-security-policy'], rawPath).toBe(API_CSP);
  expect(res.body, rawPath).not.toContain(SECRET);
  expect(res.body, rawPath).not.toContain('root:');
}

describe('the console directory', () => {
  it('defaults to dashboards/dist/console of the checkout', () => {
    expect(defaultConsoleDir()).toBe(
      fileURLToPath(new URL('../../dashboards/dist/console', import.meta.url)),
    );
    expect(path.relative(fileURLToPath(new URL('../..', import.meta.url)), defaultConsoleDir())).toBe(
      path.join('dashboards', 'dist', 'console'),
    );
  });

  it('INOSEC_CONSOLE_DIR must be an absolute path', () => {
    expect(() => loadControlPlaneConfig({ INOSEC_CONSOLE_DIR: 'dashboards/dist/console' })).toThrow(
      /INOSEC_CONSOLE_DIR/,
    );
    expect(loadControlPlaneConfig({ INOSEC_CONSOLE_DIR: '/opt/inosec/console' }).INOSEC_CONSOLE_DIR).toBe(
      '/opt/inosec/console',
    );
  });
});

describe('a built console', () => {
  let h: ApiHarness;
  let top: string;

  beforeAll(async () => {
    // top/secret.txt sits next to the console directory top/console: nothing may reach it.
    top = await mkdtemp(path.join(os.tmpdir(), 'inosec-console-'));
    const dir = path.join(top, 'console');
    await mkdir(path.join(dir, 'assets'), { recursive: true });
    await writeFile(path.join(top, 'secret.txt'), SECRET);
    await writeFile(path.join(dir, 'index.html'), INDEX);
    await writeFile(path.join(dir, 'assets', 'app-abc123.js'), APP_JS);
    await writeFile(path.join(dir, '.env'), SECRET);
    await writeFile(path.join(dir, 'assets', '.hidden.js'), SECRET);
    await symlink(path.join(top, 'secret.txt'), path.join(dir, 'assets', 'escape.js'));
    h = await startApiHarness({ INOSEC_CONSOLE_DIR: dir });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    if (top) await rm(top, { recursive: true, force: true });
  });

  it('answers / with index.html, the console CSP and no-cache', async () => {
    const res = await raw(h.url, 'GET', '/', { accept: HTML });
    expect(res.status).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(res.headers['cache-control']).toBe('no-cache');
    // The other security headers stay.
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Revalidation works (no-cache means "ask first", not "never store").
    const again = await raw(h.url, 'GET', '/', { accept: HTML, 'if-none-match': String(res.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers the console routes a browser navigates to with index.html', async () => {
    for (const route of ['/alerts/123', '/alerts/123/', '/fleet?tab=agents', '/index.html', '/assets']) {
      const res = await raw(h.url, 'GET', route, { accept: HTML });
      expect(res.status, route).toBe(200);
      expect(res.body, route).toBe(INDEX);
      expect(res.headers['content-security-policy'], route).toBe(CONSOLE_CSP);
      expect(res.headers['cache-control'], route).toBe('no-cache');
    }
    const head = await raw(h.url, 'HEAD', '/alerts/123', { accept: 'text/html' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(INDEX)));
    expect(head.body).toBe('');
  });

  it('answers a hashed asset with immutable caching and its content type', async () => {
    const res = await raw(h.url, 'GET', '/assets/app-abc123.js', { accept: '*/*' });
    expect(res.status).toBe(200);
    expect(res.body).toBe(APP_JS);
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript; charset=utf-8$/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps unknown API paths a 404 problem+json with the API CSP and no-store, whatever the Accept', async () => {
    for (const accept of [HTML, 'application/json']) {
      const res = await raw(h.url, 'GET', '/api/nope', { accept });
      expectApiNotFound(res, `/api/nope ${accept}`);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    for (const route of ['/api', '/%61pi/nope', '/healthz/x', '/readyz/', '/metrics/x']) {
      expectApiNotFound(await raw(h.url, 'GET', route, { accept: HTML }), route);
    }
    // The API itself is untouched.
    const openapi = await h.request<{ openapi: string }>('GET', '/api/openapi.json', {
      headers: { accept: HTML },
    });
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(openapi.headers.get('content-security-policy')).toBe(API_CSP);
    expect(openapi.headers.get('cache-control')).toBe('no-cache');
    const health = await h.request<{ status: string }>('GET', '/healthz', { headers: { accept: HTML } });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
  });

  it('never serves anything outside the console directory', async () => {
    const attempts = [
      '/assets/../../etc/passwd',
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/./index.html',
      '//etc/passwd',
      '/assets//app-abc123.js',
      '/index.html%00.js',
    ];
    for (const attempt of attempts) {
      for (const accept of [HTML, '*/*']) {
        expectApiNotFound(await raw(h.url, 'GET', attempt, { accept }), `${attempt} ${accept}`);
      }
    }
    // A symlink inside the directory pointing out of it is not followed.
    const link = await raw(h.url, 'GET', '/assets/escape.js', { accept: '*/*' });
    expectApiNotFound(link, '/assets/escape.js');
    const linkHtml = await raw(h.url, 'GET', '/assets/escape.js', { accept: HTML });
    expect(linkHtml.body).toBe(INDEX);
  });

  it('answers dotfiles 404, even to a browser', async () => {
    for (const route of ['/.env', '/%2eenv', '/assets/.hidden.js', '/.git/config']) {
      for (const accept of [HTML, '*/*']) {
        expectApiNotFound(await raw(h.url, 'GET', route, { accept }), `${route} ${accept}`);
      }
    }
  });

  it('answers an unknown path 404 when the client does not ask for HTML, and lists no directory', async () => {
    for (const [route, accept] of [
      ['/alerts/123', 'application/json'],
      ['/alerts/123', '*/*'],
      ['/assets/missing-123.js', '*/*'],
      ['/assets', '*/*'],
      ['/assets/', 'application/json'],
      ['/nope', ''],
    ] as const) {
      const res = await raw(h.url, 'GET', route, accept === '' ? {} : { accept });
      expectApiNotFound(res, `${route} ${accept}`);
      expect(res.body, route).not.toContain('app-abc123.js');
    }
    // Only GET and HEAD reach the console.
    expectApiNotFound(await raw(h.url, 'POST', '/alerts/123', { accept: HTML }), 'POST /alerts/123');
    // Metrics keep counting a 404 as unmatched; the console's answers under one route label.
    const metrics = await raw(h.url, 'GET', '/metrics');
    expect(metrics.body).toMatch(
      /inosec_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/,
    );
    expect(metrics.body).toMatch(/inosec_http_requests_total\{method="GET",route="\/\*",status="200"\} \d+/);
    expect(metrics.body).not.toMatch(/route="\/\*",status="404"/);
  });
});

describe('a console that is not built', () => {
  let h: ApiHarness;
  let top: string;
  let dir: string;

  beforeAll(async () => {
    top = await mkdtemp(path.join(os.tmpdir(), 'inosec-console-'));
    dir = path.join(top, 'console'); // does not exist yet
    h = await startApiHarness({ INOSEC_CONSOLE_DIR: dir });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    if (top) await rm(top, { recursive: true, force: true });
  });

  it('answers 503 problem+json naming the build command while the API works', async () => {
    for (const route of ['/', '/alerts/123']) {
      const res = await h.request<Record<string, unknown>>('GET', route, { headers: { accept: HTML } });
      expect(res.status, route).toBe(503);
      expect(res.headers.get('content-type'), route).toContain('application/problem+json');
      expect(res.body, route).toEqual({
        type: 'urn:inosec:problem:console_not_built',
        title: 'Service Unavailable',
        status: 503,
        detail: 'the console is not built: run npm run build:console',
        code: 'console_not_built',
        instance: route,
        requestId: res.headers.get('x-request-id'),
      });
      expect(res.headers.get('content-security-policy'), route).toBe(API_CSP);
    }
    // Not a browser, not a console route: the usual 404.
    expectApiNotFound(await raw(h.url, 'GET', '/alerts/123', { accept: 'application/json' }), '/alerts/123');
    const openapi = await h.request<{ openapi: string }>('GET', '/api/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toBe('3.1.0');
  });

  it('serves the console once it is built, without a restart', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'index.html'), INDEX);
    const res = await raw(h.url, 'GET', '/', { accept: HTML });
    expect(res.status).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
  });
});
