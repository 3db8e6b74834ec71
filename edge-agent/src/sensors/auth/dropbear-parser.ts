import type { IAuthEvent } from '@inosec/protos';
import { Action, authEvent, endpointOf, Kind, Outcome, userOf } from './auth-event-builder.js';
import type { SyslogRecord } from './syslog-header.js';

// The peer is written "IP:port" (IPv4) or "[IPv6]:port" in newer releases.
const PEER = String.raw`\[?([^\s\]]+?)\]?:(\d+)`;
const SUCCEEDED = new RegExp(
  String.raw`^(Password|Pubkey) auth succeeded for '(.*?)'(?: with key (.+?))? from ${PEER}`,
);
const BAD_PASSWORD = new RegExp(String.raw`^Bad password attempt for '(.*?)' from ${PEER}`);
const NONEXISTENT = new RegExp(String.raw`^Login attempt for nonexistent user(?: '(.*?)')? from ${PEER}`);

/** dropbear (embedded SSH server) as KIND_SSH with service "dropbear". */
export function parseDropbearMessage(record: SyslogRecord): IAuthEvent | undefined {
  const msg = record.message;
  let m = SUCCEEDED.exec(msg);
  if (m) {
    const event = authEvent(record, Kind.KIND_SSH, Action.ACTION_LOGON, Outcome.OUTCOME_SUCCESS, 'dropbear');
    event.method = m[1] === 'Password' ? 'password' : 'publickey';
    event.user = userOf(m[2]);
    if (m[3]) event.keyFingerprint = m[3];
    event.source = endpointOf(m[4], m[5]);
    return event;
  }
  const bad = BAD_PASSWORD.exec(msg);
  const none = bad ? undefined : NONEXISTENT.exec(msg);
  if (bad || none) {
    const event = authEvent(record, Kind.KIND_SSH, Action.ACTION_LOGON, Outcome.OUTCOME_FAILURE, 'dropbear');
    event.reason = bad ? 'authentication failure' : 'invalid user';
    event.method = 'password';
    m = (bad ?? none) as RegExpExecArray;
    event.user = userOf(m[1]);
    event.source = endpointOf(m[2], m[3]);
    return event;
  }
  return undefined;
}
