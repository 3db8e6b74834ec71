import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthEventAction, AuthEventKind, AuthEventOutcome } from '@inosec/protos';
import { parseAuthLine } from './auth-line-parser.js';

// Real auth.log / syslog lines from the Wazuh ruleset tests (GPLv2 data; see the corpus SOURCE.txt).
const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const corpusFile = path.resolve(
  repoRoot,
  '../shared/corpus/linux-telemetry/wazuh-ruleset-tests/expected_matches.jsonl',
);

interface WazuhCase {
  file: string;
  section: string;
  line_name: string;
  decoder: string;
  rule_description: string;
  expect_match: boolean;
  logs: string[];
}

type Expectation =
  | {
      kind: 'ssh' | 'sudo' | 'su';
      action: 'logon' | 'logoff' | 'elevate';
      outcome: 'success' | 'failure' | 'unspecified';
      program: string;
    }
  | { log: string };

const KINDS = { ssh: AuthEventKind.KIND_SSH, sudo: AuthEventKind.KIND_SUDO, su: AuthEventKind.KIND_SU };
const ACTIONS = {
  logon: AuthEventAction.ACTION_LOGON,
  logoff: AuthEventAction.ACTION_LOGOFF,
  elevate: AuthEventAction.ACTION_ELEVATE,
};
const OUTCOMES = {
  success: AuthEventOutcome.OUTCOME_SUCCESS,
  failure: AuthEventOutcome.OUTCOME_FAILURE,
  unspecified: AuthEventOutcome.OUTCOME_UNSPECIFIED,
};

/**
 * What every non-auditd case must parse to, written by hand from each case's decoder and rule description
 * (never from this parser's output). Key: file#section#line_name. Mapping rules:
 * - decoder sshd/dropbear → KIND_SSH, sudo/doas → KIND_SUDO, su → KIND_SU; Wazuh's "pam" decoder lines
 *   (`su(pam_unix)`, `sshd(pam_unix)`) are attributed to their service, as auth.proto asks (KIND_PAM only for
 *   records not attributable to sshd/sudo/su/login).
 * - "failed", "non-existent user", "denied user", "refused", "maximum attempts", "scan", "attack",
 *   "did not offer an acceptable key exchange method" → failure; "executed"/"was run"/"session opened" →
 *   success; su/sudo/doas → ACTION_ELEVATE, ssh → ACTION_LOGON; "connection closed" (pre-auth) → ACTION_LOGOFF
 *   with no outcome.
 * - sshd transport/debug/configuration errors and DNS mapping warnings are not authentication records: LogEvent
 *   with program sshd. Other programs (kernel, named, proftpd, vsftpd, ...) → LogEvent with their program,
 *   the program as the line writes it (`name[464]` in the named "must not match" case).
 */
