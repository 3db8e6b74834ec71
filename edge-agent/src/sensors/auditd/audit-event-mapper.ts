import {
  AuthEventAction,
  AuthEventKind,
  AuthEventOutcome,
  type IAuthEvent,
  type ILogEvent,
  type IProcess,
  ProcessEventAction,
} from '@inosec/protos';
import path from 'node:path';
import { endpointOf, groupOf, kindForService, ttyOf, userOf } from '../auth/auth-event-builder.js';
import type { EventDraft } from '../sensor.js';
import type { AuditRecord } from './audit-record-parser.js';

/** The name written to Event.sensor by the auditd sensor. */
export const AUDITD_SENSOR = 'auditd';

export interface AuditMapOptions {
  /** Observed time (µs); default now. */
  readonly nowUs?: number;
  /** LogEvent.source, e.g. the audit.log path. */
  readonly source?: string;
}

/** execve / execveat syscall numbers per audit arch (x86_64, i386, aarch64, arm). */
const EXEC_SYSCALLS: Readonly<Record<string, readonly string[]>> = {
  c000003e: ['59', '322'],
  '40000003': ['11', '358'],
  c00000b7: ['221', '281'],
  '40000028': ['11', '387'],
};

const SESSION_TYPES: Readonly<Record<string, AuthEventAction>> = {
  USER_LOGIN: AuthEventAction.ACTION_LOGON,
  USER_AUTH: AuthEventAction.ACTION_LOGON,
  USER_ACCT: AuthEventAction.ACTION_LOGON,
  USER_START: AuthEventAction.ACTION_LOGON,
  CRED_ACQ: AuthEventAction.ACTION_LOGON,
  CRED_REFR: AuthEventAction.ACTION_LOGON,
  USER_ERR: AuthEventAction.ACTION_LOGON,
  USER_LOGOUT: AuthEventAction.ACTION_LOGOFF,
  USER_END: AuthEventAction.ACTION_LOGOFF,
  CRED_DISP: AuthEventAction.ACTION_LOGOFF,
  USER_CMD: AuthEventAction.ACTION_ELEVATE,
};

/** Account-management records: action and whether the object is a group. */
const ACCOUNT_TYPES: Readonly<Record<string, readonly [AuthEventAction, boolean]>> = {
  ADD_USER: [AuthEventAction.ACTION_ACCOUNT_CREATE, false],
  DEL_USER: [AuthEventAction.ACTION_ACCOUNT_DELETE, false],
  USER_MGMT: [AuthEventAction.ACTION_ACCOUNT_CHANGE, false],
  ACCT_LOCK: [AuthEventAction.ACTION_ACCOUNT_CHANGE, false],
  ACCT_UNLOCK: [AuthEventAction.ACTION_ACCOUNT_CHANGE, false],
  USER_CHAUTHTOK: [AuthEventAction.ACTION_PASSWORD_CHANGE, false],
  ADD_GROUP: [AuthEventAction.ACTION_ACCOUNT_CREATE, true],
  DEL_GROUP: [AuthEventAction.ACTION_ACCOUNT_DELETE, true],
  GRP_MGMT: [AuthEventAction.ACTION_ACCOUNT_CHANGE, true],
  GRP_CHAUTHTOK: [AuthEventAction.ACTION_PASSWORD_CHANGE, true],
};

function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value === '?' || value === '(null)' || value === '(none)'
    ? undefined
    : value;
}

/** auditd writes the terminal as `pts0`; ECS/proto use `pts/0`. */
function auditTty(value: string | undefined): string {
  const v = present(value);
  if (!v) return '';
  const pts = /^pts(\d+)$/.exec(v);
  return pts ? `pts/${pts[1]}` : ttyOf(v);
}

function outcomeOf(res: string | undefined): AuthEventOutcome {
  if (res === 'success' || res === 'yes' || res === '1') return AuthEventOutcome.OUTCOME_SUCCESS;
  if (res === 'failed' || res === 'no' || res === '0') return AuthEventOutcome.OUTCOME_FAILURE;
  return AuthEventOutcome.OUTCOME_UNSPECIFIED;
}

