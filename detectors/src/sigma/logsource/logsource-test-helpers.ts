// Test helpers of the log-source mapping: the field names a rule's detection block uses, and the corpus paths.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** /work/shared/corpus, resolved from the repository root. */
export const corpusRoot = path.resolve(repoRoot, '../shared/corpus');

/** The repository root (/work/main). */
export const mainRoot = repoRoot;

/** Whether a corpus folder is present; throws when it is absent and CI is set (tests must not skip in CI). */
export function corpusPresent(folder: string): boolean {
  const present = existsSync(folder);
  if (!present && process.env['CI']) throw new Error(`corpus missing at ${folder} (required in CI)`);
  return present;
}

/** The field names (modifiers stripped, keywords skipped) of a detection block's search identifiers. */
export { detectionFieldNames as detectionFields } from './detection-fields.js';
