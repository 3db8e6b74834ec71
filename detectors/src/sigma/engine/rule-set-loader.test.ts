import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigmaUnsupportedError } from '../sigma-types.js';
import { loadRuleSet } from './rule-set-loader.js';

const GOOD_ID = '11111111-1111-4111-8111-111111111111';
const ADMIN_ID = '22222222-2222-4222-8222-222222222222';

const good = `title: Curl Download
id: ${GOOD_ID}
status: test
level: medium
logsource:
    product: linux
    category: process_creation
detection:
    selection:
        CommandLine|contains: 'curl '
    condition: selection
`;
const adminTool = `title: Admin Tool
id: ${ADMIN_ID}
name: admin_tool
status: test
level: low
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\psexec.exe'
    condition: selection
`;
const placeholder = `title: Placeholder Rule
id: 33333333-3333-4333-8333-333333333333
status: test
logsource:
    product: linux
    category: process_creation
detection:
    selection:
        User|expand: '%admins%'
    condition: selection
`;
const badModifier = `title: Bad Modifier
id: 44444444-4444-4444-8444-444444444444
status: test
logsource:
    product: linux
detection:
    selection:
        CommandLine|contains: 'x'
    condition: selection and missing
`;
const filter = `title: Allow adm_ accounts
id: 55555555-5555-4555-8555-555555555555
logsource:
    product: windows
    category: process_creation
filter:
    rules:
        - admin_tool
    selection:
        User|startswith: 'adm_'
    condition: selection
`;
const correlation = `title: Many Curls
id: 66666666-6666-4666-8666-666666666666
status: test
correlation:
    type: event_count
    rules:
        - ${GOOD_ID}
    group-by:
        - User
    timespan: 5m
    condition:
        gte: 10
`;

describe('loadRuleSet', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sigma-engine-'));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'good.yml'), good);
    writeFileSync(path.join(dir, 'sub', 'admin.yml'), adminTool);
    writeFileSync(path.join(dir, 'placeholder.yml'), placeholder);
    writeFileSync(path.join(dir, 'bad.yml'), badModifier);
    writeFileSync(path.join(dir, 'broken.yml'), 'title: [unclosed');
    writeFileSync(path.join(dir, 'mf_admins.yml'), filter);
    writeFileSync(path.join(dir, 'correlation.yml'), correlation);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the good rules, reports the bad and unsupported ones, and skips them', async () => {
    const { ruleSet, report, correlations } = await loadRuleSet([dir]);
    expect(ruleSet.rules.map((rule) => rule.id).sort()).toEqual([GOOD_ID, ADMIN_ID]);
    expect(report.loaded).toBe(2);
    expect(report.filters).toBe(1);
    expect(report.unsupported).toEqual([
      expect.objectContaining({
        id: '33333333-3333-4333-8333-333333333333',
        title: 'Placeholder Rule',
        file: path.join(dir, 'placeholder.yml'),
        reason: 'placeholder',
      }),
    ]);
    const errorFiles = report.errors.map((error) => path.basename(error.file ?? '')).sort();
    expect(errorFiles).toEqual(['bad.yml', 'broken.yml']);
    expect(report.errors.find((error) => error.file?.endsWith('bad.yml'))?.message).toMatch(/missing/);
    expect(correlations.map((doc) => doc.id)).toEqual(['66666666-6666-4666-8666-666666666666']);
  });

  it('applies global filters to the rules they name', async () => {
    const { ruleSet } = await loadRuleSet([dir]);
    const tool = ruleSet.rules.find((rule) => rule.id === ADMIN_ID);
    expect(tool?.filters).toEqual(['55555555-5555-4555-8555-555555555555']);
    const event = { Image: 'C:\\Tools\\PsExec.exe', User: 'bob' };
    expect(ruleSet.matches(event).map((rule) => rule.id)).toEqual([ADMIN_ID]);
    expect(ruleSet.matches({ ...event, User: 'adm_bob' })).toEqual([]);
  });

  it('uses per-rule compile options, which may declare a rule unsupported', async () => {
    const { ruleSet, report } = await loadRuleSet([dir], {
      optionsFor: (doc) => {
        if (doc.logsource.product === 'windows')
          throw new SigmaUnsupportedError('logsource', 'no mapping for windows', { file: doc.file });
        return { placeholders: new Map([['admins', ['root']]]) };
      },
    });
    expect(ruleSet.rules.map((rule) => rule.title).sort()).toEqual(['Curl Download', 'Placeholder Rule']);
    expect(report.unsupported.map((rule) => rule.reason).sort()).toEqual(['logsource', 'logsource']);
    expect(ruleSet.matches({ User: 'root' }).map((rule) => rule.title)).toEqual(['Placeholder Rule']);
  });

  it('reports a wrong rule as an error even when its log source is also unsupported', async () => {
    const own = mkdtempSync(path.join(tmpdir(), 'sigma-engine-wrong-'));
    try {
      writeFileSync(
        path.join(own, 'wrong.yml'),
        adminTool.replace("Image|endswith: '\\psexec.exe'", 'Image|containz: x'),
      );
      writeFileSync(path.join(own, 'admin.yml'), adminTool);
      const { report } = await loadRuleSet([own], {
        optionsFor: (doc) => {
          if (doc.logsource.product === 'windows')
            throw new SigmaUnsupportedError('logsource', 'no mapping for windows', { file: doc.file });
          return {};
        },
      });
      expect(report.errors.map((e) => path.basename(e.file ?? ''))).toEqual(['wrong.yml']);
      expect(report.errors[0]?.message).toMatch(/containz/);
      expect(report.unsupported.map((u) => path.basename(u.file ?? ''))).toEqual(['admin.yml']);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('reports a directory that does not exist', async () => {
    const { ruleSet, report } = await loadRuleSet([path.join(dir, 'nope')]);
    expect(ruleSet.size).toBe(0);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.message).toMatch(/cannot read/);
  });
});
