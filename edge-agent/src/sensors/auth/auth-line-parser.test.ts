import { AuthEventAction as A, AuthEventKind as K, AuthEventOutcome as O } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { parseAuthLine } from './auth-line-parser.js';

const REF = new Date(2024, 5, 15).getTime();
const auth = (line: string) => parseAuthLine(line, { referenceTimeMs: REF, nowUs: REF * 1000 }).auth;
const h = (prog: string, msg: string) => `Jun  1 10:00:00 host ${prog}: ${msg}`;

describe('sshd', () => {
  it('Accepted publickey with the key fingerprint', () => {
    expect(
      auth(h('sshd[10]', 'Accepted publickey for bob from 10.1.2.3 port 50022 ssh2: RSA SHA256:AbC/de+f')),
    ).toEqual({
      kind: K.KIND_SSH,
      action: A.ACTION_LOGON,
      outcome: O.OUTCOME_SUCCESS,
      service: 'sshd',
      process: { pid: 10, name: 'sshd' },
      method: 'publickey',
      user: { name: 'bob' },
      source: { ip: '10.1.2.3', port: 50022 },
      keyFingerprint: 'SHA256:AbC/de+f',
    });
    expect(
      auth(h('sshd[10]', 'Accepted keyboard-interactive/pam for bob from ::ffff:10.0.0.1 port 22 ssh2')),
    ).toMatchObject({ method: 'keyboard-interactive/pam', source: { ip: '10.0.0.1', port: 22 } });
  });

  it('Failed password for valid and invalid users, Invalid user with and without port', () => {
    expect(auth(h('sshd[1]', 'Failed password for root from 2001:db8::1 port 22 ssh2'))).toMatchObject({
      outcome: O.OUTCOME_FAILURE,
      reason: 'authentication failure',
      user: { name: 'root' },
      source: { ip: '2001:db8::1', port: 22 },
    });
    expect(
      auth(h('sshd[1]', 'Failed password for invalid user admin from 1.2.3.4 port 4 ssh2')),
    ).toMatchObject({
      reason: 'invalid user',
      user: { name: 'admin' },
    });
    expect(auth(h('sshd[1]', 'Invalid user oracle from 1.2.3.4 port 40'))).toMatchObject({
      action: A.ACTION_LOGON,
      outcome: O.OUTCOME_FAILURE,
      user: { name: 'oracle' },
      source: { ip: '1.2.3.4', port: 40 },
    });
    expect(auth(h('sshd[1]', 'Invalid user  from 1.2.3.4 port 40'))?.user).toBeUndefined();
  });

  it('disconnections and closed connections', () => {
    expect(
      auth(h('sshd[1]', 'Disconnected from authenticating user root 5.6.7.8 port 9 [preauth]')),
    ).toMatchObject({
      action: A.ACTION_LOGON,
      outcome: O.OUTCOME_FAILURE,
      user: { name: 'root' },
    });
    expect(auth(h('sshd[1]', 'Disconnected from user bob 5.6.7.8 port 9'))).toMatchObject({
      action: A.ACTION_LOGOFF,
      outcome: O.OUTCOME_SUCCESS,
      user: { name: 'bob' },
      source: { ip: '5.6.7.8', port: 9 },
    });
    expect(
      auth(h('sshd[1]', 'Connection closed by invalid user test 5.6.7.8 port 9 [preauth]')),
    ).toMatchObject({
      outcome: O.OUTCOME_FAILURE,
      reason: 'invalid user',
      user: { name: 'test' },
    });
    expect(auth(h('sshd[1]', 'Received disconnect from 5.6.7.8 port 9:11: Bye Bye [preauth]'))).toMatchObject(
      {
        action: A.ACTION_LOGOFF,
        source: { ip: '5.6.7.8', port: 9 },
      },
    );
  });

  it('maximum attempts, too many failures, pam_unix auth failure and sessions', () => {
    expect(
      auth(
        h(
          'sshd[1]',
          'error: maximum authentication attempts exceeded for root from 1.1.1.1 port 2 ssh2 [preauth]',
        ),
      ),
    ).toMatchObject({ reason: 'maximum authentication attempts exceeded', user: { name: 'root' } });
    expect(
      auth(
        h(
          'sshd[1]',
          'Disconnecting authenticating user root 1.1.1.1 port 2: Too many authentication failures [preauth]',
        ),
      ),
    ).toMatchObject({ outcome: O.OUTCOME_FAILURE, user: { name: 'root' } });
    expect(
      auth(
        h(
          'sshd[1]',
          'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=9.9.9.9  user=alice',
        ),
      ),
    ).toMatchObject({
      kind: K.KIND_SSH,
      outcome: O.OUTCOME_FAILURE,
      user: { name: 'alice' },
      source: { ip: '9.9.9.9' },
      tty: 'ssh',
    });
    expect(
      auth(h('sshd[1]', 'pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)')),
    ).toMatchObject({
      kind: K.KIND_SSH,
      action: A.ACTION_LOGON,
      outcome: O.OUTCOME_SUCCESS,
      user: { name: 'alice', id: '1000' },
    });
    expect(auth(h('sshd[1]', 'pam_unix(sshd:session): session closed for user alice'))).toMatchObject({
      action: A.ACTION_LOGOFF,
      user: { name: 'alice' },
    });
  });
});

