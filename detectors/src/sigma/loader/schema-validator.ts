// Validation of a document against the Sigma specification's JSON schemas (draft 2020-12), vendored in
// ./schemas (see schemas/SOURCE.md). The schemas are read once, on first use.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { InosecError } from '@inosec/protos';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { translateSchemaErrors, type RuleProblem } from './schema-error-text.js';

/** The three kinds of Sigma document, each with its own schema. */
export type SigmaDocumentKind = 'detection' | 'correlation' | 'filter';

const SCHEMA_FILES: Readonly<Record<SigmaDocumentKind, string>> = {
  detection: 'sigma-detection-rule-schema.json',
  correlation: 'sigma-correlation-rules-schema.json',
  filter: 'sigma-filters-schema.json',
};

// `tsc` does not copy .json files to dist/: from dist/sigma/loader/ the vendored files are found in the
// workspace's src/ tree (which ships with the package).
const SCHEMA_DIR_CANDIDATES = ['./schemas/', '../../../src/sigma/loader/schemas/'];

/** UUID in its canonical textual form (any version), as ajv-formats checks `format: uuid`. */
const UUID = /^(?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let validators: Readonly<Record<SigmaDocumentKind, ValidateFunction>> | undefined;

/** The vendored schemas cannot be found or read: the installation is broken, not a rule. */
export class SigmaSchemaUnavailableError extends InosecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('sigma_schema_unavailable', message, options);
  }
}

/** Checks a document against its kind's schema; an empty list means it is valid. */
export function validateAgainstSchema(kind: SigmaDocumentKind, document: unknown): RuleProblem[] {
  const validate = (validators ??= compileValidators())[kind];
  if (validate(document)) return [];
  return translateSchemaErrors(validate.errors ?? [], document);
}

function compileValidators(): Record<SigmaDocumentKind, ValidateFunction> {
  const dir = schemaDirectory();
  // strict: false: the published schemas use annotations ajv's strict mode rejects (`items` on objects,
  // properties inside `anyOf` branches); they are data we vendor, not ours to rewrite.
  const ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
  ajv.addFormat('uuid', UUID);
  const compile = (kind: SigmaDocumentKind): ValidateFunction => {
    const file = path.join(dir, SCHEMA_FILES[kind]);
    try {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      return ajv.compile(schema);
    } catch (error) {
      throw new SigmaSchemaUnavailableError(`cannot load the Sigma ${kind} schema ${file}`, { cause: error });
    }
  };
  return { detection: compile('detection'), correlation: compile('correlation'), filter: compile('filter') };
}

function schemaDirectory(): string {
  for (const candidate of SCHEMA_DIR_CANDIDATES) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path.join(dir, SCHEMA_FILES.detection))) return dir;
  }
  throw new SigmaSchemaUnavailableError(
    `the vendored Sigma JSON schemas are missing (looked in ${SCHEMA_DIR_CANDIDATES.join(', ')} next to ${import.meta.url})`,
  );
}