const EXPECTED: Record<string, Expectation> = {
  // [doas] A doas command was run as root.
  'doas.ini#command run as root#log 1 pass': {
    kind: 'sudo',
    action: 'elevate',
    outcome: 'success',
    program: 'doas',
  },
  // [doas] A command was run using doas.
  'doas.ini#doas command run#log 1 pass': {
    kind: 'sudo',
    action: 'elevate',
    outcome: 'success',
    program: 'doas',
  },
  // [dropbear] Dropbear: Bad password attempt for non existent user.
  'dropbear.ini#Dropbear: bad password attempt for non-existing user#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'dropbear',
  },
  // [-] firewalld: Incorrect chain/target/match. (must NOT match)
  'firewalld.ini#Incorrect chain/target/match.#log 3 fail': { log: 'firewalld' },
  // [kernel] Firewall rules grouped.
  'iptables.ini#iptables: custom action 1#log 1 pass': { log: 'kernel' },
  // [kernel] Firewall rules grouped.
  'iptables.ini#iptables: custom action 3#log 1 pass': { log: 'kernel' },
  // [kernel] Firewall drop event.
  'iptables.ini#iptables: drop#log 1 pass': { log: 'kernel' },
  // [kernel] Multiple Firewall drop events from same source.
  'iptables.ini#iptables: openwrt drop frecuency#log 1 pass': { log: 'kernel' },
  // [kernel] Firewall rules grouped.
  'iptables.ini#iptables: ufw block#log 2 pass': { log: 'kernel' },
  // [kernel] Attached USB Storage
  'kernel_usb.ini#kernel_usb: attach usb with kernel id#log 1 pass': { log: 'kernel' },
  // [kernel] USB device disconnected
  'kernel_usb.ini#kernel_usb: disconnect usb#log 1 pass': { log: 'kernel' },
  // [kernel] USB device disconnected
  'kernel_usb.ini#kernel_usb: disconnect usb with kernel id and blank spaces#log 1 pass': { log: 'kernel' },
  // [named] Query cache denied (probably config error).
  'named.ini#Query cache denied#log 2 pass': { log: 'named' },
  // [named] Query cache denied (probably config error). (must NOT match)
  'named.ini#Query cache denied#log 4 fail': { log: 'name' },
  // [pam] PAM: User login failed.
  'pam.ini#User login failed.#log 1 pass': {
    kind: 'su',
    action: 'elevate',
    outcome: 'failure',
    program: 'su',
  },
  // [pam] PAM: Login session opened.
  'pam.ini#Login session opened.#log 1 pass': {
    kind: 'su',
    action: 'elevate',
    outcome: 'success',
    program: 'su',
  },
  // [pam] syslog: User missed the password more than one time
  'pam.ini#User missed the password more than one time#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [proftpd] ProFTPD: FTP Authentication success.
  'proftpd.ini#FTP Authentication success.#log 1 pass': { log: 'proftpd' },
  // [proftpd] ProFTPD: FTP Authentication success.
  'proftpd.ini#FTP Authentication success.#log 3 pass': { log: 'proftpd' },
  // [proftpd] ProFTPD: Connection denied by ProFTPD configuration.
  'proftpd.ini#Connection denied by ProFTPD configuration.#log 1 pass': { log: 'proftpd' },
  // [rshd] Connection to rshd from unprivileged port. Possible network scan.
  'rsh.ini#rshd: illegal#log 1 pass': { log: 'rshd' },
  // [sshd] sshd: configuration error (AuthorizedKeysCommand)
  'sshd.ini#SSHD configuration error (AuthorizedKeysCommand)#log 1 pass': { log: 'sshd' },
  // [sshd] sshd: connection refused
  'sshd.ini#ssh connection refused#log 1 pass': { log: 'sshd' },
  // [sshd] sshd: no route to host
  'sshd.ini#ssh no route to host#log 1 pass': { log: 'sshd' },
  // [sshd] sshd: transport endpoint is not connected
  'sshd.ini#ssh transport endpoint is not connected#log 1 pass': { log: 'sshd' },
  // [sshd] sshd: bad client public DH value
  'sshd.ini#ssh bad client public DH value#log 1 pass': { log: 'sshd' },
  // [sshd] sshd: corrupted MAC on input
  'sshd.ini#ssh corrupted MAC on input#log 2 pass': { log: 'sshd' },
  // [sshd] sshd: bad packet length
  'sshd.ini#ssh bad packet length#log 2 pass': { log: 'sshd' },
  // [sshd] sshd: Client did not offer an acceptable key exchange method.
  'sshd.ini#ssh no matching key exchange#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: Attempt to login using a non-existent user
  'sshd.ini#invalid user#log 1 pass': { kind: 'ssh', action: 'logon', outcome: 'failure', program: 'sshd' },
  // [sshd] sshd: Attempt to login using a non-existent user
  'sshd.ini#invalid user#log 3 pass': { kind: 'ssh', action: 'logon', outcome: 'failure', program: 'sshd' },
  // [sshd] sshd: Attempt to login using a non-existent user
  'sshd.ini#invalid user#log 5 pass': { kind: 'ssh', action: 'logon', outcome: 'failure', program: 'sshd' },
  // [sshd] sshd: Attempt to login using a non-existent user
  'sshd.ini#invalid user#log 7 pass': { kind: 'ssh', action: 'logon', outcome: 'failure', program: 'sshd' },
  // [sshd] sshd: Attempt to login using a non-existent user
  'sshd.ini#invalid user#log 9 pass': { kind: 'ssh', action: 'logon', outcome: 'failure', program: 'sshd' },
  // [sshd] sshd: Authentication refused due to owner/permissions of authorized_keys.
  'sshd.ini#bad authorized_keys#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: authentication failed.
  'sshd.ini#login failed#log 1 pass': { kind: 'ssh', action: 'logon', outcome: 'failure', program: 'sshd' },
  // [sshd] Bad DNS mapping.
  'sshd.ini#bad dns#log 2 pass': { log: 'sshd' },
  // [sshd] Maximum authentication attempts exceeded.
  'sshd.ini#max auth attempts#log 2 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: authentication failed.
  'sshd.ini#SSHD Authentication error#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: ssh connection closed.
  'sshd.ini#SSHD Connection close#log 1 pass': {
    kind: 'ssh',
    action: 'logoff',
    outcome: 'unspecified',
    program: 'sshd',
  },
  // [sshd] sshd: Attempt to login using a non-existent user
  'sshd.ini#SSHD Disconnected from invalid#log 2 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: insecure connection attempt (scan).
  'sshd.ini#SSHD insecure connection attempt#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: Attempt to login using a denied user.
  'sshd.ini#SSHD: denied user#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: Multiple access attempts using a denied user.
  'sshd.ini#sshd: Multiple access attempts using a denied user#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: Possible attack on the ssh server (or version gathering).
  'sshd.ini#SSHD: possible attack#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [sshd] sshd: brute force trying to get access to the system. Non existent user.
  'sshd.ini#sshd brute force rule 2#log 1 pass': {
    kind: 'ssh',
    action: 'logon',
    outcome: 'failure',
    program: 'sshd',
  },
  // [su] User missed the password to change UID (user id).
  'su.ini#su: bad pass#log 1 pass': { kind: 'su', action: 'elevate', outcome: 'failure', program: 'su' },
  // [su] PAM: User login failed. (must NOT match)
  'su.ini#su: pam - auth fail#log 2 fail': {
    kind: 'su',
    action: 'elevate',
    outcome: 'failure',
    program: 'su',
  },
  // [sudo] First time user executed sudo.
  'sudo.ini#sudo: all#log 1 pass': { kind: 'sudo', action: 'elevate', outcome: 'success', program: 'sudo' },
  // [sudo] First time user executed sudo.
  'sudo.ini#sudo: all#log 3 pass': { kind: 'sudo', action: 'elevate', outcome: 'success', program: 'sudo' },
  // [sudo] Failed attempt to run sudo.
  'sudo.ini#Failed attempt to run sudo#log 1 pass': {
    kind: 'sudo',
    action: 'elevate',
    outcome: 'failure',
    program: 'sudo',
  },
  // [sudo] Three failed attempts to run sudo
  'sudo.ini#3 incorrect password attempts#log 1 pass': {
    kind: 'sudo',
    action: 'elevate',
    outcome: 'failure',
    program: 'sudo',
  },
  // [-] Uninteresting nouveau error. (must NOT match)
  'syslog.ini#Uninteresting nouveau error.#log 1 fail': { log: 'kernel' },
  // [NetworkManager] Incorrect chain/target/match. (must NOT match)
  'syslog.ini#Incorrect chain/target/match.#log 3 fail': { log: 'NetworkManager' },
  // [-] rsyslog may be dropping messages due to rate-limiting. (must NOT match)
  'syslog.ini#Non-standard syslog-ng format with year.#log 1 fail': { log: 'rsyslogd-2177' },
  // [systemd] Systemd: Stale file handle.
  'systemd.ini#Stale file handle.#log 3 pass': { log: 'systemd' },
  // [vsftpd] vsftpd: FTP session opened.
  'vsftpd.ini#CONNECT#log 1 pass': { log: 'vsftpd' },
  // [vsftpd] vsftpd: Login failed accessing the FTP server.
  'vsftpd.ini#LOGIN#log 1 pass': { log: 'vsftpd' },
};