describe('sudo', () => {
  it('a command run, with the command keeping its own " ; "', () => {
    expect(auth(h('sudo', '   alice : TTY=pts/0 ; PWD=/x ; USER=root ; COMMAND=/bin/sh -c a ; b'))).toEqual({
      kind: K.KIND_SUDO,
      action: A.ACTION_ELEVATE,
      outcome: O.OUTCOME_SUCCESS,
      service: 'sudo',
      process: { pid: 0, name: 'sudo' },
      user: { name: 'alice' },
      targetUser: { name: 'root' },
      tty: 'pts/0',
      command: '/bin/sh -c a ; b',
    });
  });

  it('failures: incorrect passwords, not in sudoers; PAM auth failure and sessions', () => {
    expect(
      auth(
        h('sudo', 'bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/ls'),
      ),
    ).toMatchObject({
      outcome: O.OUTCOME_FAILURE,
      reason: '3 incorrect password attempts',
    });
    expect(
      auth(h('sudo', 'eve : user NOT in sudoers ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/id')),
    ).toMatchObject({
      outcome: O.OUTCOME_FAILURE,
      reason: 'user NOT in sudoers',
      user: { name: 'eve' },
    });
    expect(
      auth(
        h(
          'sudo',
          'pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob',
        ),
      ),
    ).toMatchObject({
      kind: K.KIND_SUDO,
      action: A.ACTION_ELEVATE,
      outcome: O.OUTCOME_FAILURE,
      user: { name: 'bob' },
      tty: 'pts/1',
    });
    expect(
      auth(h('sudo[5]', 'pam_unix(sudo:session): session opened for user root(uid=0) by bob(uid=1000)')),
    ).toMatchObject({
      kind: K.KIND_SUDO,
      action: A.ACTION_ELEVATE,
      outcome: O.OUTCOME_SUCCESS,
      user: { name: 'bob', id: '1000' },
      targetUser: { name: 'root', id: '0' },
    });
    expect(auth(h('sudo[5]', 'pam_unix(sudo:session): session closed for user root'))).toMatchObject({
      action: A.ACTION_LOGOFF,
      targetUser: { name: 'root' },
    });
  });
});

describe('su', () => {
  it.each([
    ['Successful su for root by alice', O.OUTCOME_SUCCESS, 'alice', 'root', undefined],
    ['FAILED su for root by alice', O.OUTCOME_FAILURE, 'alice', 'root', undefined],
    ['+ pts/0 alice:root', O.OUTCOME_SUCCESS, 'alice', 'root', 'pts/0'],
    ['- pts/0 alice:root', O.OUTCOME_FAILURE, 'alice', 'root', 'pts/0'],
    ['(to root) alice on pts/0', O.OUTCOME_SUCCESS, 'alice', 'root', 'pts/0'],
    ['FAILED SU (to root) alice on pts/0', O.OUTCOME_FAILURE, 'alice', 'root', 'pts/0'],
  ])('%s', (msg, outcome, user, target, tty) => {
    const event = auth(h('su[3]', msg));
    expect(event).toMatchObject({
      kind: K.KIND_SU,
      action: A.ACTION_ELEVATE,
      outcome,
      user: { name: user },
      targetUser: { name: target },
    });
    expect(event?.tty).toBe(tty);
  });

  it('pam_unix(su:session) opened', () => {
    expect(
      auth(h('su[3]', 'pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)')),
    ).toMatchObject({
      kind: K.KIND_SU,
      action: A.ACTION_ELEVATE,
      user: { name: 'alice' },
      targetUser: { name: 'root' },
    });
  });
});

describe('PAM, login and display managers', () => {
  it('generic PAM services are KIND_PAM, login and gdm are KIND_LOGIN', () => {
    expect(
      auth(h('CRON[9]', 'pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)')),
    ).toMatchObject({
      kind: K.KIND_PAM,
      service: 'cron',
      action: A.ACTION_LOGON,
    });
    expect(
      auth(
        h(
          'gdm-password][9]',
          'pam_unix(gdm-password:auth): authentication failure; logname= uid=0 euid=0 tty=/dev/tty1 ruser= rhost=  user=ann',
        ),
      ),
    ).toMatchObject({
      kind: K.KIND_LOGIN,
      outcome: O.OUTCOME_FAILURE,
      user: { name: 'ann' },
      process: { name: 'gdm-password', pid: 9 },
    });
    expect(
      auth(h('login[4]', "FAILED LOGIN (1) on '/dev/tty2' FOR 'root', Authentication failure")),
    ).toMatchObject({
      kind: K.KIND_LOGIN,
      outcome: O.OUTCOME_FAILURE,
      user: { name: 'root' },
      tty: 'tty2',
      reason: 'Authentication failure',
    });
    expect(auth(h('login[4]', 'ROOT LOGIN  on tty1'))).toMatchObject({
      kind: K.KIND_LOGIN,
      outcome: O.OUTCOME_SUCCESS,
      tty: 'tty1',
    });
  });
});

