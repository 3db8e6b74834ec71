// Public API of the Sigma rule loader: parse and validate rule files into typed documents.
export { parseRuleText } from './rule-parser.js';
export { loadRuleDirectory, loadRuleFile } from './rule-directory-loader.js';
export { parseTimespan, type TimespanResult } from './timespan.js';
export { SIGMA_MODIFIERS } from '../match/modifier-chain.js';
export { SigmaSchemaUnavailableError } from './schema-validator.js';
export type {
  LoadReport,
  ParseResult,
  SigmaCorrelation,
  SigmaCorrelationCondition,
  SigmaCorrelationDocument,
  SigmaCorrelationType,
  SigmaDocument,
  SigmaFilterDocument,
  SigmaLevel,
  SigmaLogSource,
  SigmaRelatedRule,
  SigmaRuleDocument,
  SigmaRuleWarning,
  SigmaStatus,
} from './rule-document.js';
