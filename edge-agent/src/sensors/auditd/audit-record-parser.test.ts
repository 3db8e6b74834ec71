import { AuthEventAction as A, AuthEventKind as K, AuthEventOutcome as O } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { AuditEventAssembler } from './audit-event-assembler.js';
import { parseAuditLine } from './audit-record-parser.js';
import { parseAuditRecords } from './parse-audit-records.js';

const hex = (s: string) => Buffer.from(s).toString('hex').toUpperCase();

describe('parseAuditLine', () => {
  it('reads the header, quoted, bare and hex-encoded values', () => {
    const [r] = parseAuditLine(
      `type=SYSCALL msg=audit(1624643172.076:11843): arch=c000003e syscall=59 success=yes a0=25c81f0 comm="runtime" exe=${hex('/opt/my app/bin')} key=(null)`,
    );
    expect(r).toMatchObject({
      type: 'SYSCALL',
      id: '1624643172.076:11843',
      timeUnixUs: 1624643172_076_000,
      serial: 11843,
      node: '',
      fields: {
        arch: 'c000003e',
        syscall: '59',
        success: 'yes',
        a0: '25c81f0',
        comm: 'runtime',
        exe: '/opt/my app/bin',
        key: '(null)',
      },
    });
  });

  it('decodes EXECVE hex arguments but not SYSCALL register arguments', () => {
    const [r] = parseAuditLine(`type=EXECVE msg=audit(1.000:2): argc=3 a0="ls" a1=${hex('my file')} a2=ABCD`);
    expect(r?.fields).toMatchObject({ argc: '3', a0: 'ls', a1: 'my file' });
    expect(parseAuditLine('type=SYSCALL msg=audit(1.000:2): a1=ABCD')[0]?.fields['a1']).toBe('ABCD');
  });

  it('splits the \\x1d enriched part and decodes hex-encoded enriched values', () => {
    const [r] = parseAuditLine(
      `type=SYSCALL msg=audit(1.5:9): uid=1000 auid=1000\x1dARCH=x86_64 SYSCALL=execve AUID="alice" GID=${hex('domain users')}`,
    );
    expect(r?.fields).toEqual({ uid: '1000', auid: '1000' });
    expect(r?.enriched).toEqual({ ARCH: 'x86_64', SYSCALL: 'execve', AUID: 'alice', GID: 'domain users' });
  });

  it('turns PROCTITLE NUL separators into spaces', () => {
    expect(
      parseAuditLine('type=PROCTITLE msg=audit(1.000:2): proctitle=617270002D61')[0]?.fields['proctitle'],
    ).toBe('arp -a');
  });

  it("flattens the pairs of a user-space msg='...' and tolerates a missing closing quote", () => {
    const [r] = parseAuditLine(
      `node=gw type=USER_LOGIN msg=audit(1.000:3): pid=5 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct="root" exe="/usr/sbin/sshd" hostname=? addr=10.9.8.7 terminal=sshd res=failed'`,
    );
    expect(r?.node).toBe('gw');
    expect(r?.fields).toMatchObject({
      pid: '5',
      op: 'login',
      acct: 'root',
      exe: '/usr/sbin/sshd',
      addr: '10.9.8.7',
      res: 'failed',
    });
    const [broken] = parseAuditLine(
      `type=ACCT_UNLOCK msg=audit(1.0:4): pid=1 msg='op=unlocked-password id=1001 exe="/usr/bin/passwd">`,
    );
    expect(broken?.fields).toMatchObject({
      op: 'unlocked-password',
      id: '1001',
      exe: '/usr/bin/passwd',
      text: '>',
    });
  });

  it('keeps words that are not pairs (AVC) under text, and splits several records joined on one line', () => {
    expect(
      parseAuditLine('type=AVC msg=audit(1.0:5): avc:  denied  { write } for  pid=3')[0]?.fields,
    ).toEqual({
      text: 'avc: denied { write } for',
      pid: '3',
    });
    const records = parseAuditLine(
      ' type=SYSCALL msg=audit(1.0:6): pid=1 type=CWD msg=audit(1.0:6):  cwd="/x y" type=PATH msg=audit(1.0:6): item=0 name="/bin/a"',
    );
    expect(records.map((r) => [r.type, r.id])).toEqual([
      ['SYSCALL', '1.0:6'],
      ['CWD', '1.0:6'],
      ['PATH', '1.0:6'],
    ]);
    expect(records[1]?.fields['cwd']).toBe('/x y');
    expect(parseAuditLine('no record here')).toEqual([]);
  });
});

