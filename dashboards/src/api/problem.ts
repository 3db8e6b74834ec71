/** An RFC 9457 problem details body as the control plane sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
}

/** A failed API call, carrying the server's problem details so the console can show them. */
export class ApiProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiProblemError';
  }
}

/**
 * Turns a non-2xx response into an ApiProblemError: the server's problem+json when it sent one, else a
 * problem built from the status line, so a proxy's HTML error page never reaches the analyst as raw text.
 */
export async function problemFromResponse(response: Response): Promise<ApiProblemError> {
  const fallback: Problem = {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
  };
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/(problem\+)?json\b/i.test(type)) return new ApiProblemError(fallback);
  try {
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null) return new ApiProblemError(fallback);
    const b = body as Record<string, unknown>;
    const problem: Problem = {
      type: typeof b.type === 'string' ? b.type : fallback.type,
      title: typeof b.title === 'string' ? b.title : fallback.title,
      status: typeof b.status === 'number' ? b.status : fallback.status,
    };
    if (typeof b.detail === 'string') problem.detail = b.detail;
    if (typeof b.instance === 'string') problem.instance = b.instance;
    if (typeof b.requestId === 'string') problem.requestId = b.requestId;
    return new ApiProblemError(problem);
  } catch {
    return new ApiProblemError(fallback);
  }
}
