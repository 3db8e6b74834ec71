import type { IAuthEvent } from '@inosec/protos';
import { Action, authEvent, endpointOf, Kind, Outcome, userOf } from './auth-event-builder.js';
import type { SyslogRecord } from './syslog-header.js';

const ACCEPTED = /^Accepted (\S+) for (.*?) from (\S+) port (\d+)(?: [^\s:]+)?(?:: (\S+) (\S+))?/;
const FAILED = /^Failed (\S+) for (invalid user )?(.*?) from (\S+) port (\d+)/;
const POSTPONED = /^Postponed (\S+) for invalid user (.*?) from (\S+) port (\d+)/;
const INVALID = /^(?:Invalid|Illegal) user (.*?) from (\S+)(?: port (\d+))?/;
// Disconnected from [authenticating |invalid ]user U IP port P [preauth] | Disconnected from IP port P
const DISCONNECTED =
  /^(?:Disconnected from|Connection (?:closed|reset) by|Received disconnect from) (?:(authenticating |invalid )?user (.*?) )?(\S+)(?: port (\d+))?(?::\d+: .*?)?( \[preauth\])?$/;
const MAX_ATTEMPTS =
  /^(?:error: )?maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+) port (\d+)/;
const TOO_MANY =
  /^Disconnecting (?:(authenticating |invalid )?user (.*) )?(\S+) port (\d+): Too many authentication failures/;
const PAM_ERROR = /^error: PAM: (.+?) for (?:(illegal|invalid) user )?(.*?) from (\S+)$/;
const NOT_ALLOWED = /^User (\S+) from (\S+) not allowed because (.+)$/;
const NO_IDENT = /^Did not receive identification string from (\S+)(?: port (\d+))?/;
const BAD_VERSION = /^Bad protocol version identification '(.*)' from (\S+)(?: port (\d+))?/;
const NEGOTIATE = /^(?:fatal: )?Unable to negotiate with (\S+)(?: port (\d+))?: (.*?)(?: \[preauth\])?$/;
const REFUSED = /^Authentication refused: (.*)$/;

function ssh(record: SyslogRecord, action: Action, outcome: Outcome): IAuthEvent {
  return authEvent(record, Kind.KIND_SSH, action, outcome, 'sshd');
}

function failure(
  record: SyslogRecord,
  reason: string,
  user?: string,
  ip?: string,
  port?: string,
): IAuthEvent {
  const event = ssh(record, Action.ACTION_LOGON, Outcome.OUTCOME_FAILURE);
  event.reason = reason;
  event.user = userOf(user);
  event.source = endpointOf(ip, port);
  return event;
}

function disconnected(record: SyslogRecord, m: RegExpExecArray): IAuthEvent {
  const [, qualifier, user, ip, port, preauth] = m;
  if (qualifier === 'invalid ') return failure(record, 'invalid user', user, ip, port);
  if (qualifier === 'authenticating ')
    return failure(record, 'disconnected while authenticating', user, ip, port);
  // A session that ended (with a user) or a connection closed before any authentication (scanners).
  const event = ssh(
    record,
    Action.ACTION_LOGOFF,
    user !== undefined && !preauth ? Outcome.OUTCOME_SUCCESS : Outcome.OUTCOME_UNSPECIFIED,
  );
  if (preauth) event.reason = 'closed before authentication';
  event.user = userOf(user);
  event.source = endpointOf(ip, port);
  return event;
}

/**
 * sshd messages: Accepted/Failed/Postponed logons, invalid and denied users, disconnections, maximum
 * attempts, PAM errors, protocol-level refusals (no identification string, bad version, no common kex).
 * Other sshd lines (debug, crypto errors, configuration errors) are not authentication records.
 */
export function parseSshdMessage(record: SyslogRecord): IAuthEvent | undefined {
  const msg = record.message;
  let m: RegExpExecArray | null;
  switch (msg.slice(0, msg.indexOf(' '))) {
    case 'Accepted':
      if ((m = ACCEPTED.exec(msg))) {
        const event = ssh(record, Action.ACTION_LOGON, Outcome.OUTCOME_SUCCESS);
        event.method = m[1] ?? '';
        event.user = userOf(m[2]);
        event.source = endpointOf(m[3], m[4]);
        if (m[6]) event.keyFingerprint = m[6];
        return event;
      }
      return undefined;
    case 'Failed':
      if ((m = FAILED.exec(msg))) {
        const event = failure(record, m[2] ? 'invalid user' : 'authentication failure', m[3], m[4], m[5]);
        event.method = m[1] ?? '';
        return event;
      }
      return undefined;
    case 'Postponed':
      if ((m = POSTPONED.exec(msg))) {
        const event = failure(record, 'invalid user', m[2], m[3], m[4]);
        event.method = m[1] ?? '';
        return event;
      }
      return undefined;
    case 'Invalid':
    case 'Illegal':
      if ((m = INVALID.exec(msg))) return failure(record, 'invalid user', m[1], m[2], m[3]);
      return undefined;
    case 'Disconnected':
    case 'Connection':
    case 'Received':
      if ((m = DISCONNECTED.exec(msg))) return disconnected(record, m);
      return undefined;
    case 'Disconnecting':
      if ((m = TOO_MANY.exec(msg)))
        return failure(record, 'too many authentication failures', m[2], m[3], m[4]);
      return undefined;
    case 'error:':
    case 'maximum':
      if ((m = MAX_ATTEMPTS.exec(msg))) {
        return failure(record, 'maximum authentication attempts exceeded', m[2], m[3], m[4]);
      }
      if ((m = PAM_ERROR.exec(msg))) return failure(record, m[2] ? 'invalid user' : (m[1] ?? ''), m[3], m[4]);
      return undefined;
    case 'User':
      if ((m = NOT_ALLOWED.exec(msg))) return failure(record, `not allowed because ${m[3]}`, m[1], m[2]);
      return undefined;
    case 'Did':
      if ((m = NO_IDENT.exec(msg))) return failure(record, 'no identification string', undefined, m[1], m[2]);
      return undefined;
    case 'Bad':
      if ((m = BAD_VERSION.exec(msg)))
        return failure(record, `bad protocol version identification '${m[1]}'`, undefined, m[2], m[3]);
      return undefined;
    case 'fatal:':
    case 'Unable':
      if ((m = NEGOTIATE.exec(msg)))
        return failure(record, m[3] ?? 'unable to negotiate', undefined, m[1], m[2]);
      return undefined;
    case 'Authentication':
      if ((m = REFUSED.exec(msg))) return failure(record, `authentication refused: ${m[1]}`);
      return undefined;
    default:
      return undefined;
  }
}
