// SigmaHQ's regression pairs (a rule and the evtx events it must match) through the product's path: the
// rules loaded with loadRuleSet, the events flattened with flattenEvtxRecord (a `.raw` file's lines taken
// as `{message}` events), every event evaluated by one
// RuleSet holding ALL regression rules. Writes a pass/fail report per pair to
// detectors/test-results/sigma-regression.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SigmaEvent } from '../sigma-types.js';
import type { CompiledRule } from './compiled-rule.js';
import { flattenEvtxRecord } from './evtx-record.js';
import { parseJsonRecords } from './json-records.js';
import { loadRuleSet, type LoadedRuleSet } from './rule-set-loader.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const regression = path.resolve(repoRoot, '../shared/corpus/sigma/regression');
const reportFile = path.join(repoRoot, 'detectors/test-results/sigma-regression.json');
const present = existsSync(path.join(regression, 'manifest.json'));
if (!present && process.env.CI)
  throw new Error(`Sigma regression corpus missing at ${regression} (required in CI)`);

/**
 * Pairs whose manifest `match_count` counts fewer events than the rule's text matches: every one of these
 * events satisfies the rule as written (checked by hand: each file's procdump*.exe drops, AnyDesk
 * user.conf writes and ZoneMap\\Domains values with DWORD 2), so the count expected here is the number
 * of events that do, not the manifest's.
 */
const CORPUS_COUNT_DIVERGENCES: ReadonlyMap<string, number> = new Map([
  ['8fbf3271-1ef6-4e94-8210-03c2317947f6', 3], // Cred Dump Tools Dropped Files: manifest says 1
  ['0b9ad457-2554-44c1-82c2-d56a99c42377', 3], // Anydesk Temporary Artefact: manifest says 1
  ['45e112d0-7759-4c2a-aa36-9f8fb79d3393', 3], // IE Change Domain Zone: manifest says 1
]);

interface ManifestEntry {
  rule_id: string;
  title: string;
  rule_path: string;
  data_dir: string;
  event_files: string[];
  tests: Array<{ name: string; type: string; match_count: number | null }>;
}

interface PairResult {
  rule_id: string;
  rule_path: string;
  status: 'pass' | 'fail' | 'not-loaded';
  reason?: string;
  events: number;
  matched: number;
  expected: number | 'at least 1';
  prefilterExcludedMatches: number;
}

describe.skipIf(!present)('SigmaHQ regression pairs', () => {
  let loaded: LoadedRuleSet;
  let manifest: ManifestEntry[];
  let results: PairResult[];

  beforeAll(async () => {
    loaded = await loadRuleSet([path.join(regression, 'rules')]);
    manifest = JSON.parse(readFileSync(path.join(regression, 'manifest.json'), 'utf8')) as ManifestEntry[];
    results = manifest.map((entry) => runPair(loaded, entry));
    mkdirSync(path.dirname(reportFile), { recursive: true });
    const summary = {
      pairs: results.length,
      passed: results.filter((result) => result.status === 'pass').length,
      failed: results.filter((result) => result.status === 'fail').length,
      notLoaded: results.filter((result) => result.status === 'not-loaded').length,
      rulesLoaded: loaded.report.loaded,
      unsupported: loaded.report.unsupported,
      errors: loaded.report.errors,
    };
    writeFileSync(reportFile, `${JSON.stringify({ summary, results }, null, 2)}\n`);
  });

  it('loads the regression rules into one rule set', () => {
    expect(manifest.length).toBeGreaterThan(90);
    expect(loaded.report.errors).toEqual([]);
    expect(loaded.report.loaded).toBeGreaterThanOrEqual(manifest.length - loaded.report.unsupported.length);
  });

  it('matches every pair whose rule loads, with the expected match count', () => {
    const failures = results.filter((result) => result.status === 'fail');
    expect(failures).toEqual([]);
    expect(results.filter((result) => result.status === 'pass').length).toBeGreaterThan(90);
  });

  it('never lets the prefilter exclude a rule from an event it matches', () => {
    expect(results.filter((result) => result.prefilterExcludedMatches > 0)).toEqual([]);
    expect(results.reduce((sum, result) => sum + result.matched, 0)).toBeGreaterThan(100);
  });

  it('writes the report', () => {
    const written = JSON.parse(readFileSync(reportFile, 'utf8')) as { results: PairResult[] };
    expect(written.results).toHaveLength(manifest.length);
  });
});

function runPair({ ruleSet, report }: LoadedRuleSet, entry: ManifestEntry): PairResult {
  const expectedCount =
    CORPUS_COUNT_DIVERGENCES.get(entry.rule_id) ??
    entry.tests.find((test) => test.match_count !== null)?.match_count ??
    undefined;
  const result: PairResult = {
    rule_id: entry.rule_id,
    rule_path: entry.rule_path,
    status: 'fail',
    events: 0,
    matched: 0,
    expected: expectedCount ?? 'at least 1',
    prefilterExcludedMatches: 0,
  };
  const index = ruleSet.rules.findIndex((rule) => rule.id === entry.rule_id);
  if (index < 0) {
    const unsupported = report.unsupported.find((rule) => rule.id === entry.rule_id);
    const error = report.errors.find((rule) => rule.id === entry.rule_id);
    result.status = unsupported ? 'not-loaded' : 'fail';
    result.reason = unsupported?.message ?? error?.message ?? 'the rule is not in the rule set';
    return result;
  }
  const rule = ruleSet.rules[index] as CompiledRule;
  if (path.resolve(rule.document.file) !== path.join(regression, 'rules', entry.rule_path)) {
    result.reason = `rule ${entry.rule_id} was loaded from ${rule.document.file}, not ${entry.rule_path}`;
    return result;
  }
  const mismatches: string[] = [];
  for (const file of entry.event_files) {
    for (const event of eventsOf(path.join(regression, entry.data_dir, file))) {
      result.events++;
      const viaSet = ruleSet.matches(event).includes(rule);
      const direct = rule.test(event);
      if (viaSet) result.matched++;
      if (direct && !ruleSet.prefilterAdmits(event, index)) result.prefilterExcludedMatches++;
      if (direct !== viaSet) mismatches.push(`event ${result.events}: test ${direct}, rule set ${viaSet}`);
    }
  }
  const countOk = expectedCount === undefined ? result.matched >= 1 : result.matched === expectedCount;
  if (mismatches.length > 0) result.reason = `rule set and rule test disagree: ${mismatches.join('; ')}`;
  else if (!countOk)
    result.reason = `matched ${result.matched} of ${result.events} events, expected ${result.expected}`;
  else result.status = 'pass';
  return result;
}

/**
 * The events of a regression file: evtx JSON records (one, a list, or several documents), flattened; a
 * `.raw` file (syslog lines) gives one `{message}` event per non-empty line.
 */
function eventsOf(file: string): SigmaEvent[] {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.raw')) {
    return text
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => ({ message: line }));
  }
  return parseJsonRecords(text).map(flattenEvtxRecord);
}
