// Public surface of the agent's disk spool.
export { Spool, QUARANTINE_DIR, type SpoolStats } from './spool.js';
export { type FsyncPolicy, type SpoolOptions } from './spool-options.js';
export {
  readQuarantine,
  type QuarantineEntry,
  type QuarantineMeta,
  type SpoolRecord,
} from './spool-quarantine.js';
export {
  SpoolError,
  SpoolClosedError,
  SpoolIoError,
  SpoolOptionsError,
  SpoolRecordTooLargeError,
} from './spool-errors.js';
export { SpoolLockedError } from './spool-lock.js';
