import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAttackTags } from './attack-tags.js';

describe('parseAttackTags', () => {
  it('splits tactics, techniques, sub-techniques, groups and software', () => {
    const mapping = parseAttackTags([
      'attack.credential-access',
      'attack.t1110.001',
      'attack.T1110',
      'attack.g0032',
      'attack.s0002',
      'car.2016-04-005',
      'cve.2021-44228',
    ]);
    expect(mapping).toEqual({
      tactics: ['credential-access'],
      techniques: ['T1110.001', 'T1110'],
      groups: ['G0032'],
      software: ['S0002'],
      unrecognised: [],
    });
  });

  it('reports malformed attack tags instead of dropping them', () => {
    const mapping = parseAttackTags(['attack.t11', 'attack.bogus-tactic', 'attack.t1059']);
    expect(mapping.techniques).toEqual(['T1059']);
    expect(mapping.unrecognised).toEqual(['attack.t11', 'attack.bogus-tactic']);
  });

  it('keeps the first occurrence of repeated tags only', () => {
    expect(parseAttackTags(['attack.execution', 'attack.Execution']).tactics).toEqual(['execution']);
  });
});

// SigmaHQ's rules are the real-world input: every ATT&CK tag they use must be understood.
const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus/sigma');

async function* ruleFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* ruleFiles(full);
    else if (/\.ya?ml$/.test(entry.name)) yield full;
  }
}

describe.skipIf(!existsSync(corpus) && process.env.CI === undefined)(
  'parseAttackTags on SigmaHQ rules',
  () => {
    it('recognises every attack.* tag of the shipped rule folders', async () => {
      expect(existsSync(corpus), `SigmaHQ corpus missing at ${corpus}`).toBe(true);
      let rules = 0;
      let tagged = 0;
      const unrecognised: string[] = [];
      for (const folder of ['rules', 'rules-threat-hunting', 'rules-emerging-threats-nonwindows']) {
        for await (const file of ruleFiles(path.join(corpus, folder))) {
          const rule = parse(await readFile(file, 'utf8')) as { tags?: string[] };
          rules += 1;
          const mapping = parseAttackTags(rule.tags ?? []);
          if (mapping.techniques.length + mapping.tactics.length > 0) tagged += 1;
          unrecognised.push(...mapping.unrecognised.map((t) => `${path.basename(file)}: ${t}`));
        }
      }
      expect(rules).toBeGreaterThan(600);
      expect(tagged).toBeGreaterThan(rules / 2);
      expect(unrecognised).toEqual([]);
    });
  },
);
