// Every SigmaHQ rule of the shared corpus is either loadable on InoSec telemetry (its log source is fed and all
// its fields are mapped) or unsupported with one documented reason; the counts are printed.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleDirectory } from '../loader/index.js';
import type { SigmaRuleDocument } from '../loader/index.js';
import { corpusPresent, corpusRoot, detectionFields } from './logsource-test-helpers.js';
import { isResolved, resolveLogSource, unmappedFields } from './resolve-logsource.js';
import { isUnsupportedReason } from './unsupported-reasons.js';

const sigma = path.join(corpusRoot, 'sigma');
const FOLDERS = ['rules', 'rules-threat-hunting', 'rules-emerging-threats-nonwindows'];
const present = corpusPresent(path.join(sigma, 'rules'));

type Verdict =
  { state: 'loadable'; key: string } | { state: 'unsupported'; reason: string; detail: string; key?: string };

/** What the engine will do with a rule: run it, or report it unsupported with the reason. */
function classify(rule: SigmaRuleDocument): Verdict {
  const resolved = resolveLogSource(rule.logsource);
  if (!isResolved(resolved))
    return { state: 'unsupported', reason: resolved.unsupported, detail: resolved.detail };
  const missing = unmappedFields(resolved.key, detectionFields(rule.detection));
  if (missing.length) {
    return { state: 'unsupported', reason: 'unmapped_field', detail: missing.join(', '), key: resolved.key };
  }
  return { state: 'loadable', key: resolved.key };
}

function count<T>(items: readonly T[], by: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[by(item)] = (counts[by(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

describe.skipIf(!present)('SigmaHQ corpus against the log-source table', async () => {
  const reports = present
    ? await Promise.all(FOLDERS.map((f) => loadRuleDirectory(path.join(sigma, f))))
    : [];
  const rules = reports
    .flatMap((report) => report.documents)
    .filter((doc): doc is SigmaRuleDocument => doc.kind === 'detection');
  const verdicts = rules.map((rule) => ({ rule, verdict: classify(rule) }));
  const isLinux = (rule: SigmaRuleDocument): boolean => rule.logsource.product?.toLowerCase() === 'linux';

  it('classifies every rule as loadable or unsupported with a documented reason', () => {
    expect(rules).toHaveLength(689);
    for (const { rule, verdict } of verdicts) {
      expect(['loadable', 'unsupported'], rule.file).toContain(verdict.state);
      if (verdict.state === 'unsupported') expect(isUnsupportedReason(verdict.reason), rule.file).toBe(true);
    }
    const linux = verdicts.filter(({ rule }) => isLinux(rule));
    const summary = {
      total: verdicts.length,
      byState: count(verdicts, ({ verdict }) => verdict.state),
      unsupportedByReason: count(
        verdicts.filter(({ verdict }) => verdict.state === 'unsupported'),
        ({ verdict }) => (verdict.state === 'unsupported' ? verdict.reason : ''),
      ),
      linux: linux.length,
      linuxLoadable: linux.filter(({ verdict }) => verdict.state === 'loadable').length,
      loadableByKey: count(
        verdicts.filter(({ verdict }) => verdict.state === 'loadable'),
        ({ verdict }) => (verdict.state === 'loadable' ? verdict.key : ''),
      ),
      linuxUnsupported: linux
        .filter(({ verdict }) => verdict.state === 'unsupported')
        .map(
          ({ rule, verdict }) =>
            `${path.basename(rule.file)}: ${verdict.state === 'unsupported' ? `${verdict.reason} (${verdict.detail})` : ''}`,
        ),
    };
    // eslint-disable-next-line no-console -- the corpus test reports its counts
    console.info(`[logsource corpus] ${JSON.stringify(summary, null, 2)}`);
    // RULE_COUNTS_BY_LOGSOURCE.txt: 210 + 4 + 34 Linux rules. All but the two OMIGOD rules on Sysmon's
    // LogonId are fully supported.
    expect(summary.linux).toBe(248);
    expect(summary.linuxLoadable).toBe(246);
    expect(summary.byState).toEqual({ unsupported: 443, loadable: 246 });
  });

  it('reports the rules on LogonId (no InoSec source) as unmapped_field naming the field', () => {
    const logonId = verdicts.filter(({ rule }) => detectionFields(rule.detection).includes('LogonId'));
    expect(logonId).toHaveLength(2);
    for (const { verdict } of logonId) {
      expect(verdict).toMatchObject({ state: 'unsupported', reason: 'unmapped_field', detail: 'LogonId' });
    }
  });

  it('loads every auditd, process_creation and file_event rule, and no web, DNS, Zeek or cloud rule', () => {
    for (const { rule, verdict } of verdicts) {
      const where = `${rule.file} (${JSON.stringify(rule.logsource)})`;
      const ls = rule.logsource;
      if (ls.product === 'linux' && (ls.service === 'auditd' || ls.category === 'file_event')) {
        expect(verdict.state, where).toBe('loadable');
      }
      if (ls.category === 'webserver' || ls.category === 'proxy') {
        expect(verdict, where).toMatchObject({ reason: 'needs_log_collector' });
      }
      if (ls.category === 'dns' || ls.product === 'zeek') {
        expect(verdict, where).toMatchObject({ reason: 'needs_network_sensor' });
      }
      if (['aws', 'azure', 'gcp', 'm365', 'okta', 'cisco'].includes(ls.product ?? '')) {
        expect(verdict, where).toMatchObject({ reason: 'product_not_collected' });
      }
    }
  });
});

describe('SigmaHQ corpus presence', () => {
  it('is present when CI is set', () => {
    if (!process.env['CI'] && !present) return;
    expect(present).toBe(true);
  });
});
