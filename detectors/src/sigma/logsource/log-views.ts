// The text view of a log line (LogEvent) and the log sources it feeds: syslog and linux/* always, linux/auth
// when it comes from the auth log, and the service of its program (sshd, sudo, cron, vsftpd, clamav, guacamole).
import type { ILogEvent } from '@inosec/protos';
import type { SigmaEvent } from '../sigma-types.js';
import { baseName, positive, text } from './view-values.js';

/** Syslog program → the service log source it feeds (exact program names as they appear in headers). */
const PROGRAM_KEYS: ReadonlyMap<string, string> = new Map([
  ['sshd', 'linux/sshd'],
  ['sudo', 'linux/sudo'],
  ...['cron', 'CRON', 'crond', 'crontab', 'anacron'].map((p): [string, string] => [p, 'linux/cron']),
  ['vsftpd', 'linux/vsftpd'],
  ...['clamd', 'freshclam', 'clamav', 'clamav-milter', 'clamscan', 'clamonacc'].map((p): [string, string] => [
    p,
    'linux/clamav',
  ]),
  ['guacd', 'linux/guacamole'],
  ['guacamole', 'linux/guacamole'],
]);

/** Syslog facilities of authentication messages: auth (4) and authpriv (10). */
const AUTH_FACILITIES = new Set([4, 10]);

/** The parsers whose LogEvents are not log lines of the host (the agent's own FIM scan summaries). */
const NOT_HOST_LOGS = new Set(['fim']);

/** True when the line comes from the authentication log (its facility, else its file, else the authlog sensor). */
export function isAuthLogLine(log: ILogEvent, sensor: string | null | undefined): boolean {
  if (log.facility !== null && log.facility !== undefined) return AUTH_FACILITIES.has(log.facility);
  const source = log.source ?? '';
  if (source === '' || source === 'journald') return sensor === 'authlog';
  const file = baseName(source);
  return file.startsWith('auth.log') || file.startsWith('secure');
}

/** The log-source keys of a LogEvent that is a host log line (not auditd, not an agent summary). */
export function logEventKeys(log: ILogEvent, sensor: string | null | undefined): string[] {
  if (NOT_HOST_LOGS.has(log.parser ?? '')) return [];
  const keys = ['linux/syslog', 'linux/*'];
  if (isAuthLogLine(log, sensor)) keys.push('linux/auth');
  const service = PROGRAM_KEYS.get(log.program ?? '');
  if (service) keys.push(service);
  return keys;
}

/**
 * The text view of a log line: `original` is the whole line as read (for journald entries, whose line is
 * JSON, the MESSAGE), searched by keyword rules, with the program, pid and sender hostname of its header.
 */
export function logTextView(log: ILogEvent): SigmaEvent {
  return {
    original: log.parser === 'journald' ? text(log.message) : (text(log.original) ?? text(log.message)),
    program: text(log.program),
    pid: positive(log.pid),
    hostname: text(log.hostname),
  };
}
