// Every condition of SigmaHQ's shipped rules must parse and compile, and its required selections must hold.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { EventPredicate, SigmaEvent } from '../sigma-types.js';
import { compileCondition } from './condition-compiler.js';
import { conditionIdentifiers } from './condition-identifiers.js';
import { parseCondition } from './condition-parser.js';
import { requiredSelections } from './required-selections.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const sigmaCorpus = path.join(path.resolve(repoRoot, '../shared/corpus'), 'sigma');
const RULE_FOLDERS = ['rules', 'rules-threat-hunting', 'rules-emerging-threats-nonwindows'];

interface CorpusRule {
  file: string;
  id: string | undefined;
  condition: string | string[];
  selections: string[];
}

async function* yamlFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* yamlFiles(full);
    else if (/\.ya?ml$/.test(entry.name)) yield full;
  }
}

/** The detection blocks of every document of every rule file. */
async function corpusRules(): Promise<CorpusRule[]> {
  const rules: CorpusRule[] = [];
  for (const folder of RULE_FOLDERS) {
    for await (const file of yamlFiles(path.join(sigmaCorpus, folder))) {
      for (const document of parseAllDocuments(await readFile(file, 'utf8'))) {
        expect(document.errors, file).toEqual([]);
        const rule = document.toJS() as { id?: string; detection?: Record<string, unknown> } | null;
        const detection = rule?.detection;
        if (!detection) continue;
        const { condition, ...selections } = detection;
        rules.push({
          file: path.relative(sigmaCorpus, file),
          id: rule.id,
          condition: condition as string | string[],
          selections: Object.keys(selections),
        });
      }
    }
  }
  return rules;
}

describe.skipIf(!existsSync(sigmaCorpus) && process.env.CI === undefined)(
  'conditions of SigmaHQ rules',
  () => {
    it('parse and compile with no error, and their required selections hold', async () => {
      expect(existsSync(sigmaCorpus), `SigmaHQ corpus missing at ${sigmaCorpus}`).toBe(true);
      const rules = await corpusRules();
      expect(rules.length).toBeGreaterThanOrEqual(689);

      const errors: string[] = [];
      let conditions = 0;
      let withRequirement = 0;
      let seed = 1;
      const random = (): boolean => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return (seed & 0x10000) !== 0;
      };
      for (const rule of rules) {
        conditions += Array.isArray(rule.condition) ? rule.condition.length : 1;
        const selections = new Map<string, EventPredicate>(
          rule.selections.map((name) => [name, (event: SigmaEvent) => event[name] === true]),
        );
        const location = { file: rule.file, ruleId: rule.id };
        try {
          const predicate = compileCondition(rule.condition, selections, location);
          const node = parseCondition(rule.condition, location);
          const { names } = conditionIdentifiers(node);
          for (const name of names) expect(rule.selections, `${rule.file}: ${name}`).toContain(name);
          const requirement = requiredSelections(node, rule.selections, location);
          if (requirement) withRequirement++;
          // Constant selections under random assignments: every match satisfies some alternative.
          for (let trial = 0; trial < 64; trial++) {
            const event = Object.fromEntries(rule.selections.map((name) => [name, random()]));
            if (!predicate(event) || !requirement) continue;
            const satisfied = requirement.some((alternative) => alternative.every((name) => event[name]));
            expect(satisfied, `${rule.file} on ${JSON.stringify(event)}`).toBe(true);
          }
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
      expect(errors).toEqual([]);
      expect(conditions).toBeGreaterThanOrEqual(689);
      // Nearly every SigmaHQ rule requires some selection; only conditions such as `not selection` do not.
      expect(withRequirement).toBeGreaterThan(rules.length - 10);
    });
  },
);
