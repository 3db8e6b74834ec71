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
export {
  startCollector,
  CollectorStartError,
  type CollectorOptions,
  type RunningCollector,
} from './collector.js';
export { TELEMETRY_MIGRATIONS } from './storage/telemetry-migrations.js';
export { createCollectorMetrics, type CollectorMetrics } from './metrics/collector-metrics.js';
export { INSECURE_AGENT_HEADER } from './grpc/grpc-ingest-server.js';
export {
  TELEMETRY_STREAM,
  TELEMETRY_SUBJECT_PREFIX,
  COLLECTOR_CONSUMER,
  ensureTelemetryStream,
} from './nats/jetstream-ingest.js';
export type { AgentIdentity, ValidationLimits } from './ingest/batch-validator.js';
