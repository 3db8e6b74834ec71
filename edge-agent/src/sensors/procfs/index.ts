// Shared /proc readers used by the procfs (process) and netfs (network) sensors.
export { AccountCache, createGroupCache, createUserCache } from './account-cache.js';
export {
  parseCmdline,
  parseExeLink,
  parsePidStatus,
  readPidCmdline,
  readPidCwd,
  readPidExe,
  readPidStatus,
  type ExeLink,
  type IdPair,
  type PidStatus,
} from './pid-info.js';
export { PF_KTHREAD, isKernelThread, parsePidStat, readPidStat, ttyName, type PidStat } from './pid-stat.js';
export {
  DEFAULT_PROC_ROOT,
  isDenied,
  isGone,
  listPids,
  readProcFile,
  readProcLink,
  readProcTable,
  readProcText,
  readProcTextIfAllowed,
} from './proc-files.js';
export {
  DEFAULT_CLOCK_TICKS,
  parseSystemStat,
  readBootId,
  readSystemStat,
  ticksToUnixUs,
  type SystemStat,
} from './proc-system.js';
export { processEntityId } from './process-entity-id.js';
export { ProcfsParseError, ProcfsReadError } from './procfs-errors.js';
export { PolicyOptions, pollIntervalMs, type InvalidOptionHandler } from './policy-options.js';
export { PollLoop } from './poll-loop.js';
export { ProcFixture, type FixtureProcess } from './proc-fixture.js';
export { createSensorHarness, type SensorHarness } from './sensor-harness.js';
