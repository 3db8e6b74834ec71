// Turns a merged, schema-valid YAML document into its typed form, after the checks the schema cannot
// make. Returns the problems instead when there are any.
import { readCorrelationBlock } from './correlation-block.js';
import { checkDetectionBlock, conditionsOf } from './detection-checks.js';
import type {
  SigmaCorrelationDocument,
  SigmaDocument,
  SigmaFilterDocument,
  SigmaLevel,
  SigmaLogSource,
  SigmaRelatedRule,
  SigmaRuleDocument,
  SigmaStatus,
} from './rule-document.js';
import type { RuleProblem } from './schema-error-text.js';
import type { SigmaDocumentKind } from './schema-validator.js';
import { isPlainObject } from './yaml-values.js';

const DETECTION_RESERVED: ReadonlySet<string> = new Set(['condition']);
const FILTER_RESERVED: ReadonlySet<string> = new Set(['condition', 'rules']);

/** Where a document sits in its file. */
export interface DocumentOrigin {
  file: string;
  documentIndex: number;
}

/** The kind of a document: pySigma's order (a `correlation` key first, then `filter`, else a rule). */
export function documentKind(raw: Record<string, unknown>): SigmaDocumentKind {
  if ('correlation' in raw) return 'correlation';
  if ('filter' in raw && !('detection' in raw)) return 'filter';
  return 'detection';
}

/**
 * Builds the typed document of a raw document, or lists why it cannot be loaded. Safe on documents that
 * failed the schema (it then checks what it can); the document is only meaningful when the schema passed.
 */
export function buildDocument(
  kind: SigmaDocumentKind,
  raw: Record<string, unknown>,
  origin: DocumentOrigin,
): { document?: SigmaDocument; problems: RuleProblem[] } {
  if (kind === 'correlation') return buildCorrelation(raw, origin);
  if (kind === 'filter') return buildFilter(raw, origin);
  return buildDetection(raw, origin);
}

function buildDetection(
  raw: Record<string, unknown>,
  origin: DocumentOrigin,
): { document?: SigmaRuleDocument; problems: RuleProblem[] } {
  const detection = raw.detection;
  if (!isPlainObject(detection)) return { problems: [] }; // the schema reports it
  const problems = checkDetectionBlock(detection, 'detection', DETECTION_RESERVED);
  if (problems.length > 0) return { problems };
  const document: SigmaRuleDocument = {
    kind: 'detection',
    ...common(raw),
    ...optionalStrings(raw, ['date', 'modified', 'author', 'name']),
    status: raw.status as SigmaStatus | undefined,
    level: raw.level as SigmaLevel | undefined,
    tags: strings(raw.tags),
    references: strings(raw.references),
    falsepositives: strings(raw.falsepositives),
    logsource: logsourceOf(raw.logsource),
    detection,
    conditions: conditionsOf(detection.condition, '').map(([condition]) => condition),
    raw,
    ...origin,
  };
  if (Array.isArray(raw.fields)) document.fields = strings(raw.fields);
  if (Array.isArray(raw.related)) document.related = raw.related as SigmaRelatedRule[];
  return { document: dropUndefined(document), problems };
}

function buildCorrelation(
  raw: Record<string, unknown>,
  origin: DocumentOrigin,
): { document?: SigmaCorrelationDocument; problems: RuleProblem[] } {
  if (!isPlainObject(raw.correlation)) return { problems: [] }; // the schema reports it
  const { correlation, problems } = readCorrelationBlock(raw.correlation);
  if (!correlation) return { problems };
  const document: SigmaCorrelationDocument = {
    kind: 'correlation',
    ...common(raw),
    ...optionalStrings(raw, ['name']),
    status: raw.status as SigmaStatus | undefined,
    level: raw.level as SigmaLevel | undefined,
    tags: strings(raw.tags),
    // The correlation schema allows a single string here.
    falsepositives:
      typeof raw.falsepositives === 'string' ? [raw.falsepositives] : strings(raw.falsepositives),
    correlation,
    generate: raw.generate === true,
    raw,
    ...origin,
  };
  return { document: dropUndefined(document), problems };
}

function buildFilter(
  raw: Record<string, unknown>,
  origin: DocumentOrigin,
): { document?: SigmaFilterDocument; problems: RuleProblem[] } {
  const block = raw.filter;
  if (!isPlainObject(block)) return { problems: [] }; // the schema reports it
  const problems = checkDetectionBlock(block, 'filter', FILTER_RESERVED);
  if (problems.length > 0) return { problems };
  const detection = Object.fromEntries(Object.entries(block).filter(([key]) => !FILTER_RESERVED.has(key)));
  const document: SigmaFilterDocument = {
    kind: 'filter',
    ...common(raw),
    ...optionalStrings(raw, ['date', 'modified']),
    logsource: logsourceOf(raw.logsource),
    rules: strings(block.rules),
    detection,
    conditions: conditionsOf(block.condition, '').map(([condition]) => condition),
    raw,
    ...origin,
  };
  return { document: dropUndefined(document), problems };
}

function common(raw: Record<string, unknown>): { id?: string; title: string; description?: string } {
  return { title: String(raw.title), ...optionalStrings(raw, ['id', 'description']) };
}

function optionalStrings<K extends string>(
  raw: Record<string, unknown>,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = raw[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function logsourceOf(value: unknown): SigmaLogSource {
  if (!isPlainObject(value)) return {};
  return optionalStrings(value, ['product', 'category', 'service', 'definition']);
}

/** Removes keys whose value is undefined, so optional fields are absent rather than `undefined`. */
function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
