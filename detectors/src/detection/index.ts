// Detection for InoSec's events: the rule set loaded with the log-source mapping, matching events to hits, and
// turning a tenant's hits into alerts (correlations included).
export * from './detection-types.js';
export {
  AlertBuilder,
  alertRuleInfo,
  severityOf,
  type AlertBuilderOptions,
  type AlertRuleInfo,
} from './alert-builder.js';
export { correlationReads, type ReadRule } from './correlation-reads.js';
export { detectedPayloads, isDetected, payloadKind, type DetectedPayloads } from './detection-payloads.js';
export { SIGMA_PAYLOADS, matchEvent, matchEvents, ruleKey } from './event-matcher.js';
export {
  compactHits,
  expandHitGroup,
  filterHitGroup,
  hitEntity,
  hitGroupSize,
  type CompactHits,
} from './hit-compaction.js';
export {
  DEFAULT_RULE_DIRS,
  INOSEC_RULES_DIR,
  inosecCompileOptions,
  loadInosecRuleSet,
  loadInosecRuleTexts,
} from './inosec-rule-set.js';
export {
  IOC_PAYLOADS,
  iocRuleInfo,
  iocRuleKey,
  loadIocMatcher,
  matchIocs,
  type LoadedIocFeeds,
} from './ioc-matching.js';
