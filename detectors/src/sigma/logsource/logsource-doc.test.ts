// docs/detection-logsources.md holds the rendered table between two markers: it must equal the code's table.
// Regenerate with: UPDATE_LOGSOURCE_DOC=1 npx vitest run --project detectors detectors/src/sigma/logsource/logsource-doc.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderLogSourceTable } from './logsource-doc.js';
import { LOGSOURCE_TABLE } from './logsource-table.js';
import { mainRoot } from './logsource-test-helpers.js';

const docFile = path.join(mainRoot, 'docs/detection-logsources.md');
const BEGIN =
  '<!-- logsource-table:begin (generated from detectors/src/sigma/logsource/logsource-table.ts) -->';
const END = '<!-- logsource-table:end -->';

/** Table rows compared cell by cell, so the doc may be formatted (prettier pads and aligns tables). */
function normalise(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => {
      if (!line.startsWith('|')) return line.trimEnd();
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      return cells.map((c) => (/^:?-+:?$/.test(c) ? '---' : c)).join(' | ');
    })
    .join('\n')
    .trim();
}

describe('docs/detection-logsources.md', () => {
  it('renders every entry, its fields and the unmapped ones', () => {
    const markdown = renderLogSourceTable();
    for (const entry of LOGSOURCE_TABLE) expect(markdown).toContain(`### \`${entry.key}\``);
    expect(markdown).toContain('| `Image` | process.executable |');
    expect(markdown).toContain('| `LogonId` | **unmapped** |');
    expect(markdown).toContain('| `unmapped_field` |');
  });

  it('holds the current table between its markers', () => {
    const doc = readFileSync(docFile, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start, 'begin marker').toBeGreaterThan(-1);
    expect(end, 'end marker').toBeGreaterThan(start);
    const current = doc.slice(start + BEGIN.length, end).trim();
    const rendered = renderLogSourceTable().trim();
    if (process.env['UPDATE_LOGSOURCE_DOC'] && normalise(current) !== normalise(rendered)) {
      writeFileSync(docFile, `${doc.slice(0, start + BEGIN.length)}\n\n${rendered}\n\n${doc.slice(end)}`);
      return;
    }
    expect(normalise(current)).toBe(normalise(rendered));
  });
});
