// File integrity monitoring sensor (`fim`): hashed baseline, inotify watches, periodic rescans.
export { createFimSensor, FimSensor, type FimSensorOptions } from './fim-sensor.js';
export {
  DEFAULT_FIM_EXCLUDES,
  DEFAULT_FIM_INTERVAL_SECONDS,
  DEFAULT_FIM_PATHS,
  FimConfigError,
  normaliseRoots,
  resolveFimConfig,
  type FimConfig,
} from './fim-config.js';
export { compileExclusions, depthBelow, globToRegexSource, isSameOrBelow } from './path-exclusion.js';
export {
  compareRecords,
  formatMode,
  type FileRecord,
  type FileType,
  type RecordComparison,
} from './file-record.js';
export { diffRecords, type FileChange } from './baseline-diff.js';
export {
  BASELINE_FILE,
  BaselineStoreError,
  loadBaseline,
  saveBaseline,
  type StoredBaseline,
} from './baseline-store.js';
export { sha256File, type HashResult } from './file-hasher.js';
export {
  fileChangeToEvent,
  FIM_SENSOR_NAME,
  scanSummaryToEvent,
  type ScanSummary,
} from './file-event-builder.js';
