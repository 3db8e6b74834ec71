// The procfs sensor: process START/EXIT events from polling /proc.
export { ExecutableHasher, type ExecutableHasherOptions, type HashResult } from './executable-hasher.js';
export { ProcessPoller, type ProcessPollResult, type ProcessPollerOptions } from './process-poller.js';
export { ProcessReader, type ProcessReaderOptions, type ProcessSnapshot } from './process-reader.js';
export {
  createProcessSensor,
  type ProcessSensor,
  type ProcessSensorOptions,
  type ProcessSensorStats,
} from './process-sensor.js';
export { processEntityId } from '../procfs/index.js';
