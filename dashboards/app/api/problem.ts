// The console's API errors, on the dashboards workspace's problem-details parsing (src/api/problem.ts): one
// error type for every answer outside 2xx, and a message for people.
import { ApiProblemError, problemFromResponse, type Problem } from '../../src/api/problem.js';

export { problemFromBody, type Problem } from '../../src/api/problem.js';

export class ApiError extends ApiProblemError {
  constructor(problem: Problem) {
    super(problem);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }
}

/** The problem of a failed response (or one built from its status line when the body is not problem+json). */
export async function problemOf(response: Response): Promise<Problem> {
  return (await problemFromResponse(response)).problem;
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
