// Every search identifier of the Sigma corpus rules compiles; every SigmaHQ regression event is matched
// by at least one of its rule's `selection*` identifiers (a check of the matching semantics on real data;
// the full condition is the condition compiler's job).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SigmaRuleError, SigmaUnsupportedError } from '../sigma-types.js';
import { flattenEvtxRecord, parseJsonRecords } from '../engine/index.js';
import { eventSatisfiesLiterals } from './prefilter-literals.js';
import { compileSelection } from './selection.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/sigma');
const present = existsSync(corpus);
if (!present && process.env.CI) throw new Error(`Sigma corpus missing at ${corpus} (required in CI)`);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yml'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

interface Rule {
  id?: string;
  detection?: Record<string, unknown>;
}

function rulesOf(file: string): Rule[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as Rule);
}

function selectionsOf(rule: Rule): [string, unknown][] {
  return Object.entries(rule.detection ?? {}).filter(
    ([name]) => name !== 'condition' && name !== 'timeframe',
  );
}

describe.skipIf(!present)('Sigma corpus', () => {
  it('compiles every search identifier of every rule', () => {
    const dirs = readdirSync(corpus).filter((name) => name.startsWith('rules'));
    const files = dirs.flatMap((dir) => yamlFiles(path.join(corpus, dir)));
    expect(files.length).toBeGreaterThan(600);
    const failures: string[] = [];
    let compiled = 0;
    for (const file of files) {
      for (const rule of rulesOf(file)) {
        for (const [name, value] of selectionsOf(rule)) {
          try {
            compileSelection(name, value, {}, { file, ruleId: rule.id });
            compiled++;
          } catch (error) {
            if (error instanceof SigmaRuleError || error instanceof SigmaUnsupportedError) {
              failures.push(error.message);
            } else {
              throw error;
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(compiled).toBeGreaterThan(1000);
  });

  it('matches each regression event with one of its rule selections', () => {
    const regression = path.join(corpus, 'regression');
    const manifest = JSON.parse(readFileSync(path.join(regression, 'manifest.json'), 'utf8')) as {
      rule_path: string;
      data_dir: string;
      event_files: string[];
    }[];
    const misses: string[] = [];
    const literalMisses: string[] = [];
    let checked = 0;
    for (const entry of manifest) {
      const rule = rulesOf(path.join(regression, 'rules', entry.rule_path))[0];
      if (!rule) continue;
      const selections = selectionsOf(rule).filter(([name]) => name.startsWith('selection'));
      if (selections.length === 0) continue;
      const tests = selections.map(([name, value]) => compileSelection(name, value, {}, { ruleId: rule.id }));
      for (const eventFile of entry.event_files) {
        const text = readFileSync(path.join(regression, entry.data_dir, eventFile), 'utf8');
        const events = parseJsonRecords(text).map(flattenEvtxRecord);
        checked++;
        if (!events.some((event) => tests.some((test) => test.test(event)))) misses.push(entry.rule_path);
        for (const event of events) {
          for (const test of tests) {
            if (test.test(event) && !eventSatisfiesLiterals(test.literals, event))
              literalMisses.push(entry.rule_path);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(misses).toEqual([]);
    expect(literalMisses).toEqual([]);
  });
});
