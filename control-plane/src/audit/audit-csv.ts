// Audit entries as CSV (RFC 4180): a header line, then one line per entry. Cells a spreadsheet would run as a
// formula (starting with = + - @ or a tab/CR) are prefixed with an apostrophe, so an attacker-controlled value
// (a user agent, a display name in details) cannot execute in the analyst's spreadsheet.
import type { AuditRecord } from './audit.repository.js';

/** The CSV columns, in order. */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actor_type',
  'actor_id',
  'actor_ip',
  'action',
  'resource_type',
  'resource_id',
  'outcome',
  'request_id',
  'details',
] as const;

/** One cell: quoted when it holds a comma, quote or line break; neutralised when it looks like a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line (CRLF-terminated). */
export function auditCsvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
}

/** One entry as a CSV line (CRLF-terminated). */
export function auditCsvLine(entry: AuditRecord): string {
  return `${[
    entry.id,
    entry.at.toISOString(),
    entry.actorType,
    entry.actorId,
    entry.actorIp,
    entry.action,
    entry.resourceType,
    entry.resourceId,
    entry.outcome,
    entry.requestId,
    JSON.stringify(entry.details),
  ]
    .map(csvCell)
    .join(',')}\r\n`;
}
