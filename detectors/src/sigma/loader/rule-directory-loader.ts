// Loading every Sigma rule file (*.yml, *.yaml) under a directory, recursively, in a stable order.
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { SigmaRuleError } from '../sigma-types.js';
import type { LoadReport, ParseResult, SigmaDocument } from './rule-document.js';
import { parseRuleText } from './rule-parser.js';

const RULE_FILE = /\.ya?ml$/i;

/**
 * Loads one rule file. A file that cannot be read gives an error in the result, not an exception.
 */
export async function loadRuleFile(file: string): Promise<ParseResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { documents: [], errors: [readError(file, error)], warnings: [] };
  }
  return parseRuleText(text, file);
}

/**
 * Loads every `*.yml` / `*.yaml` file under `dir` (sub-directories included, symbolic links followed once),
 * in sorted path order so the result is the same on every run. Bad files and documents are reported in
 * `errors` and never stop the others; a rule id seen twice is an error on the later document, which is
 * left out. A directory that cannot be read is reported as an error too.
 */
export async function loadRuleDirectory(dir: string): Promise<LoadReport> {
  const report: LoadReport = { documents: [], errors: [], warnings: [], files: 0 };
  const files = await listRuleFiles(dir, report, new Set());
  const firstFileOfId = new Map<string, string>();
  for (const file of files) {
    const result = await loadRuleFile(file);
    report.files++;
    report.errors.push(...result.errors);
    report.warnings.push(...result.warnings);
    for (const document of result.documents) {
      if (isDuplicate(document, firstFileOfId, report)) continue;
      report.documents.push(document);
    }
  }
  return report;
}

function isDuplicate(
  document: SigmaDocument,
  firstFileOfId: Map<string, string>,
  report: LoadReport,
): boolean {
  if (document.id === undefined) return false;
  const first = firstFileOfId.get(document.id);
  if (first === undefined) {
    firstFileOfId.set(document.id, document.file);
    return false;
  }
  const where = first === document.file ? 'earlier in the same file' : `in ${first}`;
  report.errors.push(
    new SigmaRuleError(`rule id is already used by a rule ${where}; this rule is not loaded`, {
      file: document.file,
      ruleId: document.id,
      key: 'id',
    }),
  );
  return true;
}

async function listRuleFiles(dir: string, report: LoadReport, visited: Set<string>): Promise<string[]> {
  let names: string[];
  try {
    const real = await realpath(dir);
    if (visited.has(real)) return []; // a symbolic link loop
    visited.add(real);
    names = await readdir(dir);
  } catch (error) {
    report.errors.push(readError(dir, error));
    return [];
  }
  const files: string[] = [];
  for (const name of names.sort(compareNames)) {
    if (name.startsWith('.')) continue; // .git, editor swap files
    const full = path.join(dir, name);
    let info;
    try {
      info = await stat(full);
    } catch (error) {
      report.errors.push(readError(full, error));
      continue;
    }
    if (info.isDirectory()) files.push(...(await listRuleFiles(full, report, visited)));
    else if (info.isFile() && RULE_FILE.test(name)) files.push(full);
  }
  return files;
}

/** Code-point order: the same on every machine and locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function readError(file: string, error: unknown): SigmaRuleError {
  const reason = error instanceof Error ? error.message : String(error);
  return new SigmaRuleError(`cannot read: ${reason}`, { file }, { cause: error });
}
