// The linux/auditd views: one per audit record, with the record's keys as auditd writes them, because SigmaHQ
// auditd rules test one record at a time (`type: EXECVE` with `a0`, `type: PATH` with `name`). LogEvents of
// the auditd sensor hold every record's pairs in one flat map (the first record's keys as they are, later ones
// prefixed `<type>.` or `path.<item>.`); successful execs and user/account records arrive as ProcessEvents and
// AuthEvents, whose records are rebuilt from what they kept.
import {
  AuthEventAction,
  AuthEventKind,
  type IAuthEvent,
  type ILogEvent,
  type IProcess,
  type IProcessEvent,
} from '@inosec/protos';
import type { SigmaEvent } from '../sigma-types.js';
import { outcomeText } from './auth-views.js';
import { commandLineOf } from './process-views.js';
import { positive, text } from './view-values.js';

type MutableView = Record<string, unknown>;

const NO_PROCESS: IProcess = {};

/** Appends `value` to a split EXECVE argument (`a2[0]`, `a2[1]` → `a2`). */
function setField(view: MutableView, key: string, value: string): void {
  const bracket = key.indexOf('[');
  if (bracket > 0 && key.endsWith(']')) {
    const arg = key.slice(0, bracket);
    const before = view[arg];
    view[arg] = typeof before === 'string' ? before + value : value;
    return;
  }
  view[key] = value;
}

/** One view per record of an auditd LogEvent (parser `auditd`), from its flat `fields`. */
export function auditRecordViews(log: ILogEvent): SigmaEvent[] {
  const fields = log.fields;
  if (!fields) return [];
  const types = (fields['audit.type'] ?? '').split(',');
  const first: MutableView = { type: text(types[0]) };
  const views: MutableView[] = [first];
  let byPrefix: Map<string, MutableView> | undefined;
  for (const key in fields) {
    const value = fields[key] ?? '';
    const dot = key.indexOf('.');
    if (dot === -1) {
      setField(first, key, value);
      continue;
    }
    const head = key.slice(0, dot);
    if (head === 'audit') continue;
    const end = head === 'path' ? key.indexOf('.', dot + 1) : dot;
    if (end === -1) {
      setField(first, key, value);
      continue;
    }
    const prefix = key.slice(0, end);
    byPrefix ??= new Map();
    let view = byPrefix.get(prefix);
    if (!view) {
      view = { type: head === 'path' ? 'PATH' : head.toUpperCase() };
      byPrefix.set(prefix, view);
      views.push(view);
    }
    setField(view, key.slice(end + 1), value);
  }
  return views;
}

/** auditd writes a terminal as `pts0`; the contract as `pts/0`. */
function auditTty(tty: string | null | undefined): string | undefined {
  if (!tty) return undefined;
  return tty.startsWith('pts/') ? `pts${tty.slice(4)}` : tty;
}

/**
 * The SYSCALL, EXECVE, CWD, PATH (the executable) and PROCTITLE records of a successful exec the auditd sensor
 * turned into a ProcessEvent. Lost on the way and absent here: the rule `key`, `auid`, `uid` and the syscall number.
 */
export function auditExecViews(event: IProcessEvent): SigmaEvent[] {
  const process = event.process ?? NO_PROCESS;
  const exe = text(process.executable);
  const args = process.args ?? [];
  const execve: MutableView = { type: 'EXECVE', argc: args.length };
  for (let i = 0; i < args.length; i++) execve[`a${i}`] = args[i];
  const views: SigmaEvent[] = [
    {
      type: 'SYSCALL',
      SYSCALL: 'execve',
      success: 'yes',
      exe,
      comm: text(process.name?.slice(0, 15)),
      pid: positive(process.pid),
      ppid: positive(process.ppid) ?? positive(event.parent?.pid),
      euid: text(process.user?.id),
      EUID: text(process.user?.name),
      egid: text(process.group?.id),
      tty: auditTty(process.tty),
      ses: positive(process.sessionId),
    },
    execve,
  ];
  const cwd = text(process.workingDirectory);
  if (cwd) views.push({ type: 'CWD', cwd });
  if (exe) views.push({ type: 'PATH', item: 0, name: exe, nametype: 'NORMAL' });
  const title = commandLineOf(process);
  if (title) views.push({ type: 'PROCTITLE', proctitle: title });
  return views;
}

/** The audit record type of an AuthEvent, when only one type maps to its kind and action. */
function recordType(event: IAuthEvent, group: boolean): string | undefined {
  if (event.kind === AuthEventKind.KIND_ACCOUNT) {
    switch (event.action) {
      case AuthEventAction.ACTION_ACCOUNT_CREATE:
        return group ? 'ADD_GROUP' : 'ADD_USER';
      case AuthEventAction.ACTION_ACCOUNT_DELETE:
        return group ? 'DEL_GROUP' : 'DEL_USER';
      case AuthEventAction.ACTION_PASSWORD_CHANGE:
        return group ? 'GRP_CHAUTHTOK' : 'USER_CHAUTHTOK';
      case AuthEventAction.ACTION_ACCOUNT_CHANGE:
        return group ? 'GRP_MGMT' : undefined; // USER_MGMT, ACCT_LOCK or ACCT_UNLOCK
      default:
        return undefined;
    }
  }
  // USER_LOGIN, USER_AUTH, USER_ACCT, USER_START, CRED_* all became logons: only USER_CMD is certain.
  return event.action === AuthEventAction.ACTION_ELEVATE && event.command ? 'USER_CMD' : undefined;
}

/** The user-space record an AuthEvent of the auditd sensor came from, as far as it can be rebuilt. */
export function auditAuthView(event: IAuthEvent): SigmaEvent {
  const group = !event.targetUser && Boolean(event.targetGroup);
  const acted = event.kind === AuthEventKind.KIND_ACCOUNT || event.action === AuthEventAction.ACTION_ELEVATE;
  return {
    type: recordType(event, group),
    pid: positive(event.process?.pid),
    exe: text(event.process?.executable),
    acct: acted ? (text(event.targetUser?.name) ?? text(event.targetGroup?.name)) : text(event.user?.name),
    id: acted ? (text(event.targetUser?.id) ?? text(event.targetGroup?.id)) : text(event.user?.id),
    AUID: acted ? text(event.user?.name) : undefined,
    auid: acted ? text(event.user?.id) : undefined,
    addr: text(event.source?.ip),
    hostname: text(event.source?.domain),
    terminal: auditTty(event.tty),
    cmd: text(event.command),
    res: outcomeText(event.outcome) === 'failure' ? 'failed' : outcomeText(event.outcome),
  };
}
