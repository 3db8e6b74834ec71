import { InosecError } from '@inosec/protos';

/** A /proc (or /etc) file could not be read for a reason other than the process having gone. */
export class ProcfsReadError extends InosecError {
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super('procfs_read_failed', `cannot read ${path}`, options);
  }
}

/** A /proc file was read but its content does not have the expected shape. */
export class ProcfsParseError extends InosecError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('procfs_parse_failed', `cannot parse ${path}: ${reason}`);
  }
}
