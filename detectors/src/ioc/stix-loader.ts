// Loading STIX 2.1 indicators (a bundle, or an array of objects): each `indicator` object whose pattern
// is an OR of supported comparisons becomes indicators in the set; revoked and expired ones are counted
// and skipped; every pattern or term that cannot be held is reported with the object's id and the reason.
import type { IndicatorHint } from './indicator-parser.js';
import type { IocSet } from './ioc-set.js';
import { IocFeedError, type IndicatorMeta, type LoadOptions, type LoadReport } from './ioc-types.js';
import { LoadReportBuilder, parseValidUntil } from './load-report.js';
import {
  disjunctionOf,
  parseStixPattern,
  StixPatternSyntaxError,
  type StixComparison,
  type StixNode,
} from './stix-pattern.js';

// Hash names of the STIX hash-algorithm vocabulary, written with or without quotes and dash.
const HASH_HINTS: Readonly<Record<string, IndicatorHint>> = {
  MD5: 'md5',
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

/**
 * Loads STIX 2.1 JSON (text or already parsed) into `set`. Objects other than indicators are ignored.
 * Throws {@link IocFeedError} when the input is not JSON or holds no object list.
 */
export function loadStix(set: IocSet, input: unknown, options: LoadOptions = {}): LoadReport {
  const report = new LoadReportBuilder(set.name, options);
  for (const [index, object] of objectsOf(input).entries()) loadObject(set, object, index, report);
  return report.build();
}

function objectsOf(input: unknown): readonly unknown[] {
  let document = input;
  if (typeof input === 'string') {
    try {
      document = JSON.parse(input);
    } catch (error) {
      throw new IocFeedError(`STIX feed is not JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  if (Array.isArray(document)) return document as unknown[];
  if (isRecord(document)) {
    if (document['type'] === 'bundle') {
      const objects = document['objects'] ?? [];
      if (!Array.isArray(objects)) throw new IocFeedError('STIX bundle: objects is not an array');
      return objects as unknown[];
    }
    if (document['type'] === 'indicator') return [document];
  }
  throw new IocFeedError('STIX feed must be a bundle, an array of objects or one indicator');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadObject(set: IocSet, object: unknown, index: number, report: LoadReportBuilder): void {
  if (!isRecord(object)) {
    report.issue({ severity: 'invalid', objectId: `objects[${index}]`, reason: 'not a JSON object' });
    return;
  }
  if (object['type'] !== 'indicator') return;
  const objectId = typeof object['id'] === 'string' ? object['id'] : `objects[${index}]`;
  const invalid = (reason: string): void => report.issue({ severity: 'invalid', objectId, reason });
  if (object['revoked'] === true) {
    report.revoked++;
    return;
  }
  let validUntil: number | undefined;
  if (object['valid_until'] !== undefined) {
    validUntil =
      typeof object['valid_until'] === 'string' ? parseValidUntil(object['valid_until']) : Number.NaN;
    if (validUntil === undefined || Number.isNaN(validUntil))
      return invalid('valid_until is not a timestamp');
    if (validUntil <= report.now) {
      report.expired++;
      return;
    }
  }
  const patternType = object['pattern_type'];
  if (patternType !== 'stix') {
    report.issue({
      severity: typeof patternType === 'string' ? 'unsupported' : 'invalid',
      objectId,
      reason:
        typeof patternType === 'string'
          ? `pattern_type '${patternType}' is not supported`
          : 'pattern_type missing',
    });
    return;
  }
  const pattern = object['pattern'];
  if (typeof pattern !== 'string') return invalid('pattern missing');
  let tree: StixNode;
  try {
    tree = parseStixPattern(pattern);
  } catch (error) {
    if (error instanceof StixPatternSyntaxError) return invalid(`pattern syntax: ${error.message}`);
    throw error;
  }
  const terms = disjunctionOf(tree);
  if (typeof terms === 'string') {
    report.issue({ severity: 'unsupported', objectId, value: pattern, reason: terms });
    return;
  }
  const confidence = object['confidence'];
  const description = object['description'] ?? object['name'];
  const meta: IndicatorMeta = {
    id: objectId,
    description: typeof description === 'string' ? description : undefined,
    confidence: typeof confidence === 'number' ? confidence : undefined,
    validUntil,
  };
  for (const term of terms) {
    const hint = hintOf(term);
    if (typeof hint !== 'object') {
      report.issue({ severity: 'unsupported', objectId, value: describe(term), reason: hint });
      continue;
    }
    for (const literal of term.values) {
      if (literal.type !== 'string') {
        report.issue({
          severity: 'invalid',
          objectId,
          value: describe(term),
          reason: `${literal.type} literal where a string is expected`,
        });
        continue;
      }
      report.added(set.add(literal.value, hint.hint, meta), { objectId, value: literal.value });
    }
  }
}

/** How a comparison's value is read, or why the comparison is not supported. */
function hintOf(term: StixComparison): { hint: IndicatorHint } | string {
  const path = `${term.object}:${term.property}`;
  if (term.negated) return `NOT ${term.operator} is not supported`;
  const isAddress = (term.object === 'ipv4-addr' || term.object === 'ipv6-addr') && term.property === 'value';
  if (term.operator === 'ISSUBSET')
    return isAddress ? { hint: 'cidr' } : `ISSUBSET on ${path} is not supported`;
  if (term.operator !== '=' && term.operator !== 'IN') return `operator ${term.operator} is not supported`;
  if (isAddress) return { hint: 'ip' };
  if (path === 'domain-name:value') return { hint: 'domain' };
  if (path === 'url:value') return { hint: 'url' };
  if (term.object === 'file' && term.property.startsWith('hashes.')) {
    const algorithm = term.property.slice('hashes.'.length);
    const hint = HASH_HINTS[algorithm.toUpperCase().replaceAll('-', '')];
    return hint === undefined ? `hash algorithm ${algorithm} is not supported` : { hint };
  }
  return `object path ${path} is not supported`;
}

function describe(term: StixComparison): string {
  const values = term.values.map((literal) => `'${literal.value}'`).join(', ');
  return `${term.object}:${term.property} ${term.negated ? 'NOT ' : ''}${term.operator} ${values}`;
}
