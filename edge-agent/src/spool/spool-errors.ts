import { InosecError } from '@inosec/protos';

/** Base of every error the disk spool throws; `code` is stable and machine-readable. */
export class SpoolError extends InosecError {}

/** The spool was used after `close()` (or while closing). */
export class SpoolClosedError extends SpoolError {
  constructor() {
    super('spool_closed', 'the spool is closed');
  }
}

/** An encoded record is larger than `maxRecordBytes`; the whole append is refused and no seq is used. */
export class SpoolRecordTooLargeError extends SpoolError {
  constructor(
    readonly index: number,
    readonly bytes: number,
    readonly maxRecordBytes: number,
  ) {
    super(
      'spool_record_too_large',
      `record ${index} of the batch is ${bytes} bytes, over the spool's maxRecordBytes (${maxRecordBytes})`,
    );
  }
}

/** Writing, syncing or reading the spool's files failed (disk full, I/O error, permissions). */
export class SpoolIoError extends SpoolError {
  constructor(message: string, options?: ErrorOptions) {
    super('spool_io_failed', message, options);
  }
}

/** The spool options are invalid (a programming or configuration error). */
export class SpoolOptionsError extends SpoolError {
  constructor(message: string) {
    super('spool_options_invalid', message);
  }
}