describe('AuditEventAssembler', () => {
  it('completes an event on a different id, on EOE and on flush', () => {
    const a = new AuditEventAssembler();
    const [r1, r2, r3, eoe, r4] = parseAuditLine(
      'type=SYSCALL msg=audit(1.0:1): a=1 type=CWD msg=audit(1.0:1): cwd="/" type=SYSCALL msg=audit(1.0:2): b=1 type=EOE msg=audit(1.0:2): type=USER_END msg=audit(1.0:3): c=1',
    );
    expect(a.push(r1!)).toBeUndefined();
    expect(a.push(r2!)).toBeUndefined();
    expect(a.push(r3!)?.map((r) => r.type)).toEqual(['SYSCALL', 'CWD']);
    expect(a.push(eoe!)?.map((r) => r.id)).toEqual(['1.0:2']);
    expect(a.push(r4!)).toBeUndefined();
    expect(a.pending).toBe(true);
    expect(a.flush()?.map((r) => r.type)).toEqual(['USER_END']);
    expect(a.flush()).toBeUndefined();
  });
});

describe('mapAuditEvent', () => {
  it('maps a successful execve to ProcessEvent ACTION_START with args joined from split long arguments', () => {
    const { events } = parseAuditRecords([
      'type=SYSCALL msg=audit(10.5:7): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 egid=0 tty=(none) ses=3 comm="sh" exe="/bin/sh"',
      `type=EXECVE msg=audit(10.5:7): argc=2 a0="sh" a1_len=8 a1[0]=${hex('echo')} a1[1]=${hex(' hi!')}`,
      'type=CWD msg=audit(10.5:7): cwd="/root"',
      'type=EOE msg=audit(10.5:7):',
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]?.process?.process).toMatchObject({
      pid: 2,
      ppid: 1,
      executable: '/bin/sh',
      name: 'sh',
      args: ['sh', 'echo hi!'],
      commandLine: 'sh echo hi!',
      workingDirectory: '/root',
      tty: '',
      sessionId: 3,
      user: { id: '0' },
    });
  });

  it('maps a failed execve to a LogEvent (no process started)', () => {
    const { events } = parseAuditRecords([
      'type=SYSCALL msg=audit(10.5:8): arch=c000003e syscall=59 success=no exit=-2 pid=2 exe="/bin/sh"',
      'type=PATH msg=audit(10.5:8): item=0 name="/nope"',
      'type=PATH msg=audit(10.5:8): item=1 name="/lib/ld.so"',
    ]);
    expect(events[0]?.process).toBeUndefined();
    expect(events[0]?.log?.fields).toMatchObject({
      'audit.type': 'SYSCALL,PATH,PATH',
      success: 'no',
      'path.0.name': '/nope',
      'path.1.name': '/lib/ld.so',
    });
  });

  it('maps user and credential records to AuthEvents and account records to KIND_ACCOUNT', () => {
    const login = parseAuditRecords([
      `type=USER_LOGIN msg=audit(1.0:1): pid=5 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct="root" exe="/usr/sbin/sshd" hostname=? addr=10.9.8.7 terminal=sshd res=failed'`,
    ]).events[0]?.auth;
    expect(login).toMatchObject({
      kind: K.KIND_SSH,
      action: A.ACTION_LOGON,
      outcome: O.OUTCOME_FAILURE,
      user: { name: 'root' },
      source: { ip: '10.9.8.7' },
      service: 'sshd',
      reason: 'login',
      process: { pid: 5, executable: '/usr/sbin/sshd' },
    });
    const cmd = parseAuditRecords([
      `type=USER_CMD msg=audit(1.0:2): pid=6 uid=1000 auid=1000 ses=1 msg='cwd="/home/a" cmd=${hex('ls -la')} exe="/usr/bin/sudo" terminal=pts/0 res=success'\x1dAUID="alice"`,
    ]).events[0]?.auth;
    expect(cmd).toMatchObject({
      kind: K.KIND_SUDO,
      action: A.ACTION_ELEVATE,
      outcome: O.OUTCOME_SUCCESS,
      user: { name: 'alice', id: '1000' },
      command: 'ls -la',
      tty: 'pts/0',
    });
    const add = parseAuditRecords([
      `type=ADD_USER msg=audit(1.0:3): pid=7 uid=0 auid=1000 ses=1 msg='op=adding user id=1001 exe="/usr/sbin/useradd" acct="carol" res=success'`,
    ]).events[0]?.auth;
    expect(add).toMatchObject({
      kind: K.KIND_ACCOUNT,
      action: A.ACTION_ACCOUNT_CREATE,
      outcome: O.OUTCOME_SUCCESS,
      user: { id: '1000' },
      targetUser: { name: 'carol', id: '1001' },
      service: 'useradd',
    });
  });
});
