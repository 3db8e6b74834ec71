// Sigma rule collections (Sigma 1.x "Rule Collections", still honoured by pySigma): a multi-document file
// whose documents may carry `action: global | reset | repeat`.
//   - global: the document becomes the template deep-merged into every following document until the next
//     `global` (which replaces it) or `reset`;
//   - reset:  forget the template;
//   - repeat: the previous rule (as loaded, template included) deep-merged with this document is a new rule.
// Merging follows pySigma's `deep_dict_update(rule, global)`: maps are merged key by key, and where both
// sides set a non-map value the template's value wins. `repeat` overrides the previous rule's values.
import { SigmaRuleError } from '../sigma-types.js';
import { isPlainObject, ruleLabel } from './yaml-values.js';

/** One YAML document of a file, parsed (documents with YAML errors are left out before this step). */
export interface ParsedYamlDocument {
  value: unknown;
  documentIndex: number;
}

/** A document to load as a rule, after applying the collection actions. */
export interface ResolvedDocument {
  value: Record<string, unknown>;
  documentIndex: number;
}

const ACTIONS = new Set(['global', 'reset', 'repeat']);

/**
 * Applies the collection actions of one file's documents, in order. Empty documents are skipped; a
 * document that is not a map, an unknown action or a `repeat` with nothing to repeat gives an error for
 * that document only.
 */
export function resolveCollection(
  documents: readonly ParsedYamlDocument[],
  file: string,
): { documents: ResolvedDocument[]; errors: SigmaRuleError[] } {
  const out: ResolvedDocument[] = [];
  const errors: SigmaRuleError[] = [];
  let template: Record<string, unknown> | undefined;
  let previous: Record<string, unknown> | undefined;

  for (const { value, documentIndex } of documents) {
    if (value === null || value === undefined) continue; // empty document (e.g. a trailing `---`)
    const where = { file, ruleId: ruleLabel(value, documentIndex) };
    if (!isPlainObject(value)) {
      errors.push(
        new SigmaRuleError('the YAML document is not a map of keys (a Sigma rule is a map)', where),
      );
      continue;
    }
    const { action, ...body } = value;
    if (action === undefined) {
      const rule = template ? deepMerge(body, template) : structuredClone(body);
      out.push({ value: rule, documentIndex });
      previous = rule;
      continue;
    }
    const location = { file, ruleId: ruleLabel(value, documentIndex), key: 'action' };
    if (typeof action !== 'string' || !ACTIONS.has(action)) {
      const got = typeof action === 'string' ? `'${action}'` : JSON.stringify(action);
      errors.push(
        new SigmaRuleError(`unknown collection action ${got}: expected global, reset or repeat`, location),
      );
      continue;
    }
    if (action === 'global') {
      template = structuredClone(body);
      previous = template;
    } else if (action === 'reset') {
      template = undefined;
    } else if (previous === undefined) {
      errors.push(new SigmaRuleError("'action: repeat' has no previous rule to repeat", location));
    } else {
      const rule = deepMerge(previous, body);
      out.push({ value: rule, documentIndex });
      previous = rule;
    }
  }
  return { documents: out, errors };
}

/**
 * Deep-merges `override` into a copy of `base`: nested maps merge key by key, any other value of
 * `override` replaces `base`'s. Neither input is modified; the result shares nothing with them.
 */
export function deepMerge(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  return structuredClone(merge(base, override));
}

function merge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const entries = new Map<string, unknown>(Object.entries(base));
  for (const [key, value] of Object.entries(override)) {
    const current = entries.get(key);
    entries.set(key, isPlainObject(value) && isPlainObject(current) ? merge(current, value) : value);
  }
  // Object.fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(entries);
}
