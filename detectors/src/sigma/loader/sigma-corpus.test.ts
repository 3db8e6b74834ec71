// Loads SigmaHQ's real rules from the shared corpus: every one must load without an error.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LoadReport, SigmaDocument } from './rule-document.js';
import { loadRuleDirectory, loadRuleFile } from './rule-directory-loader.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const sigmaCorpus = path.resolve(repoRoot, '../shared/corpus', 'sigma');
const present = existsSync(path.join(sigmaCorpus, 'rules'));
const RULE_FOLDERS = ['rules', 'rules-threat-hunting', 'rules-emerging-threats-nonwindows'];

/** The first errors, readable in a failure message. */
function firstErrors(report: LoadReport): string[] {
  return report.errors.slice(0, 10).map((error) => error.message);
}

function countByKind(documents: readonly SigmaDocument[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { kind } of documents) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('SigmaHQ corpus', () => {
  it('is present (required in CI)', () => {
    if (!present && !process.env.CI) return; // a developer machine without the corpus
    expect(present, `the Sigma corpus is missing at ${sigmaCorpus}`).toBe(true);
  });

  it.skipIf(!present)('loads every rule of the rule folders without an error', async () => {
    const reports = await Promise.all(
      RULE_FOLDERS.map((folder) => loadRuleDirectory(path.join(sigmaCorpus, folder))),
    );
    const documents = reports.flatMap((report) => report.documents);
    const files = reports.reduce((sum, report) => sum + report.files, 0);
    for (const report of reports) expect(firstErrors(report)).toEqual([]);
    expect(files).toBe(689);
    expect(documents).toHaveLength(689);
    const counts = countByKind(documents);
    // eslint-disable-next-line no-console -- the corpus test reports what it loaded
    console.info(`SigmaHQ corpus: ${files} files, documents by kind ${JSON.stringify(counts)}`);
    expect(counts.detection).toBe(689);
    expect(new Set(documents.map((document) => document.id)).size).toBe(689);
  });

  it.skipIf(!present)('loads every regression rule, and each rule the manifest names', async () => {
    const report = await loadRuleDirectory(path.join(sigmaCorpus, 'regression', 'rules'));
    expect(firstErrors(report)).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(path.join(sigmaCorpus, 'regression', 'manifest.json'), 'utf8'),
    ) as Array<{
      rule_id: string;
    }>;
    const loaded = new Set(report.documents.map((document) => document.id));
    expect(manifest.map((entry) => entry.rule_id).filter((id) => !loaded.has(id))).toEqual([]);
    expect(report.files).toBe(manifest.length);
    // eslint-disable-next-line no-console -- the corpus test reports what it loaded
    console.info(
      `SigmaHQ regression rules: ${report.files} files, documents by kind ${JSON.stringify(countByKind(report.documents))}`,
    );
  });

  it.skipIf(!present)("validates the specification repository's own schema samples", async () => {
    // Each sample stands alone (several share an id), so they are loaded file by file.
    const dir = path.join(sigmaCorpus, 'spec', 'tests', 'schema');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.yml'),
    );
    const results = await Promise.all(files.map((file) => loadRuleFile(path.join(dir, file))));
    expect(results.flatMap((result) => result.errors.map((error) => error.message))).toEqual([]);
    expect(countByKind(results.flatMap((result) => result.documents))).toEqual({
      correlation: 8,
      detection: 2,
      filter: 2,
    });
  });
});
