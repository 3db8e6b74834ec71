// One rule file's text → its Sigma documents: YAML documents, collection actions, schema validation and
// the checks beyond the schema. A bad document is reported and skipped; the others still load.
import { parseAllDocuments, type Document } from 'yaml';
import { SigmaRuleError } from '../sigma-types.js';
import { resolveCollection, type ParsedYamlDocument } from './collection-actions.js';
import { buildDocument, documentKind } from './document-builder.js';
import type { ParseResult, SigmaRuleWarning } from './rule-document.js';
import { validateAgainstSchema } from './schema-validator.js';
import { hasCycle, isPlainObject, ruleLabel } from './yaml-values.js';

/** Most YAML errors reported per document (the first usually explains the rest). */
const MAX_YAML_ERRORS = 3;
/** Aliases a document may expand (guards against "billion laughs" documents). */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses the text of one rule file (one or several YAML documents) into validated Sigma documents.
 * `file` names the source in documents and errors. Never throws for bad input: every problem is an entry
 * of `errors` naming the file, the rule (id, else title, else document number) and the offending key.
 * Throws only `SigmaSchemaUnavailableError`, when the vendored JSON schemas are missing (a broken install).
 */
export function parseRuleText(text: string, file: string): ParseResult {
  const errors: SigmaRuleError[] = [];
  const warnings: SigmaRuleWarning[] = [];
  const parsed = readYamlDocuments(text, file, errors, warnings);
  const resolved = resolveCollection(parsed, file);
  errors.push(...resolved.errors);

  const result: ParseResult = { documents: [], errors, warnings };
  for (const { value: raw, documentIndex } of resolved.documents) {
    const ruleId = ruleLabel(raw, documentIndex);
    const kind = documentKind(raw);
    const problems = validateAgainstSchema(kind, schemaView(kind, raw, file, ruleId, warnings));
    // The checks beyond the schema run even on a schema-invalid document, so one pass reports everything;
    // a key the schema already faulted is not reported twice.
    const built = buildDocument(kind, raw, { file, documentIndex });
    const faulted = new Set(problems.map(({ key }) => key));
    problems.push(...built.problems.filter(({ key }) => !faulted.has(key)));
    if (problems.length === 0 && built.document) result.documents.push(built.document);
    for (const { key, message } of problems) {
      errors.push(new SigmaRuleError(message, { file, ruleId, ...(key ? { key } : {}) }));
    }
  }
  if (parsed.length === 0 && errors.length === 0) {
    warnings.push({ file, message: 'the file holds no YAML document' });
  }
  return result;
}

function readYamlDocuments(
  text: string,
  file: string,
  errors: SigmaRuleError[],
  warnings: SigmaRuleWarning[],
): ParsedYamlDocument[] {
  const out: ParsedYamlDocument[] = [];
  const documents = parseAllDocuments(text, { prettyErrors: true, merge: true, uniqueKeys: true });
  documents.forEach((document: Document, documentIndex) => {
    const ruleId = brokenDocumentLabel(document, documentIndex);
    for (const warning of document.warnings) {
      warnings.push({ file, ruleId, message: `YAML warning ${describeYamlProblem(warning, text)}` });
    }
    if (document.errors.length > 0) {
      for (const error of document.errors.slice(0, MAX_YAML_ERRORS)) {
        errors.push(
          new SigmaRuleError(`YAML syntax error ${describeYamlProblem(error, text)}`, { file, ruleId }),
        );
      }
      return;
    }
    try {
      const value: unknown = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      if (hasCycle(value)) {
        errors.push(
          new SigmaRuleError('YAML error: the document contains itself through an alias', { file, ruleId }),
        );
        return;
      }
      out.push({ value, documentIndex });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      errors.push(new SigmaRuleError(`YAML error: ${reason}`, { file, ruleId }, { cause: error }));
    }
  });
  return out;
}

/**
 * How errors name a document the YAML parser faulted: its `id` when the part that parsed holds it as one
 * word (a broken rule is still found by its id), else its position in the file. The title is not used: an
 * unclosed quote makes it swallow the lines after it.
 */
function brokenDocumentLabel(document: Document, documentIndex: number): string {
  const id: unknown = document.get('id');
  return typeof id === 'string' && /^\S+$/.test(id) ? id : `document ${documentIndex + 1}`;
}

/**
 * `at line 4, column 3: <reason>` from a yaml library error or warning; a repeated key is named (the
 * library's message does not say which key it is).
 */
function describeYamlProblem(
  problem: {
    message: string;
    code: string;
    pos?: [number, number];
    linePos?: [{ line: number; col: number }, ...unknown[]];
  },
  text: string,
): string {
  const position = problem.linePos?.[0];
  let reason = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '');
  if (problem.code === 'DUPLICATE_KEY' && problem.pos) {
    const key = repeatedKey(text, problem.pos[0]);
    if (key) reason += ` ('${key}' appears twice)`;
  }
  const where = position ? `at line ${position.line}, column ${position.col}` : 'in the document';
  return `${where}: ${reason} (${problem.code})`;
}

/** Longest key text shown in a message. */
const MAX_KEY_TEXT = 80;

/** The key written at `offset` (up to its `:`), as the file spells it; undefined when it cannot be read. */
function repeatedKey(text: string, offset: number): string | undefined {
  const end = text.indexOf('\n', offset);
  const line = text.slice(offset, Math.min(end === -1 ? text.length : end, offset + MAX_KEY_TEXT * 2));
  const match = /^(?:"[^"]*"|'[^']*'|[^\s:#][^:#]*?)(?=\s*:(?:\s|$))/.exec(line);
  const key = match?.[0].trim();
  if (!key) return undefined;
  return key.length > MAX_KEY_TEXT ? `${key.slice(0, MAX_KEY_TEXT - 3)}...` : key;
}

/**
 * What the schema sees. The rules specification allows `condition` to be a list of conditions (ORed),
 * which pySigma accepts but the JSON schema does not: such a list is shown to the schema as one string,
 * and noted as a warning.
 */
function schemaView(
  kind: string,
  raw: Record<string, unknown>,
  file: string,
  ruleId: string,
  warnings: SigmaRuleWarning[],
): Record<string, unknown> {
  const block = kind === 'detection' ? raw.detection : kind === 'filter' ? raw.filter : undefined;
  if (!isPlainObject(block) || !Array.isArray(block.condition)) return raw;
  const list = block.condition as unknown[];
  if (list.length === 0 || !list.every((item) => typeof item === 'string')) return raw;
  const key = `${kind === 'filter' ? 'filter' : 'detection'}.condition`;
  warnings.push({
    file,
    ruleId,
    key,
    message:
      'a list of conditions is allowed by the specification text but not by its JSON schema; prefer one condition',
  });
  const joined = list.map((condition) => `(${condition})`).join(' or ');
  return { ...raw, [kind]: { ...block, condition: joined } };
}
