import type { IAuthEvent, ILogEvent } from '@inosec/protos';
import type { EventDraft } from '../sensor.js';
import { ACCOUNT_PROGRAMS, parseAccountMessage } from './account-parser.js';
import type { AuthMessageParser } from './auth-event-builder.js';
import { parseJournalEntry } from './journal-entry.js';
import { parseLoginMessage } from './login-parser.js';
import { isPamRecord, parsePamMessage } from './pam-parser.js';
import { parseSshdMessage } from './sshd-parser.js';
import { parseSuMessage } from './su-parser.js';
import { parseDoasMessage, parseSudoMessage } from './sudo-parser.js';
import { parseDropbearMessage } from './dropbear-parser.js';
import { parseSyslogHeader, type SyslogRecord } from './syslog-header.js';

/** The name written to Event.sensor by the auth-log sensor. */
export const AUTHLOG_SENSOR = 'authlog';

export interface AuthLineOptions {
  /** Where the line came from (file path or "journald"), for LogEvent.source. */
  readonly source?: string;
  /** Observed time (µs); default now. Also the time of lines whose header has none. */
  readonly nowUs?: number;
  /** "Now" for the year of RFC 3164 timestamps (ms); default nowUs / 1000. */
  readonly referenceTimeMs?: number;
  /** Event.sensor; default "authlog". */
  readonly sensor?: string;
}

/** Program → its parser; the dispatch is one map lookup per line. */
const PROGRAM_PARSERS = new Map<string, AuthMessageParser>([
  ['sshd', parseSshdMessage],
  ['sudo', parseSudoMessage],
  ['su', parseSuMessage],
  ['login', parseLoginMessage],
  ['doas', parseDoasMessage],
  ['dropbear', parseDropbearMessage],
  ...ACCOUNT_PROGRAMS.map((p): [string, AuthMessageParser] => [p, parseAccountMessage]),
]);

/** The AuthEvent of a record, when one of the program or PAM parsers recognises it. */
export function parseAuthRecord(record: SyslogRecord): IAuthEvent | undefined {
  if (isPamRecord(record)) return parsePamMessage(record);
  return PROGRAM_PARSERS.get(record.program)?.(record);
}

function logEvent(record: SyslogRecord | undefined, line: string, source: string | undefined): ILogEvent {
  if (!record) return { original: line, message: line, source: source ?? '', parser: 'raw' };
  const log: ILogEvent = {
    original: line,
    message: record.message,
    source: source ?? (record.format === 'journald' ? 'journald' : ''),
    program: record.program,
    pid: record.pid,
    hostname: record.hostname,
    parser: record.format === 'journald' ? 'journald' : 'syslog',
  };
  if (record.facility !== undefined) log.facility = record.facility;
  if (record.severity !== undefined) log.severity = record.severity;
  if (record.subsystem || record.extra) {
    const fields: Record<string, string> = { ...record.extra };
    if (record.subsystem) fields['syslog.subsystem'] = record.subsystem;
    log.fields = fields;
  }
  return log;
}

/** One record as an Event: an AuthEvent when recognised, else a LogEvent keeping the original line. */
export function recordToEvent(
  record: SyslogRecord | undefined,
  line: string,
  options: AuthLineOptions = {},
): EventDraft {
  return toEvent(record, line, options, options.nowUs ?? Date.now() * 1000);
}

function toEvent(
  record: SyslogRecord | undefined,
  line: string,
  options: AuthLineOptions,
  nowUs: number,
): EventDraft {
  const sensor = options.sensor ?? AUTHLOG_SENSOR;
  const timeUnixUs = record?.timeUnixUs ?? nowUs;
  const auth = record ? parseAuthRecord(record) : undefined;
  if (auth) return { sensor, timeUnixUs, observedTimeUnixUs: nowUs, auth };
  return { sensor, timeUnixUs, observedTimeUnixUs: nowUs, log: logEvent(record, line, options.source) };
}

/**
 * Parses one line of an authentication log (RFC 3164, ISO 8601, RFC 5424 header; a line starting with `{`
 * is read as a `journalctl -o json` entry) into exactly one event: an AuthEvent when a parser recognises
 * it (sshd, sudo, su, PAM, login, account management), else a LogEvent keeping the original line.
 * Pure: no I/O, no state.
 */
export function parseAuthLine(line: string, options: AuthLineOptions = {}): EventDraft {
  if (line.startsWith('{')) return parseJournalLine(line, options).event;
  const nowUs = options.nowUs ?? Date.now() * 1000;
  const record = parseSyslogHeader(line, { referenceTimeMs: options.referenceTimeMs ?? nowUs / 1000 });
  return toEvent(record, line, options, nowUs);
}

/** Parses one `journalctl -o json` line into its event and its cursor (undefined when the line is not JSON). */
export function parseJournalLine(
  line: string,
  options: AuthLineOptions = {},
): { event: EventDraft; cursor: string | undefined } {
  const entry = parseJournalEntry(line);
  const event = recordToEvent(entry?.record, line, { source: 'journald', ...options });
  return { event, cursor: entry?.cursor };
}