const load = (): WazuhCase[] =>
  readFileSync(corpusFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as WazuhCase);

describe.skipIf(!existsSync(corpusFile) && process.env['CI'] === undefined)(
  'wazuh ruleset corpus (auth.log/syslog)',
  () => {
    it('is present', () => {
      expect(existsSync(corpusFile), `Wazuh corpus missing at ${corpusFile}`).toBe(true);
    });

    it('parses every non-auditd case line to the expected program, kind, action and outcome', () => {
      const cases = load().filter((c) => c.decoder !== 'auditd');
      const counts = { cases: 0, lines: 0, auth: 0, log: 0 };
      const referenceTimeMs = Date.UTC(2024, 5, 15);
      for (const c of cases) {
        const id = `${c.file}#${c.section}#${c.line_name}`;
        const want = EXPECTED[id];
        expect(want, `no expectation written for ${id}`).toBeDefined();
        if (!want) continue;
        counts.cases++;
        for (const line of c.logs) {
          counts.lines++;
          const event = parseAuthLine(line, {
            source: 'corpus',
            referenceTimeMs,
            nowUs: referenceTimeMs * 1000,
          });
          expect(event.sensor).toBe('authlog');
          expect(event.timeUnixUs, id).toBeGreaterThan(0);
          if ('log' in want) {
            expect(event.auth, `${id}: ${line}`).toBeUndefined();
            expect(event.log?.program, id).toBe(want.log);
            expect(event.log?.original).toBe(line);
            counts.log++;
          } else {
            expect(event.auth, `${id}: ${line}`).toBeDefined();
            expect(
              { kind: event.auth?.kind, action: event.auth?.action, outcome: event.auth?.outcome },
              id,
            ).toEqual({
              kind: KINDS[want.kind],
              action: ACTIONS[want.action],
              outcome: OUTCOMES[want.outcome],
            });
            expect(event.auth?.process?.name, id).toBe(want.program);
            counts.auth++;
          }
        }
      }
      // The pinned corpus: 58 non-auditd cases, 91 lines; 43 lines are AuthEvents, 48 stay LogEvents.
      expect(counts).toEqual({ cases: 58, lines: 91, auth: 43, log: 48 });
      expect(Object.keys(EXPECTED)).toHaveLength(58);
    });

    it('extracts the fields the cases name (users, addresses, commands)', () => {
      const byId = new Map(load().map((c) => [`${c.file}#${c.section}#${c.line_name}`, c]));
      const first = (id: string) => {
        const line = byId.get(id)?.logs[0];
        expect(line, id).toBeDefined();
        return parseAuthLine(line ?? '', { referenceTimeMs: Date.UTC(2024, 5, 15) }).auth;
      };
      const sudo = first('sudo.ini#sudo: all#log 1 pass');
      expect(sudo?.user?.name).toBe('dcid');
      expect(sudo?.targetUser?.name).toBe('root');
      expect(sudo?.tty).toBe('pts/4');
      expect(sudo?.command).toBe('/usr/bin/tail /var/log/snort/alert.fast');
      const ids = [...byId.keys()];
      const find = (needle: string) => ids.filter((id) => byId.get(id)?.logs[0]?.includes(needle))[0] ?? '';
      const sammy = first(find('Failed password for invalid user sammy'));
      expect(sammy).toMatchObject({
        user: { name: 'sammy' },
        source: { ip: '82.202.219.155', port: 51676 },
        method: 'password',
        reason: 'invalid user',
        process: { pid: 26279, name: 'sshd' },
      });
      const pam = first(find('su(pam_unix)[23164]'));
      expect(pam).toMatchObject({
        user: { name: 'dcid', id: '1342' },
        targetUser: { name: 'osaudit' },
        service: 'su',
      });
      const solaris = first(find('[ID 800047 auth.notice]'));
      expect(solaris).toMatchObject({
        user: { name: 'root' },
        method: 'none',
        source: { ip: '192.168.1.1', port: 36942 },
      });
      const disconnected = first(find('Disconnected from invalid user root'));
      expect(disconnected).toMatchObject({
        user: { name: 'root' },
        source: { ip: '172.18.1.100', port: 43042 },
      });
    });
  },
);
