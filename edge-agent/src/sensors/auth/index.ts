// Public entry of the authentication-log sensor: the sensor factory and the pure parsers.
export {
  AUTHLOG_SENSOR,
  parseAuthLine,
  parseAuthRecord,
  parseJournalLine,
  recordToEvent,
  type AuthLineOptions,
} from './auth-line-parser.js';
export {
  createAuthLogSensor,
  DEFAULT_AUTH_LOG_PATHS,
  JOURNAL_AUTH_MATCHES,
  type AuthLogSensorOptions,
} from './auth-log-sensor.js';
export { parseJournalEntry, type JournalRecord } from './journal-entry.js';
export {
  JournalFollower,
  type JournalFollowerOptions,
  type JournalLinesHandler,
} from './journal-follower.js';
export {
  parseSyslogHeader,
  type SyslogFormat,
  type SyslogHeaderOptions,
  type SyslogRecord,
} from './syslog-header.js';
