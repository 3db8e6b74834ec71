import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleDirectory, loadRuleFile } from './rule-directory-loader.js';

const ID_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const ID_B = 'aaaaaaaa-0000-4000-8000-000000000002';

function rule(id: string, title: string): string {
  return `title: ${title}
id: ${id}
logsource: {product: linux}
detection:
    selection: {Image|endswith: /${title}}
    condition: selection
`;
}

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sigma-loader-'));
  await mkdir(path.join(dir, 'b', 'deep'), { recursive: true });
  await mkdir(path.join(dir, 'a'));
  await mkdir(path.join(dir, '.git'));
  await writeFile(path.join(dir, 'b', 'deep', 'z.yml'), rule(ID_B, 'zeta'));
  await writeFile(path.join(dir, 'a', 'one.yaml'), rule(ID_A, 'one'));
  await writeFile(path.join(dir, 'a', 'dup.YML'), rule(ID_A, 'duplicate'));
  await writeFile(path.join(dir, 'a', 'broken.yml'), 'title: [oops\n');
  await writeFile(path.join(dir, 'a', 'notes.txt'), 'not a rule');
  await writeFile(
    path.join(dir, '.git', 'hidden.yml'),
    rule('aaaaaaaa-0000-4000-8000-000000000009', 'hidden'),
  );
  await symlink(dir, path.join(dir, 'b', 'loop')); // a symbolic link back to the root must not loop forever
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadRuleDirectory', () => {
  it('loads *.yml and *.yaml recursively in sorted order, reporting bad files without stopping', async () => {
    const report = await loadRuleDirectory(dir);
    expect(report.files).toBe(4);
    expect(report.documents.map((d) => [path.relative(dir, d.file), d.title])).toEqual([
      ['a/dup.YML', 'duplicate'],
      ['b/deep/z.yml', 'zeta'],
    ]);
    expect(
      report.errors.map((e) => [
        path.relative(dir, e.location.file ?? ''),
        e.location.ruleId,
        e.location.key,
      ]),
    ).toEqual([
      ['a/broken.yml', 'document 1', undefined],
      ['a/one.yaml', ID_A, 'id'],
    ]);
  });

  it('keeps the first of two rules with the same id (sorted order) and says where the other is', async () => {
    const report = await loadRuleDirectory(dir);
    const duplicate = report.errors.find((e) => e.location.key === 'id');
    // 'dup.YML' sorts before 'one.yaml' (upper-case first in code-point order), so it wins.
    expect(duplicate?.message).toBe(
      `${path.join(dir, 'a', 'one.yaml')}, rule ${ID_A}, at id: rule id is already used by a rule in ${path.join(dir, 'a', 'dup.YML')}; this rule is not loaded`,
    );
  });

  it('gives the same result on every run', async () => {
    const first = await loadRuleDirectory(dir);
    const second = await loadRuleDirectory(dir);
    expect(second.documents.map((d) => d.file)).toEqual(first.documents.map((d) => d.file));
  });

  it('reports a directory that does not exist instead of throwing', async () => {
    const report = await loadRuleDirectory(path.join(dir, 'missing'));
    expect(report.files).toBe(0);
    expect(report.documents).toEqual([]);
    expect(report.errors[0]?.message).toMatch(/missing: cannot read: ENOENT/);
  });
});

describe('loadRuleFile', () => {
  it('loads one file, and reports an unreadable one', async () => {
    expect((await loadRuleFile(path.join(dir, 'b', 'deep', 'z.yml'))).documents.map((d) => d.id)).toEqual([
      ID_B,
    ]);
    const missing = await loadRuleFile(path.join(dir, 'nope.yml'));
    expect(missing.documents).toEqual([]);
    expect(missing.errors[0]?.location.file).toBe(path.join(dir, 'nope.yml'));
  });
});
