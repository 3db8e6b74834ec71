import type { SyslogRecord } from './syslog-header.js';

/** One `journalctl -o json` entry as a syslog record, with its cursor (for resuming after it). */
export interface JournalRecord {
  readonly record: SyslogRecord;
  readonly cursor: string | undefined;
}

type JournalValue = string | number[] | null | undefined | (string | number[] | null)[];

/** journald exports a field as a string, an array of bytes (binary or invalid UTF-8), or an array of those. */
function text(value: JournalValue): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === 'number')
      return Buffer.from(value as number[]).toString('utf8');
    // A field set more than once in one entry: the first value.
    return text((value as (string | number[] | null)[])[0]);
  }
  return undefined;
}

function int(value: JournalValue): number | undefined {
  const s = text(value);
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return Number(s);
}

/**
 * Parses one line of `journalctl -o json` output: MESSAGE (string or byte array), SYSLOG_IDENTIFIER or
 * _COMM, SYSLOG_PID or _PID, _HOSTNAME, _SOURCE_REALTIME_TIMESTAMP or __REALTIME_TIMESTAMP (µs),
 * SYSLOG_FACILITY, PRIORITY, _SYSTEMD_UNIT and __CURSOR. Undefined when the line is not a JSON object.
 */
export function parseJournalEntry(line: string): JournalRecord | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const e = entry as Record<string, JournalValue>;
  const unit = text(e['_SYSTEMD_UNIT']);
  const record: SyslogRecord = {
    format: 'journald',
    timeUnixUs: int(e['_SOURCE_REALTIME_TIMESTAMP']) ?? int(e['__REALTIME_TIMESTAMP']),
    hostname: text(e['_HOSTNAME']) ?? '',
    program: text(e['SYSLOG_IDENTIFIER']) ?? text(e['_COMM']) ?? '',
    pid: int(e['SYSLOG_PID']) ?? int(e['_PID']) ?? 0,
    subsystem: '',
    message: text(e['MESSAGE']) ?? '',
    facility: int(e['SYSLOG_FACILITY']),
    severity: int(e['PRIORITY']),
    extra: unit ? { 'journald.unit': unit } : undefined,
  };
  return { record, cursor: text(e['__CURSOR']) };
}
