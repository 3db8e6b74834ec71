import {
  AuthEventAction,
  AuthEventKind,
  AuthEventOutcome,
  type IAuthEvent,
  type IEndpoint,
  type IGroup,
  type IUser,
} from '@inosec/protos';
import type { SyslogRecord } from './syslog-header.js';

export { AuthEventAction as Action, AuthEventKind as Kind, AuthEventOutcome as Outcome };

/** A program parser: an AuthEvent when it recognises the message, else undefined (the line becomes a LogEvent). */
export type AuthMessageParser = (record: SyslogRecord) => IAuthEvent | undefined;

/** An AuthEvent with the writing process (pid, program) and the service (the program unless given). */
export function authEvent(
  record: SyslogRecord,
  kind: AuthEventKind,
  action: AuthEventAction,
  outcome: AuthEventOutcome,
  service: string = record.program,
): IAuthEvent {
  const event: IAuthEvent = { kind, action, outcome, service };
  if (record.program || record.pid) event.process = { pid: record.pid, name: record.program };
  return event;
}

/** A User from a name and/or id; undefined when both are empty or unknown ("?", "(unknown)"). */
export function userOf(name: string | undefined, id?: string): IUser | undefined {
  const n = name === undefined || name === '?' || name === '(unknown)' ? '' : name;
  const i = id === undefined || id === '?' || id === '4294967295' || id === '-1' ? '' : id;
  if (!n && !i) return undefined;
  const user: IUser = {};
  if (n) user.name = n;
  if (i) user.id = i;
  return user;
}

/** A Group from a name and/or id; undefined when both are empty. */
export function groupOf(name: string | undefined, id?: string): IGroup | undefined {
  if (!name && !id) return undefined;
  const group: IGroup = {};
  if (name) group.name = name;
  if (id) group.id = id;
  return group;
}

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** The remote peer; undefined for an empty or placeholder address ("?", "UNKNOWN"). */
export function endpointOf(address: string | undefined, port?: string): IEndpoint | undefined {
  if (!address || address === '?' || address === 'UNKNOWN' || address === 'unknown') return undefined;
  const mapped = IPV4_MAPPED.exec(address);
  const endpoint: IEndpoint = {};
  if (/^[\d.]+$/.test(address) || address.includes(':')) endpoint.ip = mapped?.[1] ?? address;
  else endpoint.domain = address;
  if (port && /^\d+$/.test(port)) endpoint.port = Number(port);
  return endpoint;
}

/** A terminal without its /dev/ prefix. */
export function ttyOf(value: string | undefined): string {
  if (!value || value === '?' || value === '(none)') return '';
  return value.startsWith('/dev/') ? value.slice(5) : value;
}

const KV = /([A-Za-z_][\w-]*)=(\S*)/g;

/** `key=value` pairs of PAM messages (`logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root`). */
export function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  KV.lastIndex = 0;
  for (let m = KV.exec(text); m !== null; m = KV.exec(text)) out[m[1] ?? ''] = m[2] ?? '';
  return out;
}

/** The AuthEvent kind of a PAM service or program name. */
export function kindForService(service: string): AuthEventKind {
  switch (service) {
    case 'sshd':
      return AuthEventKind.KIND_SSH;
    case 'sudo':
    case 'sudo-i':
      return AuthEventKind.KIND_SUDO;
    case 'su':
    case 'su-l':
    case 'runuser':
    case 'runuser-l':
      return AuthEventKind.KIND_SU;
    case 'login':
    case 'getty':
    case 'agetty':
    case 'lightdm':
    case 'lightdm-greeter':
    case 'sddm':
    case 'xdm':
    case 'kdm':
      return AuthEventKind.KIND_LOGIN;
    case 'passwd':
    case 'chpasswd':
    case 'chage':
    case 'useradd':
    case 'usermod':
    case 'userdel':
    case 'groupadd':
    case 'groupmod':
    case 'groupdel':
    case 'gpasswd':
    case 'newusers':
    case 'chfn':
    case 'chsh':
      return AuthEventKind.KIND_ACCOUNT;
    default:
      return service.startsWith('gdm') ? AuthEventKind.KIND_LOGIN : AuthEventKind.KIND_PAM;
  }
}
