// Public API of IOC matching: indicator sets (IPs, CIDR ranges, domains, file hashes), their loaders
// (CSV / plain lists, STIX 2.1) and lookups of values and events.
export type {
  FieldKinds,
  HashAlgorithm,
  IndicatorMeta,
  IocEventHit,
  IocKind,
  IocMatch,
  LoadIssue,
  LoadOptions,
  LoadReport,
  LookupKind,
} from './ioc-types.js';
export { IocFeedError } from './ioc-types.js';
export { IocSet, type AddResult } from './ioc-set.js';
export { IocMatcher } from './ioc-matcher.js';
export { loadCsv } from './csv-loader.js';
export { loadStix } from './stix-loader.js';
export { loadIocFile, type LoadedIocSet } from './ioc-file.js';
export {
  parseIndicator,
  indicatorHintOf,
  type IndicatorHint,
  type ParsedIndicator,
  type IndicatorProblem,
} from './indicator-parser.js';
export {
  parseStixPattern,
  disjunctionOf,
  StixPatternSyntaxError,
  type StixNode,
  type StixComparison,
  type StixLiteral,
} from './stix-pattern.js';
export { normaliseDomain, extractUrlHost, refang } from './domain-name.js';
export { parseIp, parseCidr, formatIPv4, formatIPv6, type ParsedIp, type ParsedCidr } from './ip-address.js';
