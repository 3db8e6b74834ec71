import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './engine/index.js';
import { SHIPPED_SIGMA_RULES_DIR } from './shipped-rules.js';

const REPO_ROOT = path.resolve(fileURLToPath(import.meta.url), '../../../..');
const CORPUS = path.resolve(REPO_ROOT, '../shared/corpus/sigma');

function ymlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yml'))
    .sort();
}

describe('the shipped SigmaHQ rules', () => {
  it('all load and compile, with the licence and notice beside them', async () => {
    const { report } = await loadRuleSet([SHIPPED_SIGMA_RULES_DIR]);
    expect(report.errors).toEqual([]);
    expect(report.unsupported).toEqual([]);
    expect(report.loaded).toBe(ymlFiles(SHIPPED_SIGMA_RULES_DIR).length);
    expect(report.loaded).toBeGreaterThan(400);
    expect(readFileSync(path.join(SHIPPED_SIGMA_RULES_DIR, 'LICENSE.md'), 'utf8')).toContain('(DRL) 1.1');
    expect(readFileSync(path.join(SHIPPED_SIGMA_RULES_DIR, 'NOTICE.md'), 'utf8')).toContain(
      '8eaafff1f2845a696050e05e72ba1140ee190698',
    );
  });

  it('are SigmaHQ’s files, unmodified (compared with the corpus copy of the same commit)', (context) => {
    if (!existsSync(CORPUS)) {
      if (process.env['CI']) throw new Error(`the Sigma corpus is missing at ${CORPUS}`);
      context.skip();
    }
    const shipped = ymlFiles(SHIPPED_SIGMA_RULES_DIR);
    expect(shipped.length).toBeGreaterThan(400);
    for (const file of shipped) {
      const original = path.join(CORPUS, file);
      expect(existsSync(original), file).toBe(true);
      expect(
        readFileSync(path.join(SHIPPED_SIGMA_RULES_DIR, file)).equals(readFileSync(original)),
        file,
      ).toBe(true);
    }
    // Every Linux, network and web rule of the corpus is shipped (cloud rules are not part of the default set).
    const corpusRules = ['rules', 'rules-threat-hunting', 'rules-emerging-threats-nonwindows'].flatMap(
      (dir) => ymlFiles(path.join(CORPUS, dir)).map((file) => path.join(dir, file)),
    );
    expect(corpusRules.filter((file) => !file.split(path.sep).includes('cloud')).sort()).toEqual(shipped);
  });
});