describe('account management', () => {
  it('useradd, usermod, userdel, groupadd, groupdel, gpasswd, passwd, chage', () => {
    expect(
      auth(
        h(
          'useradd[7]',
          'new user: name=carol, UID=1001, GID=1001, home=/home/carol, shell=/bin/bash, from=/dev/pts/0',
        ),
      ),
    ).toMatchObject({
      kind: K.KIND_ACCOUNT,
      action: A.ACTION_ACCOUNT_CREATE,
      outcome: O.OUTCOME_SUCCESS,
      targetUser: { name: 'carol', id: '1001' },
      targetGroup: { id: '1001' },
    });
    expect(auth(h('useradd[7]', "add 'carol' to group 'sudo'"))).toMatchObject({
      action: A.ACTION_ACCOUNT_CHANGE,
      targetUser: { name: 'carol' },
      targetGroup: { name: 'sudo' },
    });
    expect(auth(h('useradd[7]', "add 'carol' to shadow group 'sudo'"))).toBeUndefined();
    expect(auth(h('usermod[7]', "change user 'carol' shell from '/bin/sh' to '/bin/bash'"))).toMatchObject({
      action: A.ACTION_ACCOUNT_CHANGE,
      targetUser: { name: 'carol' },
    });
    expect(auth(h('userdel[7]', "delete user 'carol'"))).toMatchObject({
      action: A.ACTION_ACCOUNT_DELETE,
      targetUser: { name: 'carol' },
    });
    expect(auth(h('groupadd[7]', 'new group: name=ops, GID=1002'))).toMatchObject({
      action: A.ACTION_ACCOUNT_CREATE,
      targetGroup: { name: 'ops', id: '1002' },
    });
    expect(auth(h('groupdel[7]', "group 'ops' removed"))).toMatchObject({
      action: A.ACTION_ACCOUNT_DELETE,
      targetGroup: { name: 'ops' },
    });
    expect(auth(h('gpasswd[7]', 'user dave added by root to group ops'))).toMatchObject({
      action: A.ACTION_ACCOUNT_CHANGE,
      user: { name: 'root' },
      targetUser: { name: 'dave' },
      targetGroup: { name: 'ops' },
    });
    expect(auth(h('passwd[7]', "password for 'dave' changed by 'root'"))).toMatchObject({
      action: A.ACTION_PASSWORD_CHANGE,
      user: { name: 'root' },
      targetUser: { name: 'dave' },
    });
    expect(auth(h('passwd[7]', 'pam_unix(passwd:chauthtok): password changed for dave'))).toMatchObject({
      kind: K.KIND_ACCOUNT,
      action: A.ACTION_PASSWORD_CHANGE,
      targetUser: { name: 'dave' },
    });
    expect(auth(h('chage[7]', 'changed password expiry for dave'))).toMatchObject({
      action: A.ACTION_ACCOUNT_CHANGE,
    });
  });
});

describe('every line becomes exactly one event', () => {
  it('an unrecognised message of a known program is a LogEvent with the header fields', () => {
    const line = 'Jun  1 10:00:00 host sshd[10]: Server listening on 0.0.0.0 port 22.';
    const event = parseAuthLine(line, { source: '/var/log/auth.log', referenceTimeMs: REF, nowUs: 5 });
    expect(event).toEqual({
      sensor: 'authlog',
      timeUnixUs: new Date(2024, 5, 1, 10, 0, 0).getTime() * 1000,
      observedTimeUnixUs: 5,
      log: {
        original: line,
        message: 'Server listening on 0.0.0.0 port 22.',
        source: '/var/log/auth.log',
        program: 'sshd',
        pid: 10,
        hostname: 'host',
        parser: 'syslog',
      },
    });
  });

  it('a line without a header is a raw LogEvent stamped with the observed time', () => {
    expect(parseAuthLine('garbage', { nowUs: 7 })).toEqual({
      sensor: 'authlog',
      timeUnixUs: 7,
      observedTimeUnixUs: 7,
      log: { original: 'garbage', message: 'garbage', source: '', parser: 'raw' },
    });
  });

  it('a journald JSON line is parsed through parseAuthLine too', () => {
    const event = parseAuthLine(
      JSON.stringify({
        SYSLOG_IDENTIFIER: 'sshd',
        _PID: '3',
        __REALTIME_TIMESTAMP: '1000000',
        MESSAGE: 'Invalid user x from 1.2.3.4 port 5',
      }),
    );
    expect(event.timeUnixUs).toBe(1_000_000);
    expect(event.auth).toMatchObject({
      kind: K.KIND_SSH,
      outcome: O.OUTCOME_FAILURE,
      user: { name: 'x' },
      process: { pid: 3 },
    });
  });
});
