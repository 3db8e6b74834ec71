import type { IAuthEvent } from '@inosec/protos';
import { Action, authEvent, Kind, Outcome, ttyOf, userOf } from './auth-event-builder.js';
import type { SyslogRecord } from './syslog-header.js';

const SU_FOR_BY = /^(Successful|FAILED) su for (\S+) by (\S+)/;
const SU_SIGN = /^([+-]) (\S+) (\S+?):(\S+)$/;
const SU_TO = /^(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)/;
const SU_OLD = /^(BAD )?SU (\S+) to (\S+)(?: on (\S+))?/;

function su(record: SyslogRecord, ok: boolean, user?: string, target?: string, tty?: string): IAuthEvent {
  const event = authEvent(
    record,
    Kind.KIND_SU,
    Action.ACTION_ELEVATE,
    ok ? Outcome.OUTCOME_SUCCESS : Outcome.OUTCOME_FAILURE,
    'su',
  );
  event.user = userOf(user);
  event.targetUser = userOf(target);
  const t = ttyOf(tty);
  if (t) event.tty = t;
  if (!ok) event.reason = 'authentication failure';
  return event;
}

/**
 * su's own records (shadow-utils and util-linux): `Successful su for root by U`, `FAILED su for root by U`,
 * `+ pts/0 U:root`, `- pts/0 U:root`, `(to root) U on pts/0`, `FAILED SU (to root) U on pts/0`, and the old
 * `SU U to root on /dev/tty1` / `BAD SU U to root on /dev/tty1`. PAM lines of su go to the PAM parser.
 */
export function parseSuMessage(record: SyslogRecord): IAuthEvent | undefined {
  const msg = record.message;
  let m = SU_FOR_BY.exec(msg);
  if (m) return su(record, m[1] === 'Successful', m[3], m[2]);
  if ((m = SU_SIGN.exec(msg))) return su(record, m[1] === '+', m[3], m[4], m[2]);
  if ((m = SU_TO.exec(msg))) return su(record, !m[1], m[3], m[2], m[4]);
  if ((m = SU_OLD.exec(msg))) return su(record, !m[1], m[2], m[3], m[4]);
  if (msg.startsWith('pam_authenticate: ')) {
    const event = su(record, false);
    event.reason = msg.slice('pam_authenticate: '.length);
    return event;
  }
  return undefined;
}
