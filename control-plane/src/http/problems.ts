import { InosecError } from '@inosec/protos';

/** One field a request failed validation on. */
export interface FieldIssue {
  /** Where: `body.email`, `query.limit`, `params.id`. */
  path: string;
  message: string;
}

/**
 * An error the HTTP boundary answers with a given status as RFC 9457 problem+json. Services throw the named
 * subclasses below; ProblemFilter maps them once. `code` becomes the problem's `type` (urn:inosec:problem:<code>).
 */
export class ProblemError extends InosecError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly extra: {
      cause?: unknown;
      errors?: FieldIssue[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(code, message, extra.cause === undefined ? undefined : { cause: extra.cause });
  }
}

/** 400: the request is malformed; `errors` names each field. */
export class InvalidRequestProblem extends ProblemError {
  constructor(message: string, errors: FieldIssue[] = []) {
    super(400, 'invalid_request', message, { errors });
  }
}

/** 401: no valid credentials. Answers the same whatever was wrong with them. */
export class UnauthorizedProblem extends ProblemError {
  constructor(message = 'authentication required', code = 'unauthorized') {
    super(401, code, message, { headers: { 'WWW-Authenticate': 'Bearer realm="inosec"' } });
  }
}

/** 403: authenticated, but not allowed. */
export class ForbiddenProblem extends ProblemError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}

/** 404: nothing with that id in the caller's tenant (another tenant's ids are not found either). */
export class NotFoundProblem extends ProblemError {
  constructor(what: string) {
    super(404, 'not_found', `${what} not found`);
  }
}

/** 409: the request conflicts with the current state (a duplicate name, a stale transition). */
export class ConflictProblem extends ProblemError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

/** 422: well-formed, but its content is refused (a rule that does not compile). */
export class UnprocessableProblem extends ProblemError {
  constructor(message: string, errors: FieldIssue[] = [], code = 'unprocessable') {
    super(422, code, message, { errors });
  }
}

/** 429: too many attempts; Retry-After says when to try again. */
export class TooManyRequestsProblem extends ProblemError {
  constructor(message: string, retryAfterSeconds: number, code = 'too_many_requests') {
    super(429, code, message, {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}