function isExec(records: readonly AuditRecord[], syscall: AuditRecord): boolean {
  if (records.some((r) => r.type === 'EXECVE')) return true;
  const name = syscall.enriched?.['SYSCALL'];
  if (name) return name === 'execve' || name === 'execveat';
  return EXEC_SYSCALLS[syscall.fields['arch'] ?? '']?.includes(syscall.fields['syscall'] ?? '') ?? false;
}

function execArgs(execve: AuditRecord | undefined): string[] {
  if (!execve) return [];
  const f = execve.fields;
  const argc = Number(f['argc'] ?? 0);
  const args: string[] = [];
  for (let i = 0; i < argc; i++) {
    let arg = f[`a${i}`];
    if (arg === undefined) {
      // Long arguments are split: a2_len=N a2[0]=... a2[1]=...
      if (f[`a${i}[0]`] === undefined) break; // a truncated record: keep the arguments it has
      arg = '';
      for (let k = 0; f[`a${i}[${k}]`] !== undefined; k++) arg += f[`a${i}[${k}]`];
    }
    args.push(arg);
  }
  return args;
}

function processEvent(
  records: readonly AuditRecord[],
  syscall: AuditRecord,
  options: AuditMapOptions,
): EventDraft {
  const f = syscall.fields;
  const e = syscall.enriched;
  const execve = records.find((r) => r.type === 'EXECVE');
  const cwd = records.find((r) => r.type === 'CWD')?.fields['cwd'];
  const exePath = present(f['exe']) ?? records.find((r) => r.type === 'PATH')?.fields['name'] ?? '';
  const args = execArgs(execve);
  const proctitle = records.find((r) => r.type === 'PROCTITLE')?.fields['proctitle'];
  const process: IProcess = {
    pid: Number(f['pid'] ?? 0),
    ppid: Number(f['ppid'] ?? 0),
    executable: exePath,
    name: exePath ? path.basename(exePath) : (f['comm'] ?? ''),
    args,
    commandLine: args.length > 0 ? args.join(' ') : (proctitle ?? ''),
    workingDirectory: present(cwd) ?? '',
    startTimeUnixUs: syscall.timeUnixUs,
    tty: auditTty(f['tty']),
  };
  const user = userOf(e?.['EUID'] ?? e?.['UID'], f['euid'] ?? f['uid']);
  if (user) process.user = user;
  const group = groupOf(e?.['EGID'] ?? e?.['GID'], f['egid'] ?? f['gid']);
  if (group) process.group = group;
  const ses = f['ses'];
  if (ses && ses !== '4294967295' && /^\d+$/.test(ses)) process.sessionId = Number(ses);
  return {
    sensor: AUDITD_SENSOR,
    timeUnixUs: syscall.timeUnixUs,
    observedTimeUnixUs: options.nowUs ?? Date.now() * 1000,
    process: {
      action: ProcessEventAction.ACTION_START,
      process,
      parent: { pid: Number(f['ppid'] ?? 0) },
    },
  };
}

function authFromUserRecord(record: AuditRecord): IAuthEvent {
  const f = record.fields;
  const e = record.enriched;
  const exe = present(f['exe']) ?? '';
  const service = exe ? path.basename(exe) : '';
  const kind = kindForService(service);
  let action = SESSION_TYPES[record.type] ?? AuthEventAction.ACTION_LOGON;
  if (
    action === AuthEventAction.ACTION_LOGON &&
    (kind === AuthEventKind.KIND_SUDO || kind === AuthEventKind.KIND_SU)
  ) {
    action = AuthEventAction.ACTION_ELEVATE;
  }
  const outcome = outcomeOf(f['res']);
  const event: IAuthEvent = { kind, action, outcome, service };
  // acct is the account acted on; USER_LOGIN carries the uid as id=.
  event.user = userOf(present(f['acct']) ?? e?.['ID'], f['id'] ?? f['uid']);
  const actor = userOf(e?.['AUID'], f['auid']);
  if (kind === AuthEventKind.KIND_SUDO || kind === AuthEventKind.KIND_SU) {
    event.targetUser = event.user;
    event.user = actor;
  }
  event.source = endpointOf(present(f['addr']) ?? present(f['hostname']));
  const tty = auditTty(f['terminal']);
  if (tty && tty !== 'ssh') event.tty = tty;
  if (record.type === 'USER_CMD' && f['cmd']) event.command = f['cmd'];
  if (outcome === AuthEventOutcome.OUTCOME_FAILURE && f['op']) event.reason = f['op'];
  event.process = { pid: Number(f['pid'] ?? 0), executable: exe, name: service };
  return event;
}

