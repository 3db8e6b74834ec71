import type { IAuthEvent } from '@inosec/protos';
import {
  Action,
  authEvent,
  endpointOf,
  keyValues,
  Kind,
  kindForService,
  Outcome,
  ttyOf,
  userOf,
} from './auth-event-builder.js';
import type { SyslogRecord } from './syslog-header.js';

// pam_unix(sshd:auth): message
const PAM_PREFIX = /^(pam_[\w-]+)\(([^:)]+):(\w+)\):\s*/;
const AUTH_FAILURE = /^(?:(\d+) more )?authentication failures?;/;
// session opened for user root(uid=0) by alice(uid=1000) | for user news by (uid=0) | for user bob by LOGIN(uid=0)
const SESSION_OPENED = /^session opened for user (\S+?)(?:\(uid=(\d+)\))? by (\S*?)(?:\(uid=(\d+)\))?\s*$/;
const SESSION_CLOSED = /^session closed for user (\S+)/;
const PASSWORD_CHANGED = /^password changed for (\S+)/;
const IDENTIFY_PASSWORD = /^auth could not identify password for \[(.*)\]/;
const ACCOUNT_EXPIRED = /^account (\S+) has expired/;
const FAILLOCK = /^Consecutive login failures for user (\S+) account temporarily locked/;

/** Whether a record comes from a PAM module (`pam_unix(svc:type): ...` or the old `prog(pam_unix)[pid]:` tag). */
export function isPamRecord(record: SyslogRecord): boolean {
  return record.subsystem.startsWith('pam') || record.message.startsWith('pam_');
}

function elevation(kind: Kind): boolean {
  return kind === Kind.KIND_SUDO || kind === Kind.KIND_SU;
}

/**
 * PAM module records of any program: authentication failures, sessions opened/closed, password changes.
 * The kind follows the PAM service (sshd → KIND_SSH, sudo → KIND_SUDO, login/gdm → KIND_LOGIN, passwd →
 * KIND_ACCOUNT) and is KIND_PAM only for services not attributable to those (cron, systemd-user, ...).
 */
export function parsePamMessage(record: SyslogRecord): IAuthEvent | undefined {
  let service = record.program;
  let message = record.message;
  const prefix = PAM_PREFIX.exec(message);
  if (prefix) {
    service = prefix[2] ?? service;
    message = message.slice(prefix[0].length);
  }
  const kind = kindForService(service);

  const failure = AUTH_FAILURE.exec(message);
  if (failure) {
    const kv = keyValues(message.slice(failure[0].length));
    const event = authEvent(
      record,
      kind,
      elevation(kind) ? Action.ACTION_ELEVATE : Action.ACTION_LOGON,
      Outcome.OUTCOME_FAILURE,
      service,
    );
    event.reason = failure[1] ? `${failure[1]} more authentication failures` : 'authentication failure';
    if (kind === Kind.KIND_SU) {
      // su authenticates as the target (user=), on behalf of ruser/logname.
      event.user = userOf(kv['ruser'] || kv['logname'], kv['uid']);
      event.targetUser = userOf(kv['user']);
    } else {
      event.user = userOf(kv['user'] || kv['ruser'] || kv['logname']);
    }
    event.source = endpointOf(kv['rhost']);
    const tty = ttyOf(kv['tty']);
    if (tty) event.tty = tty;
    return event;
  }

  const opened = SESSION_OPENED.exec(message);
  if (opened) {
    const forUser = userOf(opened[1], opened[2]);
    const byUser = userOf(opened[3], opened[4]);
    if (elevation(kind)) {
      const event = authEvent(record, kind, Action.ACTION_ELEVATE, Outcome.OUTCOME_SUCCESS, service);
      event.user = byUser;
      event.targetUser = forUser;
      return event;
    }
    const event = authEvent(record, kind, Action.ACTION_LOGON, Outcome.OUTCOME_SUCCESS, service);
    event.user = forUser;
    return event;
  }

  const closed = SESSION_CLOSED.exec(message);
  if (closed) {
    const event = authEvent(record, kind, Action.ACTION_LOGOFF, Outcome.OUTCOME_SUCCESS, service);
    if (elevation(kind)) event.targetUser = userOf(closed[1]);
    else event.user = userOf(closed[1]);
    return event;
  }

  const changed = PASSWORD_CHANGED.exec(message);
  if (changed) {
    const event = authEvent(
      record,
      Kind.KIND_ACCOUNT,
      Action.ACTION_PASSWORD_CHANGE,
      Outcome.OUTCOME_SUCCESS,
      service,
    );
    event.targetUser = userOf(changed[1]);
    return event;
  }

  let reason: string | undefined;
  let user: string | undefined;
  if (message.startsWith('check pass; user unknown')) {
    reason = 'user unknown';
  } else if (message.startsWith('conversation failed')) {
    reason = 'conversation failed';
  } else {
    const identify = IDENTIFY_PASSWORD.exec(message);
    const expired = identify ? undefined : ACCOUNT_EXPIRED.exec(message);
    const locked = identify || expired ? undefined : FAILLOCK.exec(message);
    if (identify) {
      reason = 'could not identify password';
      user = identify[1];
    } else if (expired) {
      reason = 'account expired';
      user = expired[1];
    } else if (locked) {
      reason = 'account temporarily locked';
      user = locked[1];
    }
  }
  if (reason === undefined) return undefined;
  const event = authEvent(
    record,
    kind === Kind.KIND_ACCOUNT ? Kind.KIND_PAM : kind,
    elevation(kind) ? Action.ACTION_ELEVATE : Action.ACTION_LOGON,
    Outcome.OUTCOME_FAILURE,
    service,
  );
  event.reason = reason;
  event.user = userOf(user);
  return event;
}
