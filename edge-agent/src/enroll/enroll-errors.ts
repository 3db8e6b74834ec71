import { InosecError } from '@inosec/protos';

/**
 * Exit codes of `inosec-agent enroll` (sysexits.h), one per kind of failure so that an install script can tell
 * them apart.
 */
export const ENROLL_EXIT = {
  ok: 0,
  /** Bad arguments (missing --server, a pin that is not 64 hex digits, ...). */
  usage: 64,
  /** The server refused the request as invalid (INVALID_ARGUMENT), or its answer is unusable. */
  dataError: 65,
  /** --ca-file or --token-file cannot be read or holds no certificate. */
  noInput: 66,
  /** The server cannot be reached (connection refused, no route, DNS, timeout, UNAVAILABLE). */
  unavailable: 69,
  /** Something unexpected in the agent itself. */
  software: 70,
  /** The agent is already enrolled (use --force) or is running. */
  cantCreate: 73,
  /** The state directory or environment file cannot be written. */
  ioError: 74,
  /** The server is busy (RESOURCE_EXHAUSTED): try again later. */
  tempFail: 75,
  /** The server is not the one pinned: no certificate of its chain matches --ca-sha256, or it does not verify. */
  untrusted: 76,
  /** The enrollment token was refused: unknown, used, expired or revoked. */
  tokenRefused: 77,
  /** The configuration file is invalid. */
  config: 78,
} as const;

export type EnrollExitCode = (typeof ENROLL_EXIT)[keyof typeof ENROLL_EXIT];

/** An enrollment failure: a one-line message for the operator and the exit code that classifies it. */
export class EnrollError extends InosecError {
  constructor(
    readonly exitCode: EnrollExitCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super('enroll_failed', message, options);
  }
}