function authFromAccountRecord(record: AuditRecord, action: AuthEventAction, isGroup: boolean): IAuthEvent {
  const f = record.fields;
  const e = record.enriched;
  const exe = present(f['exe']) ?? '';
  const event: IAuthEvent = {
    kind: AuthEventKind.KIND_ACCOUNT,
    action,
    outcome: outcomeOf(f['res']),
    service: exe ? path.basename(exe) : '',
  };
  event.user = userOf(e?.['AUID'], f['auid']);
  const name = present(f['acct']) ?? present(f['grp']);
  const id = present(f['id']);
  if (isGroup) event.targetGroup = groupOf(name, id);
  else event.targetUser = userOf(name, id);
  if (event.outcome === AuthEventOutcome.OUTCOME_FAILURE && f['op']) event.reason = f['op'];
  event.process = { pid: Number(f['pid'] ?? 0), executable: exe, name: event.service ?? '' };
  return event;
}

/** Every record's pairs in one flat map: the first record's keys as they are, later ones prefixed. */
function flatFields(records: readonly AuditRecord[]): Record<string, string> {
  const fields: Record<string, string> = {
    'audit.id': records[0]?.id ?? '',
    'audit.type': records.map((r) => r.type).join(','),
  };
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const type = record.type.toLowerCase();
    const n = seen.get(type) ?? 0;
    seen.set(type, n + 1);
    const prefix =
      index === 0 ? '' : record.type === 'PATH' ? `path.${record.fields['item'] ?? n}.` : `${type}.`;
    for (const [k, v] of Object.entries(record.fields)) fields[prefix + k] = v;
    if (record.enriched) for (const [k, v] of Object.entries(record.enriched)) fields[prefix + k] = v;
  });
  return fields;
}

function logEvent(records: readonly AuditRecord[], options: AuditMapOptions): EventDraft {
  const first = records[0];
  const log: ILogEvent = {
    original: records.map((r) => r.raw).join('\n'),
    message: first ? first.raw.slice(first.raw.indexOf('):') + 2).trim() : '',
    source: options.source ?? '',
    program: 'auditd',
    pid: Number(first?.fields['pid'] ?? 0) || 0,
    hostname: first?.node ?? '',
    parser: 'auditd',
    fields: flatFields(records),
  };
  return {
    sensor: AUDITD_SENSOR,
    timeUnixUs: first?.timeUnixUs ?? options.nowUs ?? Date.now() * 1000,
    observedTimeUnixUs: options.nowUs ?? Date.now() * 1000,
    log,
  };
}

/**
 * One audit event (its records) as an Event: a successful execve/execveat → ProcessEvent ACTION_START;
 * USER_LOGIN/AUTH/ACCT/START/END/CMD and CRED_* → AuthEvent; ADD_USER/DEL_USER/ADD_GROUP/... →
 * AuthEvent KIND_ACCOUNT; anything else (failed execs included) → LogEvent with every pair in `fields`.
 */
export function mapAuditEvent(records: readonly AuditRecord[], options: AuditMapOptions = {}): EventDraft {
  const first = records[0];
  if (!first) return logEvent(records, options);
  const syscall = records.find((r) => r.type === 'SYSCALL');
  if (syscall && syscall.fields['success'] !== 'no' && isExec(records, syscall)) {
    return processEvent(records, syscall, options);
  }
  if (records.length === 1) {
    const observedTimeUnixUs = options.nowUs ?? Date.now() * 1000;
    const account = ACCOUNT_TYPES[first.type];
    if (account) {
      return {
        sensor: AUDITD_SENSOR,
        timeUnixUs: first.timeUnixUs,
        observedTimeUnixUs,
        auth: authFromAccountRecord(first, account[0], account[1]),
      };
    }
    if (SESSION_TYPES[first.type] !== undefined) {
      return {
        sensor: AUDITD_SENSOR,
        timeUnixUs: first.timeUnixUs,
        observedTimeUnixUs,
        auth: authFromUserRecord(first),
      };
    }
  }
  return logEvent(records, options);
}
