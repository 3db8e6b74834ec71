// RFC 9457 problem details as the control plane answers them, and the one error type the console throws for
// an answer outside 2xx.

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }
}

/** The problem of a failed response (or a generic one when the body is not problem+json). */
export async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = (await response.clone().json()) as Partial<Problem>;
    if (typeof body === 'object' && body !== null) return { ...body, status: response.status };
  } catch {
    // not JSON
  }
  return { status: response.status, title: response.statusText || `HTTP ${response.status}` };
}

/** A message for people: the server's detail, with the request id to quote to support. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    const id = error.problem.requestId ? ` (request ${error.problem.requestId})` : '';
    return `${error.message}${id}`;
  }
  if (error instanceof TypeError) return 'The appliance cannot be reached. Check the connection and retry.';
  return error instanceof Error ? error.message : String(error);
}
