// Compiling correlation rules: resolving their references (detection rules, or correlations for chains),
// field readers per referenced rule (with `aliases`), the count condition, and an order in which a chain's
// inner correlations come before the outer ones.
import { fieldReader } from '../field-reader.js';
import type { SigmaCorrelationDocument } from '../loader/rule-document.js';
import { SigmaRuleError, SigmaUnsupportedError, type FieldReader } from '../sigma-types.js';
import type { KnownRule } from './correlation-types.js';
import { compileCountCondition, type CountCondition } from './count-condition.js';
import { correlationSourceKey, ReferenceIndex, type ResolvedReference } from './rule-references.js';

/** The correlation types this engine evaluates. */
export type EvaluatedCorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

const EVALUATED = new Set<string>(['event_count', 'value_count', 'temporal', 'temporal_ordered']);

/** How the matches of one referenced rule (or alerts of one referenced correlation) feed a correlation. */
export interface CorrelationInput {
  /** The input's position among the correlation's distinct referenced rules. */
  index: number;
  /** The readers of the `group-by` fields, in `group-by` order (aliases resolved for this rule). */
  groupReaders: FieldReader[];
  /** value_count: the readers of `condition.field` (one or more, ANDed into one value). */
  valueReaders: FieldReader[];
}

/** A correlation rule ready to evaluate. */
export interface CompiledCorrelation {
  doc: SigmaCorrelationDocument;
  /** The correlation's position among the documents the engine was given. */
  index: number;
  /** Where its state is kept across restarts: its id, else its name, else its file and position. */
  stateKey: string;
  /** How it is named in counters and errors. */
  label: string;
  type: EvaluatedCorrelationType;
  spanMs: number;
  condition: CountCondition;
  /** The group-by names, as alerts show them. */
  groupBy: string[];
  /** Source key (see rule-references.ts) → input. */
  inputs: Map<string, CorrelationInput>;
  /** temporal_ordered: the input index expected at each position of `rules`. */
  order: number[];
}

/** The outcome of compiling correlation documents. */
export interface CompileOutcome {
  /** The compiled correlations, inner correlations of a chain before those referring to them. */
  compiled: CompiledCorrelation[];
  errors: Array<SigmaRuleError | SigmaUnsupportedError>;
  references: ReferenceIndex;
}

/** Compiles every correlation it can; each one that cannot be compiled gives one error. */
export function compileCorrelations(
  docs: readonly SigmaCorrelationDocument[],
  knownRules: Iterable<KnownRule>,
  limits: { maxEventsPerGroup: number; maxChainDepth: number },
): CompileOutcome {
  const references = new ReferenceIndex(knownRules, docs);
  const compiled: CompiledCorrelation[] = [];
  const errors: Array<SigmaRuleError | SigmaUnsupportedError> = [];
  const done = new Map<number, number | 'failed'>(); // index → chain depth, or failure
  const visiting = new Set<number>();
  const stateKeys = new Set<string>();

  const visit = (index: number): number | 'failed' | 'cycle' => {
    const known = done.get(index);
    if (known !== undefined) return known;
    if (visiting.has(index)) return 'cycle';
    const doc = docs[index] as SigmaCorrelationDocument;
    const location = { file: doc.file, ruleId: doc.id ?? doc.name };
    visiting.add(index);
    let depth = 1;
    let failed = false;
    const resolved: ResolvedReference[] = doc.correlation.rules.map((reference, position) => {
      const target = references.resolve(reference);
      const key = `correlation.rules[${position}]`;
      if (target.kind === 'unknown') {
        errors.push(new SigmaRuleError(`unknown rule reference '${reference}'`, { ...location, key }));
        failed = true;
      } else if (target.kind === 'ambiguous') {
        errors.push(new SigmaRuleError(`ambiguous rule reference: ${target.detail}`, { ...location, key }));
        failed = true;
      } else if (target.kind === 'correlation' && !failed) {
        const inner = visit(target.index);
        if (inner === 'cycle') {
          errors.push(
            new SigmaRuleError(
              `refers to correlation '${reference}', which refers back to this one (a cycle)`,
              {
                ...location,
                key,
              },
            ),
          );
          failed = true;
        } else if (inner === 'failed') {
          errors.push(
            new SigmaRuleError(`refers to correlation '${reference}', which could not be compiled`, {
              ...location,
              key,
            }),
          );
          failed = true;
        } else depth = Math.max(depth, inner + 1);
      }
      return target;
    });
    visiting.delete(index);
    let outcome: CompiledCorrelation | undefined;
    if (!failed && depth > limits.maxChainDepth) {
      errors.push(
        new SigmaUnsupportedError(
          'correlation-chain',
          `chain of ${depth} correlations is longer than the limit of ${limits.maxChainDepth}`,
          { ...location, key: 'correlation.rules' },
        ),
      );
    } else if (!failed) {
      try {
        outcome = compileOne(doc, index, resolved, references, limits.maxEventsPerGroup);
        if (stateKeys.has(outcome.stateKey)) {
          throw new SigmaRuleError(`another correlation rule has the same id or name '${outcome.stateKey}'`, {
            ...location,
            key: doc.id ? 'id' : 'name',
          });
        }
      } catch (error) {
        if (!(error instanceof SigmaRuleError || error instanceof SigmaUnsupportedError)) throw error;
        errors.push(error);
        outcome = undefined;
      }
    }
    if (!outcome) {
      done.set(index, 'failed');
      return 'failed';
    }
    stateKeys.add(outcome.stateKey);
    compiled.push(outcome);
    done.set(index, depth);
    return depth;
  };

  docs.forEach((_doc, index) => visit(index));
  return { compiled, errors, references };
}

