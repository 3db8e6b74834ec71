// The text views of authentication records (linux/auth, sshd, sudo, syslog, linux/*): AuthEvents parsed from
// the auth log, with ECS-style names for their values and the sudo log keys for sudo records.
import { AuthEventKind, AuthEventOutcome, type IAuthEvent } from '@inosec/protos';
import type { SigmaEvent } from '../sigma-types.js';
import { positive, text } from './view-values.js';

/** ECS event.outcome of an AuthEvent outcome. */
export function outcomeText(outcome: AuthEventOutcome | null | undefined): string | undefined {
  if (outcome === AuthEventOutcome.OUTCOME_SUCCESS) return 'success';
  if (outcome === AuthEventOutcome.OUTCOME_FAILURE) return 'failure';
  return undefined;
}

/** The keys an authlog AuthEvent feeds, by whether it is an sshd or a sudo record. */
const AUTH_KEYS = ['linux/auth', 'linux/syslog', 'linux/*'] as const;
const SSHD_KEYS = ['linux/auth', 'linux/sshd', 'linux/syslog', 'linux/*'] as const;
const SUDO_KEYS = ['linux/auth', 'linux/sudo', 'linux/syslog', 'linux/*'] as const;

/** The log-source keys an AuthEvent of the auth log feeds. */
export function authEventKeys(event: IAuthEvent): readonly string[] {
  const program = event.process?.name || event.service;
  if (event.kind === AuthEventKind.KIND_SSH && (program === 'sshd' || event.service === 'sshd')) {
    return SSHD_KEYS;
  }
  if (event.kind === AuthEventKind.KIND_SUDO && (program === 'sudo' || event.service === 'sudo')) {
    return SUDO_KEYS;
  }
  return AUTH_KEYS;
}

/**
 * The view of an AuthEvent: its parsed values (verbatim parts of the log line: user, address, reason,
 * command, tty), `event.outcome`, and for sudo records the sudo log keys USER, COMMAND and TTY. The contract
 * carries no original line for AuthEvents, so `original` is absent.
 */
export function authEventView(event: IAuthEvent): SigmaEvent {
  const sudo = event.kind === AuthEventKind.KIND_SUDO;
  const target = text(event.targetUser?.name);
  const command = text(event.command);
  const tty = text(event.tty);
  return {
    program: text(event.process?.name),
    pid: positive(event.process?.pid),
    'user.name': text(event.user?.name),
    'user.target.name': target,
    'group.target.name': text(event.targetGroup?.name),
    'source.ip': text(event.source?.ip),
    'source.port': positive(event.source?.port),
    'source.domain': text(event.source?.domain),
    'service.name': text(event.service),
    'auth.method': text(event.method),
    'event.outcome': outcomeText(event.outcome),
    'event.reason': text(event.reason),
    'process.command_line': command,
    'process.tty': tty,
    'key.fingerprint': text(event.keyFingerprint),
    USER: sudo ? target : undefined,
    COMMAND: sudo ? command : undefined,
    TTY: sudo ? tty : undefined,
  };
}
