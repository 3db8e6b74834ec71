import { describe, expect, it } from 'vitest';
import { parseRuleText, type SigmaFilterDocument } from '../loader/index.js';
import { SigmaRuleError } from '../sigma-types.js';
import { applyFilters, compileFilter } from './filter-compiler.js';
import { compileRule } from './rule-compiler.js';
import { ruleDocument } from './engine-test-helpers.js';

function filterDocument(rules: string, logsource = 'product: windows'): SigmaFilterDocument {
  const selection = "User|startswith: 'adm_'";
  const text = `title: A Filter\nid: 99999999-9999-4999-8999-999999999999\nlogsource:\n    ${logsource}\nfilter:\n    rules:\n${rules}\n    selection:\n        ${selection}\n    condition: selection\n`;
  const [doc] = parseRuleText(text, 'mf.yml').documents;
  if (doc?.kind !== 'filter') throw new Error('bad test filter');
  return doc;
}

const windowsRule = compileRule(
  ruleDocument(
    `    selection:
        Image|endswith: '\\net.exe'
    condition: selection`,
    {
      logsource: 'product: windows\n    category: process_creation',
      id: '12121212-1212-4212-8212-121212121212',
    },
  ),
);
const linuxRule = compileRule(
  ruleDocument(
    `    selection:
        Image|endswith: '/net'
    condition: selection`,
    { id: '34343434-3434-4343-8343-343434343434' },
  ),
);

describe('global filters', () => {
  it('suppress the matches of the rules they name, on their log source only', () => {
    const filter = compileFilter(
      filterDocument(
        '        - 12121212-1212-4212-8212-121212121212\n        - 34343434-3434-4343-8343-343434343434',
      ),
    );
    const [win, linux] = applyFilters([windowsRule, linuxRule], [filter]);
    expect(win?.filters).toEqual(['99999999-9999-4999-8999-999999999999']);
    expect(win?.test({ Image: 'C:\\net.exe', User: 'adm_x' })).toBe(false);
    expect(win?.test({ Image: 'C:\\net.exe', User: 'bob' })).toBe(true);
    expect(win?.prefilter).toEqual(windowsRule.prefilter);
    // linux rule: named, but the filter's product is windows
    expect(linux).toBe(linuxRule);
    expect(linux?.test({ Image: '/bin/net', User: 'adm_x' })).toBe(true);
  });

  it('leave rules they do not name unchanged', () => {
    const filter = compileFilter(filterDocument('        - someone-else'));
    expect(applyFilters([windowsRule], [filter])[0]).toBe(windowsRule);
  });

  it('report a bad filter item with its location', () => {
    const doc = filterDocument('        - x');
    const broken = { ...doc, detection: { selection: { 'User|nosuch': 'a' } } };
    expect(() => compileFilter(broken)).toThrow(SigmaRuleError);
    expect(() => compileFilter(broken)).toThrow(/mf\.yml, rule 9999.*detection\.selection/);
  });
});