function compileOne(
  doc: SigmaCorrelationDocument,
  index: number,
  resolved: readonly ResolvedReference[],
  references: ReferenceIndex,
  maxEventsPerGroup: number,
): CompiledCorrelation {
  const { correlation } = doc;
  const location = { file: doc.file, ruleId: doc.id ?? doc.name };
  if (!EVALUATED.has(correlation.type)) {
    throw new SigmaUnsupportedError(
      'correlation-type',
      `correlation type '${correlation.type}' is not evaluated by this engine (event_count, value_count, temporal and temporal_ordered are)`,
      { ...location, key: 'correlation.type' },
    );
  }
  const type = correlation.type as EvaluatedCorrelationType;

  const sources: string[] = [];
  const order = resolved.map((target) => {
    const source =
      target.kind === 'rule' ? target.key : correlationSourceKey((target as { index: number }).index);
    const known = sources.indexOf(source);
    if (known >= 0) return known;
    sources.push(source);
    return sources.length - 1;
  });

  const temporal = type === 'temporal' || type === 'temporal_ordered';
  // Default for the temporal types: every referred rule (temporal_ordered: every listed position).
  const all = type === 'temporal_ordered' ? order.length : sources.length;
  const condition = compileCountCondition(correlation.condition, temporal ? all : undefined);
  if (!condition) {
    throw new SigmaRuleError(`a ${type} correlation needs a condition such as {gte: 10}`, {
      ...location,
      key: 'correlation.condition',
    });
  }
  const valueFields = fieldList(correlation.condition?.field);
  if (type === 'value_count' && valueFields.length === 0) {
    throw new SigmaRuleError(`a value_count correlation needs condition.field`, {
      ...location,
      key: 'correlation.condition.field',
    });
  }
  if (!temporal && condition.monotone && !condition.test(maxEventsPerGroup)) {
    throw new SigmaUnsupportedError(
      'state-bound',
      `condition '${condition.text}' needs more events than the ${maxEventsPerGroup} kept per group`,
      { ...location, key: 'correlation.condition' },
    );
  }

  const aliases = resolveAliases(doc, references, new Set(sources));
  const fieldFor = (name: string, source: string): string => aliases.get(name)?.get(source) ?? name;
  const inputs = new Map<string, CorrelationInput>();
  sources.forEach((source, inputIndex) => {
    inputs.set(source, {
      index: inputIndex,
      groupReaders: correlation.groupBy.map((name) => fieldReader(fieldFor(name, source))),
      valueReaders:
        type === 'value_count' ? valueFields.map((name) => fieldReader(fieldFor(name, source))) : [],
    });
  });

  return {
    doc,
    index,
    stateKey: doc.id ?? doc.name ?? `${doc.file}#${doc.documentIndex}`,
    label: doc.id ?? doc.name ?? doc.title,
    type,
    spanMs: correlation.timespanMs,
    condition,
    groupBy: [...correlation.groupBy],
    inputs,
    order,
  };
}

/** alias → (source key → field name), each alias's rule references resolved. */
function resolveAliases(
  doc: SigmaCorrelationDocument,
  references: ReferenceIndex,
  sources: ReadonlySet<string>,
): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  for (const [alias, mapping] of Object.entries(doc.correlation.aliases ?? {})) {
    const fields = new Map<string, string>();
    for (const [reference, field] of Object.entries(mapping)) {
      const target = references.resolve(reference);
      const source =
        target.kind === 'rule'
          ? target.key
          : target.kind === 'correlation'
            ? correlationSourceKey(target.index)
            : undefined;
      if (source === undefined || !sources.has(source)) {
        throw new SigmaRuleError(
          `alias '${alias}' maps rule '${reference}', which the correlation does not refer to`,
          {
            file: doc.file,
            ruleId: doc.id ?? doc.name,
            key: `correlation.aliases.${alias}.${reference}`,
          },
        );
      }
      fields.set(source, field);
    }
    result.set(alias, fields);
  }
  return result;
}

function fieldList(field: string | string[] | undefined): string[] {
  if (field === undefined) return [];
  return typeof field === 'string' ? [field] : field;
}
