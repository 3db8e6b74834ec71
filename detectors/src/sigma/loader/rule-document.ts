// What the rule loader hands to the rest of the engine: one typed document per Sigma YAML document
// (detection rule, correlation rule or global filter), already merged (collection actions) and validated.
import type { SigmaRuleError } from '../sigma-types.js';

/** The `logsource` block of a rule or filter (custom keys stay in `raw`). */
export interface SigmaLogSource {
  product?: string;
  category?: string;
  service?: string;
  definition?: string;
}

/** One entry of a rule's `related` list. */
export interface SigmaRelatedRule {
  id: string;
  type: 'derived' | 'obsolete' | 'merged' | 'renamed' | 'similar';
}

/** The severity levels of the spec. */
export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** The status values of the spec. */
export type SigmaStatus = 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';

/** Fields every loaded document has: where it came from. */
interface SigmaDocumentOrigin {
  /** The file as given to the loader (a path, or the name passed to `parseRuleText`). */
  file: string;
  /** The 0-based position of the YAML document in its file (collection-action documents included). */
  documentIndex: number;
}

/** A Sigma detection rule (sigma-rules-specification.md). */
export interface SigmaRuleDocument extends SigmaDocumentOrigin {
  kind: 'detection';
  id?: string;
  /** The rule's `name` (what correlation rules may refer to instead of the id). */
  name?: string;
  title: string;
  status?: SigmaStatus;
  level?: SigmaLevel;
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  tags: string[];
  references: string[];
  falsepositives: string[];
  logsource: SigmaLogSource;
  /** The raw detection block, `condition` included (search identifiers as YAML gave them). */
  detection: Record<string, unknown>;
  /**
   * The condition(s), normalised to a list: the spec allows `condition` to be a list of conditions,
   * linked with OR. Almost always one element.
   */
  conditions: string[];
  fields?: string[];
  related?: SigmaRelatedRule[];
  /** The whole merged YAML object (custom attributes included). */
  raw: Record<string, unknown>;
}

/** The correlation types of sigma-correlation-rules-specification.md (v2.1). */
export type SigmaCorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile';

/** A correlation condition: the bounds are ANDed; `field` names the counted/aggregated field(s). */
export interface SigmaCorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
  field?: string | string[];
}

/** The `correlation` block of a correlation rule. */
export interface SigmaCorrelation {
  type: SigmaCorrelationType;
  /** The referred rules, by id or name. */
  rules: string[];
  /** The `group-by` fields (or aliases); empty when absent. */
  groupBy: string[];
  /** The timespan as written (`5m`). */
  timespan: string;
  /** The timespan in milliseconds. */
  timespanMs: number;
  condition?: SigmaCorrelationCondition;
  /** Field aliases: alias name → (rule name → field name in that rule's events). */
  aliases?: Record<string, Record<string, string>>;
}

/** A Sigma correlation (meta) rule. */
export interface SigmaCorrelationDocument extends SigmaDocumentOrigin {
  kind: 'correlation';
  id?: string;
  name?: string;
  title: string;
  status?: SigmaStatus;
  level?: SigmaLevel;
  description?: string;
  tags: string[];
  falsepositives: string[];
  correlation: SigmaCorrelation;
  /** Whether the referred rules also fire on their own (the spec's default: false). */
  generate: boolean;
  raw: Record<string, unknown>;
}

/** A Sigma global filter (sigma-filters-specification.md). */
export interface SigmaFilterDocument extends SigmaDocumentOrigin {
  kind: 'filter';
  id?: string;
  title: string;
  description?: string;
  date?: string;
  modified?: string;
  logsource: SigmaLogSource;
  /** The rules (ids or names) the filter applies to. */
  rules: string[];
  /** The search identifiers of the filter block (`selection` and any other), without `rules`/`condition`. */
  detection: Record<string, unknown>;
  /** The filter condition(s), normalised to a list. */
  conditions: string[];
  raw: Record<string, unknown>;
}

/** Any loaded document. */
export type SigmaDocument = SigmaRuleDocument | SigmaCorrelationDocument | SigmaFilterDocument;

/** A problem that does not stop a document from loading (a SigmaHQ convention it breaks, a deprecated form). */
export interface SigmaRuleWarning {
  file: string;
  ruleId?: string;
  key?: string;
  message: string;
}

/** What parsing one file's text gives. */
export interface ParseResult {
  documents: SigmaDocument[];
  errors: SigmaRuleError[];
  warnings: SigmaRuleWarning[];
}

/** What loading a rule directory gives. */
export interface LoadReport extends ParseResult {
  /** The number of rule files read. */
  files: number;
}
