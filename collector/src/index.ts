// Public entry of the collector workspace.
export {
  collectorConfigSchema,
  loadCollectorConfig,
  type CollectorConfig,
} from './config/collector.config.js';
