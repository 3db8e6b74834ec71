// Renders the log-source table as Markdown, for docs/detection-logsources.md (a test keeps the doc in sync).
import { LOGSOURCE_TABLE, type LogSourceEntry } from './logsource-table.js';
import { UNSUPPORTED_REASONS } from './unsupported-reasons.js';

function cell(value: string): string {
  return value.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function logsourceText(entry: LogSourceEntry): string {
  const parts = [
    entry.product && `product: ${entry.product}`,
    entry.category && `category: ${entry.category}`,
    entry.service && `service: ${entry.service}`,
  ];
  return parts.filter(Boolean).join(', ');
}

function entrySection(entry: LogSourceEntry): string[] {
  const lines = [`### \`${entry.key}\``, ''];
  lines.push(`- Sigma: \`${logsourceText(entry)}\``);
  const fed = entry.kinds.length ? entry.kinds.map((kind) => `\`${kind}\``).join('; ') : 'none yet';
  lines.push(`- Fed by: ${fed}${entry.unsupported ? ` — unsupported: \`${entry.unsupported}\`` : ''}`);
  lines.push(`- ${entry.note}`);
  if (entry.passThrough) lines.push(`- Other fields: ${entry.passThrough}.`);
  const fields = Object.entries(entry.fields);
  if (fields.length) {
    lines.push('', '| Sigma field | InoSec source |', '| --- | --- |');
    for (const [field, source] of fields) {
      lines.push(`| \`${cell(field)}\` | ${source === null ? '**unmapped**' : cell(source)} |`);
    }
  }
  lines.push('');
  return lines;
}

/** The Markdown of the reasons list, the summary table and one section per log source. */
export function renderLogSourceTable(): string {
  const lines = ['## Unsupported reasons', '', '| Code | Meaning |', '| --- | --- |'];
  for (const [code, meaning] of Object.entries(UNSUPPORTED_REASONS))
    lines.push(`| \`${code}\` | ${meaning} |`);
  lines.push('', '## Summary', '', '| Key | Fed by | Status |', '| --- | --- | --- |');
  for (const entry of LOGSOURCE_TABLE) {
    const fed = entry.kinds.length ? cell(entry.kinds.join('; ')) : 'none yet';
    lines.push(`| \`${entry.key}\` | ${fed} | ${entry.unsupported ? `\`${entry.unsupported}\`` : 'fed'} |`);
  }
  lines.push('', '## Log sources', '');
  for (const entry of LOGSOURCE_TABLE) lines.push(...entrySection(entry));
  return `${lines.join('\n').trimEnd()}\n`;
}
