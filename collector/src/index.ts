// Public entry of the collector workspace.
export {
  collectorConfigSchema,
  loadCollectorConfig,
  type CollectorConfig,
} from './config/collector.config.js';
export {
  EmbeddedPostgres,
  EmbeddedPostgresError,
  type EmbeddedPostgresOptions,
} from './postgres/embedded-postgres.js';
export { isProcessAlive, processArgv, waitForExit, shutdownPostgres } from './postgres/process-info.js';
