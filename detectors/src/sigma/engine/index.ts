// The Sigma engine's rule set: compiled rules indexed by log source and by an Aho–Corasick prefilter, rule
// directories loaded into it, and the Windows event record flattening rules expect.
export { AhoCorasick } from './aho-corasick.js';
export type { AhoCorasickOptions, MatchSink } from './aho-corasick.js';
export type { CompiledRule, RulePrefilter } from './compiled-rule.js';
export { flattenEvtxRecord } from './evtx-record.js';
export { applyFilters, compileFilter } from './filter-compiler.js';
export type { CompiledFilter } from './filter-compiler.js';
export { JsonRecordsError, parseJsonRecords } from './json-records.js';
export { compileRule } from './rule-compiler.js';
export { rulePrefilter } from './rule-prefilter.js';
export { RuleSet } from './rule-set.js';
export type { RuleSetStats } from './rule-set.js';
export { loadRuleSet, loadRuleTexts } from './rule-set-loader.js';
export type {
  LoadedRuleSet,
  LoadRuleSetOptions,
  RuleLoadError,
  RuleText,
  RuleSetLoadReport,
  UnsupportedRule,
} from './rule-set-loader.js';
