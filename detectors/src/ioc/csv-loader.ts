// Loading indicators from CSV. With a header naming the indicator column (`indicator`, `value` or `ioc`),
// the optional columns type, description, id, severity, confidence and valid_until are read too.
// Without one, the file is a list: one indicator per line, `#` and `;` comments, blank lines skipped.
import { readCsvRecords } from './csv-records.js';
import { indicatorHintOf, type IndicatorHint } from './indicator-parser.js';
import type { IocSet } from './ioc-set.js';
import type { IndicatorMeta, LoadOptions, LoadReport } from './ioc-types.js';
import { LoadReportBuilder, parseValidUntil } from './load-report.js';

type Column = 'indicator' | 'type' | 'description' | 'id' | 'severity' | 'confidence' | 'validUntil';

const COLUMN_NAMES: Readonly<Record<string, Column>> = {
  indicator: 'indicator',
  value: 'indicator',
  ioc: 'indicator',
  type: 'type',
  kind: 'type',
  indicator_type: 'type',
  ioc_type: 'type',
  description: 'description',
  desc: 'description',
  comment: 'description',
  comments: 'description',
  id: 'id',
  uuid: 'id',
  ioc_id: 'id',
  severity: 'severity',
  threat_level: 'severity',
  confidence: 'confidence',
  confidence_level: 'confidence',
  valid_until: 'validUntil',
  expires: 'validUntil',
  expiration: 'validUntil',
  expiry: 'validUntil',
  valid_to: 'validUntil',
};

/** Loads CSV or a plain list of indicators into `set`. Bad lines are reported and skipped. */
export function loadCsv(set: IocSet, text: string, options: LoadOptions = {}): LoadReport {
  const report = new LoadReportBuilder(set.name, options);
  const header = findHeader(text);
  if (header === undefined) loadList(set, text, report);
  else loadTable(set, text, header, report);
  return report.build();
}

interface Header {
  readonly line: number;
  readonly columns: Partial<Record<Column, number>>;
}

/** The header, when the first record that is not a comment names an indicator column. */
function findHeader(text: string): Header | undefined {
  for (const record of readCsvRecords(text)) {
    if ('error' in record) return undefined;
    const first = (record.fields[0] ?? '').trim();
    if (first.startsWith('#')) continue;
    const columns: Partial<Record<Column, number>> = {};
    record.fields.forEach((name, index) => {
      const column = COLUMN_NAMES[name.trim().toLowerCase()];
      if (column !== undefined && columns[column] === undefined) columns[column] = index;
    });
    return columns.indicator === undefined ? undefined : { line: record.line, columns };
  }
  return undefined;
}

function loadTable(set: IocSet, text: string, header: Header, report: LoadReportBuilder): void {
  const { columns } = header;
  const indicatorColumn = columns.indicator as number;
  for (const record of readCsvRecords(text)) {
    if (record.line <= header.line) continue;
    const { line } = record;
    if ('error' in record) {
      report.issue({ severity: 'invalid', line, reason: record.error });
      continue;
    }
    const { fields } = record;
    const cell = (column: Column): string | undefined => {
      const index = columns[column];
      const value = index === undefined ? undefined : fields[index]?.trim();
      return value === '' ? undefined : value;
    };
    if (fields[0]?.trimStart().startsWith('#')) continue;
    const value = fields[indicatorColumn];
    if (value === undefined) {
      report.issue({
        severity: 'invalid',
        line,
        reason: `no column ${indicatorColumn + 1} (indicator) on this line`,
      });
      continue;
    }
    let hint: IndicatorHint = 'auto';
    const type = cell('type');
    if (type !== undefined) {
      const known = indicatorHintOf(type);
      if (known === undefined) {
        report.issue({
          severity: 'unsupported',
          line,
          value,
          reason: `indicator type '${type}' not supported`,
        });
        continue;
      }
      hint = known;
    }
    const meta: { -readonly [K in keyof IndicatorMeta]: IndicatorMeta[K] } = {
      id: cell('id'),
      description: cell('description'),
      severity: cell('severity'),
    };
    const confidence = cell('confidence');
    if (confidence !== undefined) {
      const number = Number(confidence);
      if (!Number.isFinite(number) || number < 0 || number > 100) {
        report.issue({
          severity: 'invalid',
          line,
          value,
          reason: `confidence '${confidence}' is not a number 0-100`,
        });
        continue;
      }
      meta.confidence = number;
    }
    const validUntilText = cell('validUntil');
    if (validUntilText !== undefined) {
      const validUntil = parseValidUntil(validUntilText);
      if (validUntil !== undefined && Number.isNaN(validUntil)) {
        report.issue({
          severity: 'invalid',
          line,
          value,
          reason: `valid_until '${validUntilText}' is not a timestamp`,
        });
        continue;
      }
      if (validUntil !== undefined && validUntil <= report.now) {
        report.expired++;
        continue;
      }
      meta.validUntil = validUntil;
    }
    report.added(set.add(value, hint, meta), { line, value });
  }
}

function loadList(set: IocSet, text: string, report: LoadReportBuilder): void {
  let line = 0;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const raw = text.slice(pos, end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    pos = end + 1;
    const value = stripComment(raw).trim();
    if (value === '') continue;
    const unquoted =
      value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    if (unquoted.includes(',')) {
      report.issue({
        severity: 'invalid',
        line,
        value,
        reason: 'several columns but no header naming the indicator column (indicator, value or ioc)',
      });
      continue;
    }
    report.added(set.add(unquoted), { line, value });
  }
}

/** The line without a `#` or `;` comment (at the start, or after whitespace). */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (
      (code === 35 || code === 59) &&
      (i === 0 || line.charCodeAt(i - 1) === 32 || line.charCodeAt(i - 1) === 9)
    ) {
      return line.slice(0, i);
    }
  }
  return line;
}
