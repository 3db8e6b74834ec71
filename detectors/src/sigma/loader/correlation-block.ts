// The `correlation` block of a correlation rule, checked beyond its schema (whose `condition` and
// value-type requirements do not constrain anything) and turned into the typed form.
import type { SigmaCorrelation, SigmaCorrelationCondition, SigmaCorrelationType } from './rule-document.js';
import type { RuleProblem } from './schema-error-text.js';
import { parseTimespan } from './timespan.js';
import { describeValue, isPlainObject } from './yaml-values.js';

const BOUNDS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
const CONDITION_KEYS = new Set<string>([...BOUNDS, 'field']);
/** Types that aggregate the values of `condition.field`. */
const FIELD_TYPES = new Set<string>(['value_count', 'value_sum', 'value_avg', 'value_percentile']);

/**
 * Checks a `correlation` block beyond its schema and builds its typed form; `correlation` is undefined
 * when there are problems (the form is only meaningful for a schema-valid block).
 */
export function readCorrelationBlock(block: Record<string, unknown>): {
  correlation?: SigmaCorrelation;
  problems: RuleProblem[];
} {
  const problems: RuleProblem[] = [];
  const type = block.type as SigmaCorrelationType;
  const rules = Array.isArray(block.rules) ? block.rules.map(String) : [];
  if (Array.isArray(block.rules) && rules.length === 0) {
    problems.push({ key: 'correlation.rules', message: 'rules must name at least one rule' });
  }

  const timespan = parseTimespan(block.timespan);
  if (!timespan.ok) problems.push({ key: 'correlation.timespan', message: timespan.reason });

  const condition = readCondition(block.condition, type, problems);
  const aliases = readAliases(block.aliases, problems);
  if (problems.length > 0 || !timespan.ok) return { problems };

  const correlation: SigmaCorrelation = {
    type,
    rules,
    groupBy: Array.isArray(block['group-by']) ? block['group-by'].map(String) : [],
    timespan: String(block.timespan),
    timespanMs: timespan.ms,
  };
  if (condition) correlation.condition = condition;
  if (aliases) correlation.aliases = aliases;
  return { correlation, problems };
}

function readCondition(
  value: unknown,
  type: SigmaCorrelationType,
  problems: RuleProblem[],
): SigmaCorrelationCondition | undefined {
  const key = 'correlation.condition';
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    problems.push({
      key,
      message: `condition must be a map such as {gte: 10} (got ${describeValue(value)})`,
    });
    return undefined;
  }
  const condition: SigmaCorrelationCondition = {};
  for (const [name, bound] of Object.entries(value)) {
    if (!CONDITION_KEYS.has(name)) {
      problems.push({
        key: `${key}.${name}`,
        message: `unknown key '${name}': expected ${[...CONDITION_KEYS].join(', ')}`,
      });
    } else if (name === 'field') {
      if (
        typeof bound === 'string' ||
        (Array.isArray(bound) && bound.every((item) => typeof item === 'string'))
      ) {
        condition.field = bound;
      } else {
        problems.push({
          key: `${key}.field`,
          message: `field must be a field name or a list of them (got ${describeValue(bound)})`,
        });
      }
    } else if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      problems.push({
        key: `${key}.${name}`,
        message: `${name} must be a number (got ${describeValue(bound)})`,
      });
    } else {
      condition[name as (typeof BOUNDS)[number]] = bound;
    }
  }
  if (!BOUNDS.some((bound) => bound in value)) {
    problems.push({ key, message: `condition needs a comparison: one or more of ${BOUNDS.join(', ')}` });
  }
  if (FIELD_TYPES.has(type) && !('field' in value)) {
    problems.push({
      key: `${key}.field`,
      message: `missing key 'field': a ${type} correlation aggregates a field`,
    });
  }
  return condition;
}

function readAliases(
  value: unknown,
  problems: RuleProblem[],
): Record<string, Record<string, string>> | undefined {
  if (!isPlainObject(value)) return undefined; // absent, or reported by the schema
  const aliases: Record<string, Record<string, string>> = {};
  for (const [alias, mapping] of Object.entries(value)) {
    const key = `correlation.aliases.${alias}`;
    if (!isPlainObject(mapping) || !Object.values(mapping).every((field) => typeof field === 'string')) {
      problems.push({
        key,
        message: `alias '${alias}' must map rule names to field names (got ${describeValue(mapping)})`,
      });
      continue;
    }
    aliases[alias] = mapping as Record<string, string>;
  }
  return aliases;
}
