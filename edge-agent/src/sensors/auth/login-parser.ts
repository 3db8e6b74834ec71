import type { IAuthEvent } from '@inosec/protos';
import { Action, authEvent, endpointOf, Kind, Outcome, ttyOf, userOf } from './auth-event-builder.js';
import type { SyslogRecord } from './syslog-header.js';

const ROOT_LOGIN = /^ROOT LOGIN\s+(?:ON|on) '?([^'\s]+)'?(?: FROM '?([^'\s]+)'?)?/;
const LOGIN_ON = /^LOGIN ON '?([^'\s]+)'? BY '?([^'\s]+)'?(?: FROM '?([^'\s]+)'?)?/;
const FAILED_LOGIN =
  /^FAILED LOGIN (?:\(\d+\) )?(?:on|ON) '?([^'\s]+)'?(?: (?:from|FROM) '?([^'\s]+)'?)? (?:FOR|for) '?([^',]+)'?,?\s*(.*)$/;

/** login(1) records (console logins): `ROOT LOGIN ON tty1`, `LOGIN ON tty1 BY U`, `FAILED LOGIN (1) on '/dev/tty1' FOR 'U', reason`. */
export function parseLoginMessage(record: SyslogRecord): IAuthEvent | undefined {
  const msg = record.message;
  let m = ROOT_LOGIN.exec(msg);
  let user: string | undefined;
  let tty: string | undefined;
  let host: string | undefined;
  let reason = '';
  if (m) {
    user = 'root';
    tty = m[1];
    host = m[2];
  } else if ((m = LOGIN_ON.exec(msg))) {
    tty = m[1];
    user = m[2];
    host = m[3];
  } else if ((m = FAILED_LOGIN.exec(msg))) {
    tty = m[1];
    host = m[2];
    user = m[3];
    reason = m[4] || 'authentication failure';
  } else {
    return undefined;
  }
  const event = authEvent(
    record,
    Kind.KIND_LOGIN,
    Action.ACTION_LOGON,
    reason ? Outcome.OUTCOME_FAILURE : Outcome.OUTCOME_SUCCESS,
  );
  event.user = userOf(user);
  const t = ttyOf(tty);
  if (t) event.tty = t;
  event.source = endpointOf(host);
  if (reason) event.reason = reason;
  return event;
}
