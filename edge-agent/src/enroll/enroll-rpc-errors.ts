import * as grpc from '@grpc/grpc-js';
import { isCallError } from '../control/control-client.js';
import type { ControlEndpoint } from '../control/control-url.js';
import { ENROLL_EXIT, EnrollError, type EnrollExitCode } from './enroll-errors.js';

const TOKEN_REFUSED = new Set<number>([
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
  grpc.status.NOT_FOUND,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.ALREADY_EXISTS,
]);

/** The server's message as one short line, the token masked should the server echo it. */
function oneLine(details: string, token: string): string {
  const masked = token ? details.split(token).join('[token]') : details;
  const line = masked.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line || '(no message)';
}

/** Maps a failed Enroll call to the EnrollError an operator reads, by gRPC status. */
export function enrollCallFailure(error: unknown, endpoint: ControlEndpoint, token: string): EnrollError {
  const where = `${endpoint.host}:${endpoint.port}`;
  if (!isCallError(error)) {
    return new EnrollError(ENROLL_EXIT.software, `Enroll failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const details = oneLine(error.details, token);
  const status = grpc.status[error.code] ?? String(error.code);
  let code: EnrollExitCode;
  let message: string;
  if (TOKEN_REFUSED.has(error.code)) {
    code = ENROLL_EXIT.tokenRefused;
    message = `enrollment refused by the control plane (${status}): ${details}`;
  } else if (error.code === grpc.status.INVALID_ARGUMENT || error.code === grpc.status.OUT_OF_RANGE) {
    code = ENROLL_EXIT.dataError;
    message = `the control plane refused the enrollment request as invalid: ${details}`;
  } else if (error.code === grpc.status.RESOURCE_EXHAUSTED) {
    code = ENROLL_EXIT.tempFail;
    message = `the control plane is busy, try again later: ${details}`;
  } else if (error.code === grpc.status.UNIMPLEMENTED) {
    code = ENROLL_EXIT.unavailable;
    message = `${where} does not serve inosec.v1.AgentControl: ${details}`;
  } else if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED) {
    code = /certificate|altname|self[- ]signed|verify/i.test(details)
      ? ENROLL_EXIT.untrusted
      : ENROLL_EXIT.unavailable;
    message = `cannot enroll with ${where} (${status}): ${details}`;
  } else {
    code = ENROLL_EXIT.software;
    message = `Enroll failed (${status}): ${details}`;
  }
  return new EnrollError(code, message, { cause: error });
}
