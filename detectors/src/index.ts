// Public entry of the detectors workspace: the Sigma engine's parts (rule loading and validation, detection
// items and conditions, log-source mapping, correlation rules), IOC matching, and ATT&CK tags.
export { ATTACK_TACTICS, parseAttackTags, type AttackMapping } from './attack-tags.js';
export * from './sigma/sigma-types.js';
export { fieldReader } from './sigma/field-reader.js';
export * from './sigma/loader/index.js';
export * from './sigma/match/index.js';
export * from './sigma/condition/index.js';
export * from './sigma/logsource/index.js';
export * from './sigma/correlation/index.js';
export * from './sigma/engine/index.js';
export { SHIPPED_SIGMA_RULES_DIR } from './sigma/shipped-rules.js';
export {
  IocFeedError,
  IocMatcher,
  IocSet,
  loadCsv as loadIocCsv,
  loadIocFile,
  loadStix as loadIocStix,
  type FieldKinds as IocFieldKinds,
  type IocEventHit,
  type IocKind,
  type IocMatch,
  type LoadedIocSet,
  type LoadReport as IocLoadReport,
  type LookupKind as IocLookupKind,
} from './ioc/index.js';
export * from './detection/index.js';
