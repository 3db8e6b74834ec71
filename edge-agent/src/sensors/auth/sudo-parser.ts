import type { IAuthEvent } from '@inosec/protos';
import { Action, authEvent, Kind, Outcome, ttyOf, userOf } from './auth-event-builder.js';
import type { SyslogRecord } from './syslog-header.js';

// "    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls -l"
const SUDO_LINE = /^\s*(\S+) : (.*)$/;
const SUDO_KEY = /^([A-Z]+)=(.*)$/;
const SEPARATOR = ' ; ';

/**
 * sudo's own records: `U : TTY=.. ; PWD=.. ; USER=root ; COMMAND=..` (a command run, ACTION_ELEVATE success)
 * and the same with a leading reason (`3 incorrect password attempts`, `user NOT in sudoers`, `command not
 * allowed`: failure). PAM lines of sudo are handled by the PAM parser.
 */
export function parseSudoMessage(record: SyslogRecord): IAuthEvent | undefined {
  const m = SUDO_LINE.exec(record.message);
  if (!m) return undefined;
  const rest = m[2] ?? '';
  let reason = '';
  let tty = '';
  let target = '';
  let targetGroup = '';
  let command = '';
  let pos = 0;
  let known = false;
  while (pos <= rest.length) {
    const next = rest.indexOf(SEPARATOR, pos);
    const part = next === -1 ? rest.slice(pos) : rest.slice(pos, next);
    const kv = SUDO_KEY.exec(part);
    if (kv) {
      known = true;
      const value = kv[2] ?? '';
      if (kv[1] === 'COMMAND') {
        command = rest.slice(pos + 'COMMAND='.length); // the command may itself contain " ; "
        break;
      }
      if (kv[1] === 'TTY') tty = value;
      else if (kv[1] === 'USER') target = value;
      else if (kv[1] === 'GROUP') targetGroup = value;
    } else if (!reason) {
      reason = part.trim();
    }
    if (next === -1) break;
    pos = next + SEPARATOR.length;
  }
  if (!known) return undefined;
  const event = authEvent(
    record,
    Kind.KIND_SUDO,
    Action.ACTION_ELEVATE,
    reason ? Outcome.OUTCOME_FAILURE : Outcome.OUTCOME_SUCCESS,
    'sudo',
  );
  event.user = userOf(m[1]);
  event.targetUser = userOf(target);
  if (targetGroup) event.targetGroup = { name: targetGroup };
  if (reason) event.reason = reason;
  const t = ttyOf(tty === 'unknown' ? '' : tty);
  if (t) event.tty = t;
  if (command) event.command = command;
  return event;
}

const DOAS_RAN = /^(\S+) ran command (?:(.+?) as (\S+) from (.+)|as (\S+): (.+))$/;
const DOAS_FAILED = /^(?:failed auth for (\S+)|command not permitted for (\S+): (.+))$/;

/**
 * doas (OpenBSD's sudo, also packaged for Linux) as KIND_SUDO with service "doas": `U ran command CMD as
 * root from DIR`, `U ran command as T: CMD` (success), `failed auth for U`, `command not permitted for U: CMD`.
 */
export function parseDoasMessage(record: SyslogRecord): IAuthEvent | undefined {
  const ran = DOAS_RAN.exec(record.message);
  const failed = ran ? undefined : DOAS_FAILED.exec(record.message);
  if (!ran && !failed) return undefined;
  const event = authEvent(
    record,
    Kind.KIND_SUDO,
    Action.ACTION_ELEVATE,
    ran ? Outcome.OUTCOME_SUCCESS : Outcome.OUTCOME_FAILURE,
    'doas',
  );
  if (ran) {
    event.user = userOf(ran[1]);
    event.targetUser = userOf(ran[3] ?? ran[5]);
    event.command = ran[2] ?? ran[6] ?? '';
  } else if (failed) {
    event.user = userOf(failed[1] ?? failed[2]);
    event.reason = failed[1] ? 'authentication failure' : 'command not permitted';
    if (failed[3]) event.command = failed[3];
  }
  return event;
}
