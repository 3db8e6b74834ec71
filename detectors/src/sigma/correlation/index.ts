// Public API of Sigma correlation rules: the streaming correlation engine and its types.
export { CorrelationEngine, type RestoreReport } from './correlation-engine.js';
export {
  CorrelationSnapshotError,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type CorrelationRuleSnapshot,
  type CorrelationSnapshot,
  type EntrySnapshot,
  type GroupSnapshot,
} from './correlation-snapshot.js';
export { compileCountCondition, type CountCondition } from './count-condition.js';
export type {
  CorrelationAlert,
  CorrelationEngineOptions,
  CorrelationRuleStats,
  CorrelationStats,
  EventRef,
  KnownRule,
  RuleMatch,
} from './correlation-types.js';
