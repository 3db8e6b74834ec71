// The built security console (dashboards/dist/console), served on the API's origin: its files, and index.html
// for any other page a browser asks for (the console routes on the client). API paths and probes are never
// answered with the console: an unknown one stays Nest's 404 problem+json.
import { realpath, stat } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** The Content-Security-Policy of the console's pages and files. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** What a console response is, for its caching: the page, a content-hashed asset, or another file. */
export type ConsoleResponseKind = 'page' | 'asset' | 'file';

/** The Cache-Control of each kind: hashed assets never change; anything else is revalidated (ETag). */
export const CONSOLE_CACHE_CONTROL: Readonly<Record<ConsoleResponseKind, string>> = {
  page: 'no-cache',
  asset: 'public, max-age=31536000, immutable',
  file: 'no-cache',
};

export const CONSOLE_NOT_BUILT = 'the console is not built: run npm run build:console';

/** dashboards/dist/console of this checkout: the same from control-plane/src/http and control-plane/dist/http. */
export function defaultConsoleDir(): string {
  return fileURLToPath(new URL('../../../dashboards/dist/console', import.meta.url));
}

/** First path segments that belong to the API or the probes, never to the console. */
const NOT_CONSOLE = new Set(['api', 'healthz', 'readyz', 'metrics']);
/** The characters a served file's path segment may have (Vite names files [name]-[hash].[ext]). */
const FILE_SEGMENT = /^[A-Za-z0-9_~@+-][A-Za-z0-9._~@+-]*$/;
const INDEX = 'index.html';

const kinds = new WeakMap<FastifyRequest, ConsoleResponseKind>();

/** The kind of console response `request` is answered with, or undefined when it is not one. */
export function consoleResponseKind(request: FastifyRequest): ConsoleResponseKind | undefined {
  return kinds.get(request);
}

/**
 * The decoded segments of a URL path, or null when the path must not be looked up at all: a `.` or `..`
 * segment, a dotfile, an empty segment (`//`), an encoded `/` or `\`, a NUL, or malformed percent-encoding.
 * A trailing slash leaves no empty segment.
 */
export function pathSegments(urlPath: string): string[] | null {
  const raw = urlPath.split('/').slice(1);
  if (raw.at(-1) === '') raw.pop();
  const segments: string[] = [];
  for (const part of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (segment === '' || segment.startsWith('.') || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept);
}

/** Whether `relative` (segments checked by pathSegments) is a regular file inside `root`, symlinks resolved. */
async function isFileInside(root: string, relative: string[]): Promise<boolean> {
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path.join(realRoot, ...relative));
    if (!real.startsWith(realRoot + path.sep)) return false;
    return (await stat(real)).isFile();
  } catch {
    return false; // ENOENT, ENOTDIR, EACCES: not a file we serve
  }
}

/** Hands the request to the application's 404 handler (Nest's: problem+json). */
function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

function notBuilt(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .status(503)
    .header('Content-Type', 'application/problem+json')
    .send({
      type: 'urn:inosec:problem:console_not_built',
      title: STATUS_CODES[503],
      status: 503,
      detail: CONSOLE_NOT_BUILT,
      code: 'console_not_built',
      instance: request.url.split('?')[0],
      requestId: request.id,
    });
}

/**
 * Serves the console in `dir` for GET and HEAD on every path no other route has. The directory is read on
 * each request, so a console built (or rebuilt) after start is served without a restart. Responses are
 * marked for consoleResponseKind (the security-header hook picks the CSP and Cache-Control from it).
 */
export async function registerConsole(fastify: FastifyInstance, dir: string, logger: Logger): Promise<void> {
  // Only reply.sendFile (streaming, content types, ETag, ranges): routing and path checks are ours.
  await fastify.register(fastifyStatic, {
    serve: false,
    dotfiles: 'ignore',
    index: false,
    cacheControl: false,
  });
  if (!(await isFileInside(dir, [INDEX]))) {
    logger.warn({ dir }, CONSOLE_NOT_BUILT);
  }

  const serve = (
    request: FastifyRequest,
    reply: FastifyReply,
    relative: string[],
    kind: ConsoleResponseKind,
  ) => {
    kinds.set(request, kind);
    return reply.sendFile(`/${relative.join('/')}`, dir);
  };

  fastify.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (request, reply) => {
      const segments = pathSegments(request.url.split('?')[0] ?? '/');
      if (segments === null || NOT_CONSOLE.has(segments[0] ?? '')) return notFound(reply);
      const page = segments.length === 0 || (segments.length === 1 && segments[0] === INDEX);
      if (!page && segments.every((s) => FILE_SEGMENT.test(s)) && (await isFileInside(dir, segments))) {
        return serve(request, reply, segments, segments[0] === 'assets' ? 'asset' : 'file');
      }
      if (!page && !acceptsHtml(request)) return notFound(reply);
      if (!(await isFileInside(dir, [INDEX]))) return notBuilt(request, reply);
      return serve(request, reply, [INDEX], 'page');
    },
  });
}
