/** An RFC 9457 problem details body as the control plane sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  /** The control plane's machine-readable reason (e.g. missing_permission, token_expired). */
  code?: string;
  /** Field-level reasons of a 400/422 (path and message each). */
  errors?: Array<{ path: string; message: string }>;
}

/** A failed API call, carrying the server's problem details so the console can show them. */
export class ApiProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiProblemError';
  }
}

/**
 * The problem of a failed answer whose body is already parsed (`body`, e.g. by openapi-fetch): the server's
 * problem details where it sent them, the status line otherwise. The status is always the response's.
 */
export function problemFromBody(body: unknown, response: Response): Problem {
  const fallback: Problem = {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
  };
  if (typeof body === 'string' && body !== '') return { ...fallback, detail: body };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fallback;
  const b = body as Record<string, unknown>;
  const problem: Problem = {
    type: typeof b.type === 'string' ? b.type : fallback.type,
    title: typeof b.title === 'string' ? b.title : fallback.title,
    status: response.status,
  };
  if (typeof b.detail === 'string') problem.detail = b.detail;
  if (typeof b.instance === 'string') problem.instance = b.instance;
  if (typeof b.requestId === 'string') problem.requestId = b.requestId;
  if (typeof b.code === 'string') problem.code = b.code;
  if (Array.isArray(b.errors)) problem.errors = b.errors as Array<{ path: string; message: string }>;
  return problem;
}

/**
 * Turns a non-2xx response into an ApiProblemError: the server's problem+json when it sent one, else a
 * problem built from the status line, so a proxy's HTML error page never reaches the analyst as raw text.
 */
export async function problemFromResponse(response: Response): Promise<ApiProblemError> {
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/(problem\+)?json\b/i.test(type))
    return new ApiProblemError(problemFromBody(null, response));
  try {
    return new ApiProblemError(problemFromBody(await response.json(), response));
  } catch {
    return new ApiProblemError(problemFromBody(null, response));
  }
}
