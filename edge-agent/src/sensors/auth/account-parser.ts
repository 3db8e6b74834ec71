import type { IAuthEvent } from '@inosec/protos';
import { Action, authEvent, groupOf, Kind, Outcome, userOf } from './auth-event-builder.js';
import type { SyslogRecord } from './syslog-header.js';

type Rule = readonly [RegExp, (record: SyslogRecord, m: RegExpExecArray) => IAuthEvent];

function account(record: SyslogRecord, action: Action, ok = true): IAuthEvent {
  return authEvent(record, Kind.KIND_ACCOUNT, action, ok ? Outcome.OUTCOME_SUCCESS : Outcome.OUTCOME_FAILURE);
}

function onUser(action: Action, ok = true) {
  return (record: SyslogRecord, m: RegExpExecArray): IAuthEvent => {
    const event = account(record, action, ok);
    event.targetUser = userOf(m[1]);
    return event;
  };
}

function onGroup(action: Action) {
  return (record: SyslogRecord, m: RegExpExecArray): IAuthEvent => {
    const event = account(record, action);
    event.targetGroup = groupOf(m[1], m[2]);
    return event;
  };
}

function membership(record: SyslogRecord, m: RegExpExecArray): IAuthEvent {
  const event = account(record, Action.ACTION_ACCOUNT_CHANGE);
  event.targetUser = userOf(m[1]);
  event.targetGroup = groupOf(m[2]);
  return event;
}

// The shadow-utils tools log one line per file they touch (/etc/group and /etc/gshadow, "group" and
// "shadow group"); only the /etc/passwd-/etc/group-level line becomes an AuthEvent, the /etc/gshadow
// duplicates stay LogEvents, so one change is one AuthEvent.
const RULES: Readonly<Record<string, readonly Rule[]>> = {
  useradd: [
    [
      /^new user: name=([^,]+), UID=(\d+), GID=(\d+)/,
      (record, m) => {
        const event = account(record, Action.ACTION_ACCOUNT_CREATE);
        event.targetUser = userOf(m[1], m[2]);
        event.targetGroup = groupOf(undefined, m[3]);
        return event;
      },
    ],
    [/^new group: name=([^,]+), GID=(\d+)/, onGroup(Action.ACTION_ACCOUNT_CREATE)],
    [/^add '(.+?)' to group '(.+?)'/, membership],
    [/^failed adding user '(.+?)'/, onUser(Action.ACTION_ACCOUNT_CREATE, false)],
  ],
  usermod: [
    [/^add '(.+?)' to group '(.+?)'/, membership],
    [/^delete '(.+?)' from group '(.+?)'/, membership],
    [/^change user '(.+?)' password/, onUser(Action.ACTION_PASSWORD_CHANGE)],
    [/^change user name '(.+?)' to '(.+?)'/, onUser(Action.ACTION_ACCOUNT_CHANGE)],
    [/^change user '(.+?)' /, onUser(Action.ACTION_ACCOUNT_CHANGE)],
    [/^(?:lock|unlock) user '(.+?)' password/, onUser(Action.ACTION_ACCOUNT_CHANGE)],
  ],
  userdel: [
    [/^delete user '(.+?)'/, onUser(Action.ACTION_ACCOUNT_DELETE)],
    [/^removed group '(.+?)' owned by/, onGroup(Action.ACTION_ACCOUNT_DELETE)],
    [/^delete '(.+?)' from group '(.+?)'/, membership],
  ],
  groupadd: [[/^new group: name=([^,]+), GID=(\d+)/, onGroup(Action.ACTION_ACCOUNT_CREATE)]],
  groupdel: [[/^group '(.+?)' removed$/, onGroup(Action.ACTION_ACCOUNT_DELETE)]],
  groupmod: [[/^group changed in \/etc\/group \(group (.+?)\/(\d+)/, onGroup(Action.ACTION_ACCOUNT_CHANGE)]],
  gpasswd: [
    [
      /^user (\S+) (?:added|removed) by (\S+) (?:to|from) group (\S+)/,
      (record, m) => {
        const event = account(record, Action.ACTION_ACCOUNT_CHANGE);
        event.targetUser = userOf(m[1]);
        event.user = userOf(m[2]);
        event.targetGroup = groupOf(m[3]);
        return event;
      },
    ],
    [
      /^(?:members|administrators) of group (\S+) set by (\S+)/,
      (record, m) => {
        const event = account(record, Action.ACTION_ACCOUNT_CHANGE);
        event.targetGroup = groupOf(m[1]);
        event.user = userOf(m[2]);
        return event;
      },
    ],
    [
      /^password of group (\S+) (?:changed|removed) by (\S+)/,
      (record, m) => {
        const event = account(record, Action.ACTION_PASSWORD_CHANGE);
        event.targetGroup = groupOf(m[1]);
        event.user = userOf(m[2]);
        return event;
      },
    ],
  ],
  passwd: [
    [
      /^password for '(.+?)' changed by '(.+?)'/,
      (record, m) => {
        const event = account(record, Action.ACTION_PASSWORD_CHANGE);
        event.targetUser = userOf(m[1]);
        event.user = userOf(m[2]);
        return event;
      },
    ],
    [/^password changed for (\S+)/, onUser(Action.ACTION_PASSWORD_CHANGE)],
  ],
  chpasswd: [[/^password changed for (\S+)/, onUser(Action.ACTION_PASSWORD_CHANGE)]],
  chage: [[/^changed password expiry for (\S+)/, onUser(Action.ACTION_ACCOUNT_CHANGE)]],
};

/** The programs {@link parseAccountMessage} knows. */
export const ACCOUNT_PROGRAMS: readonly string[] = Object.keys(RULES);

/**
 * Local account management (shadow-utils): useradd, usermod, userdel, groupadd, groupmod, groupdel,
 * gpasswd, passwd, chpasswd, chage → KIND_ACCOUNT with create/change/delete/password actions, the account
 * in target_user and the group in target_group.
 */
export function parseAccountMessage(record: SyslogRecord): IAuthEvent | undefined {
  const rules = RULES[record.program];
  if (!rules) return undefined;
  for (const [re, build] of rules) {
    const m = re.exec(record.message);
    if (m) return build(record, m);
  }
  return undefined;
}
