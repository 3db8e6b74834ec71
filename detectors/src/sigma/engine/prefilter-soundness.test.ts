// The prefilter never loses a match, checked exhaustively: every rule of the corpus (689 rules plus the
// regression rules) against every event of a large set (the regression events, and events built from the
// rules' own values so that most anchors occur, with case changes and near misses). For every
// (rule, event): prefilter says no ⇒ test(event) is false; the rule set's candidates are exactly the rules
// whose prefilter the literal contract admits; and the rule set reports exactly the rules whose test is true.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SigmaEvent } from '../sigma-types.js';
import type { CompiledRule } from './compiled-rule.js';
import { flattenEvtxRecord } from './evtx-record.js';
import { parseJsonRecords } from './json-records.js';
import { loadRuleSet } from './rule-set-loader.js';
import type { RuleSet } from './rule-set.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/sigma');
const present = existsSync(path.join(corpus, 'regression/manifest.json'));
if (!present && process.env.CI) throw new Error(`Sigma corpus missing at ${corpus} (required in CI)`);

/** The texts the literal contract looks in: every scalar value, lower-cased. */
function textsOf(node: unknown, texts: string[] = [], depth = 0): string[] {
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
    texts.push(String(node).toLowerCase());
  } else if (node !== null && typeof node === 'object' && depth < 64) {
    for (const value of Object.values(node)) textsOf(value, texts, depth + 1);
  }
  return texts;
}

function admits(prefilter: string[][] | undefined, texts: readonly string[]): boolean {
  return (
    !prefilter ||
    prefilter.some((alternative) =>
      alternative.every((literal) => texts.some((text) => text.includes(literal))),
    )
  );
}

/** A plain value a detection value could match: wildcards and escapes removed or replaced. */
function plain(value: string, wildcard: string): string {
  return value.replace(/\\([*?\\])/g, '$1').replace(/[*?]/g, wildcard);
}

/** Events built from the detection values of a rule: one per map, one per listed value (capped). */
function eventsFromRule(rule: CompiledRule, variant: number): SigmaEvent[] {
  const events: SigmaEvent[] = [];
  const maps: Record<string, unknown>[] = [];
  const keywords: string[] = [];
  for (const [name, value] of Object.entries(rule.document.detection)) {
    if (name === 'condition') continue;
    const list = Array.isArray(value) ? (value as unknown[]) : [value];
    for (const element of list) {
      if (element !== null && typeof element === 'object' && !Array.isArray(element))
        maps.push(element as Record<string, unknown>);
      else if (typeof element === 'string') keywords.push(element);
    }
  }
  const shape = (text: string): string =>
    variant === 0 ? text : variant === 1 ? `PRE ${text.toUpperCase()} post` : text.slice(1);
  for (const map of maps) {
    const event: Record<string, unknown> = {};
    for (const [key, values] of Object.entries(map)) {
      const field = key.split('|')[0] || 'Keywords';
      const list = (Array.isArray(values) ? values : [values]).filter(
        (value): value is string | number | boolean =>
          typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean',
      );
      const all = key.includes('|all');
      const texts = list.map((value) =>
        typeof value === 'string' ? shape(plain(value, variant === 2 ? 'x' : '')) : value,
      );
      event[field] = all ? texts.join(' ') : texts[0];
      for (const text of texts.slice(1, 6)) events.push({ [field]: text });
    }
    events.push(event);
  }
  for (const keyword of keywords.slice(0, 6)) events.push({ message: shape(plain(keyword, ' ')) });
  return events;
}

function regressionEvents(): SigmaEvent[] {
  const dataDir = path.join(corpus, 'regression/data');
  const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter(
    (entry) => entry.isFile() && (entry.name.endsWith('.json') || entry.name.endsWith('.raw')),
  );
  return files.flatMap((entry) => {
    const text = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    if (entry.name.endsWith('.raw'))
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ message: line }));
    return parseJsonRecords(text).map(flattenEvtxRecord);
  });
}

describe.skipIf(!present)('prefilter soundness on the corpus', () => {
  let ruleSet: RuleSet;
  let events: SigmaEvent[];

  beforeAll(async () => {
    const dirs = readdirSync(corpus)
      .filter((name) => name.startsWith('rules'))
      .map((name) => path.join(corpus, name));
    const loaded = await loadRuleSet([...dirs, path.join(corpus, 'regression/rules')]);
    ruleSet = loaded.ruleSet;
    const regression = regressionEvents();
    const built = ruleSet.rules.flatMap((rule) =>
      [0, 1, 2].flatMap((variant) => eventsFromRule(rule, variant)),
    );
    // Events mixing several rules' values: anchors of many rules at once.
    const mixed = Array.from({ length: 200 }, (_, i) => ({
      ...built[(i * 7) % built.length],
      ...built[(i * 13 + 5) % built.length],
      nested: { list: [built[(i * 31 + 1) % built.length]] },
    }));
    events = [...regression, ...built, ...mixed];
  });

  it('covers the corpus with many events, most rules having a prefilter', () => {
    expect(ruleSet.size).toBeGreaterThan(750);
    expect(events.length).toBeGreaterThan(3000);
    const stats = ruleSet.stats();
    expect(stats.alwaysEvaluated).toBeLessThan(ruleSet.size * 0.2);
    expect(stats.anchors).toBeGreaterThan(1000);
  });

  it('prefilter says no ⇒ the rule does not match, and the rule set finds exactly the matches', () => {
    const violations: string[] = [];
    const candidateErrors: string[] = [];
    const setErrors: string[] = [];
    let matches = 0;
    let excluded = 0;
    events.forEach((event, e) => {
      const texts = textsOf(event);
      const expectedCandidates: number[] = [];
      const expectedMatches = new Set<CompiledRule>();
      ruleSet.rules.forEach((rule, r) => {
        const admitted = admits(rule.prefilter, texts);
        const matched = rule.test(event);
        if (rule.prefilter && admitted) expectedCandidates.push(r);
        if (!admitted) excluded++;
        if (matched) {
          matches++;
          expectedMatches.add(rule);
          if (!admitted) violations.push(`${rule.id ?? rule.title} on event ${e}`);
        }
      });
      if (ruleSet.prefilterCandidates(event).join() !== expectedCandidates.join())
        candidateErrors.push(`event ${e}`);
      const found = ruleSet.matches(event);
      if (found.length !== expectedMatches.size || !found.every((rule) => expectedMatches.has(rule)))
        setErrors.push(`event ${e}`);
    });
    expect(violations).toEqual([]);
    expect(candidateErrors).toEqual([]);
    expect(setErrors).toEqual([]);
    expect(matches).toBeGreaterThan(1000); // the property is not vacuous
    expect(excluded).toBeGreaterThan(events.length * ruleSet.size * 0.9); // and the prefilter does prune
  });
});
