// The Sigma log sources InoSec feeds, the InoSec event kinds behind each, and where each Sigma field of the
// shipped rules comes from. docs/detection-logsources.md is rendered from this table (logsource-doc.ts).
import type { UnsupportedReason } from './unsupported-reasons.js';

/** Where a Sigma field's value comes from (an InoSec event field), or null when no InoSec event carries it. */
export type FieldSource = string | null;

/** One Sigma log source and how InoSec telemetry feeds it. */
export interface LogSourceEntry {
  /** `${product ?? '*'}/${category ?? service ?? '*'}`, lower case. */
  readonly key: string;
  readonly product?: string;
  readonly category?: string;
  readonly service?: string;
  /** The InoSec event kinds that feed it; empty when none does yet. */
  readonly kinds: readonly string[];
  /** Set when nothing feeds it: the documented reason code. */
  readonly unsupported?: UnsupportedReason;
  /** What feeds it and its limits, one or two sentences. */
  readonly note: string;
  /** Sigma field → its InoSec source (null: unmapped). */
  readonly fields: Readonly<Record<string, FieldSource>>;
  /** Set when every field the source log has passes through under its own name (auditd records). */
  readonly passThrough?: string;
}

const PROCESS_START = 'ProcessEvent ACTION_START (procfs, auditd)';
const AUTH_TEXT_FIELDS: Readonly<Record<string, FieldSource>> = {
  original: 'LogEvent.original (journald: LogEvent.message); AuthEvent: none (see note)',
  program: 'LogEvent.program | AuthEvent.process.name',
  pid: 'LogEvent.pid | AuthEvent.process.pid',
  hostname: 'LogEvent.hostname',
  'user.name': 'AuthEvent.user.name',
  'user.target.name': 'AuthEvent.target_user.name',
  'group.target.name': 'AuthEvent.target_group.name',
  'source.ip': 'AuthEvent.source.ip',
  'source.port': 'AuthEvent.source.port',
  'source.domain': 'AuthEvent.source.domain',
  'service.name': 'AuthEvent.service',
  'auth.method': 'AuthEvent.method',
  'event.outcome': "AuthEvent.outcome ('success' | 'failure')",
  'event.reason': 'AuthEvent.reason',
  'process.command_line': 'AuthEvent.command',
  'process.tty': 'AuthEvent.tty',
  'key.fingerprint': 'AuthEvent.key_fingerprint',
};
const LOG_TEXT_FIELDS: Readonly<Record<string, FieldSource>> = {
  original: 'LogEvent.original (journald: LogEvent.message)',
  program: 'LogEvent.program',
  pid: 'LogEvent.pid',
  hostname: 'LogEvent.hostname',
};
const SYSLOG_NOTE =
  'Keyword rules search every value of the view, the whole log line first. Needs the authlog sensor to ' +
  'read the file the program logs to (its policy `paths`, e.g. /var/log/syslog; default only auth.log).';

/** A syslog-program log source fed by LogEvents of the named programs. */
function programSource(service: string, programs: readonly string[]): LogSourceEntry {
  return {
    key: `linux/${service}`,
    product: 'linux',
    service,
    kinds: [`LogEvent program ∈ {${programs.join(', ')}} (authlog sensor)`],
    note: SYSLOG_NOTE,
    fields: LOG_TEXT_FIELDS,
  };
}

/** A log source nothing feeds yet, with the Sigma fields its rules use (all unmapped). */
function unfed(
  key: string,
  logsource: { product?: string; category?: string; service?: string },
  unsupported: UnsupportedReason,
  note: string,
  fields: readonly string[],
): LogSourceEntry {
  return {
    key,
    ...logsource,
    kinds: [],
    unsupported,
    note,
    fields: Object.fromEntries(fields.map((field) => [field, null])),
  };
}

const ZEEK_NOTE = 'Zeek-style protocol logs need the network DPI sensor of a later issue.';
const WEB_NOTE =
  'Web server and proxy access logs need a log-file collector configured with an access-log parser ' +
  '(W3C/combined format to cs-*/sc-* fields); the agent has none yet.';

/** Every log source InoSec knows, fed or not. */
export const LOGSOURCE_TABLE: readonly LogSourceEntry[] = [
  {
    key: 'linux/process_creation',
    product: 'linux',
    category: 'process_creation',
    kinds: [PROCESS_START],
    note: 'Sysmon-for-Linux field names. One view per process start (exits feed nothing).',
    fields: {
      Image: 'process.executable',
      CommandLine: 'process.command_line (else process.args joined by spaces)',
      ParentImage: 'parent.executable',
      ParentCommandLine: 'parent.command_line',
      User: 'process.user.name',
      CurrentDirectory: 'process.working_directory',
      ProcessId: 'process.pid',
      ParentProcessId: 'parent.pid (else process.ppid)',
      ProcessGuid: 'process.entity_id',
      ParentProcessGuid: 'parent.entity_id',
      ParentUser: 'parent.user.name',
      LogonId: null,
    },
  },
  {
    key: 'linux/file_event',
    product: 'linux',
    category: 'file_event',
    kinds: ['FileEvent ACTION_CREATED, ACTION_MODIFIED, ACTION_RENAMED (fim)'],
    note:
      'Sysmon FileCreate semantics: a file created, overwritten or renamed into place; deletions and ' +
      'attribute changes feed only file_delete / file_change.',
    fields: {
      TargetFilename: 'file.path',
      SourceFilename: 'file.previous_path (renames)',
      Image: 'file.process.executable (when the sensor knows it: fanotify/auditd; inotify FIM does not)',
      ProcessId: 'file.process.pid (when known)',
      User: 'file.user.name (when known)',
    },
  },
  ...(
    [
      ['file_create', 'FileEvent ACTION_CREATED'],
      ['file_change', 'FileEvent ACTION_MODIFIED, ACTION_ATTRIBUTES_CHANGED'],
      ['file_delete', 'FileEvent ACTION_DELETED'],
      ['file_rename', 'FileEvent ACTION_RENAMED'],
    ] as const
  ).map(([category, kind]): LogSourceEntry => ({
    key: `linux/${category}`,
    product: 'linux',
    category,
    kinds: [`${kind} (fim)`],
    note: 'The file_event fields, for the events of this action only.',
    fields: {
      TargetFilename: 'file.path',
      SourceFilename: 'file.previous_path (renames)',
      Image: 'file.process.executable (when known)',
      ProcessId: 'file.process.pid (when known)',
      User: 'file.user.name (when known)',
    },
  })),
  {
    key: 'linux/network_connection',
    product: 'linux',
    category: 'network_connection',
    kinds: ['NetworkEvent KIND_CONNECTION (netfs)'],
    note:
      'Connections only: flow summaries and listening sockets feed nothing (they would repeat the ' +
      'connection). DestinationHostname is empty until a sensor resolves names.',
    fields: {
      Image: 'network.process.executable',
      ProcessId: 'network.process.pid',
      ProcessGuid: 'network.process.entity_id',
      User: 'network.process.user.name',
      Protocol: "network.transport ('tcp', 'udp', 'icmp', ...)",
      Initiated: "network.direction ('true' outbound, 'false' inbound, absent otherwise)",
      SourceIp: 'network.source.ip',
      SourcePort: 'network.source.port',
      SourceHostname: 'network.source.domain',
      DestinationIp: 'network.destination.ip',
      DestinationPort: 'network.destination.port',
      DestinationHostname: 'network.destination.domain (when known)',
    },
  },
  {
    key: 'linux/auditd',
    product: 'linux',
    service: 'auditd',
    kinds: [
      'LogEvent parser=auditd (one view per record)',
      'ProcessEvent ACTION_START sensor=auditd (SYSCALL, EXECVE, CWD, PATH, PROCTITLE views)',
      'AuthEvent sensor=auditd (one view, type when unambiguous)',
    ],
    note:
      'One view per audit record, as SigmaHQ rules expect (`type: EXECVE` with `a0`, `type: PATH` with ' +
      '`name`). Successful execs arrive as ProcessEvents: their views are rebuilt from the process, ' +
      'without the audit `key`, `auid` and `syscall` number.',
    passThrough: 'every key of the record as auditd writes it (LogEvent.fields, prefixes removed)',
    fields: {
      type: 'the record type (LogEvent.fields["audit.type"]; rebuilt for ProcessEvent/AuthEvent)',
      key: 'SYSCALL record key (LogEvent only)',
      SYSCALL: "SYSCALL record, enriched syscall name ('execve' for ProcessEvents)",
      exe: 'SYSCALL exe | process.executable',
      comm: 'SYSCALL comm | process.name (15 characters)',
      'a0..aN': 'EXECVE arguments | process.args; SYSCALL arguments (hex) from LogEvents',
      name: 'PATH name | process.executable (item 0 of an exec)',
      nametype: 'PATH nametype',
      euid: 'SYSCALL euid | process.user.id',
      unit: 'SERVICE_START/SERVICE_STOP unit',
      cwd: 'CWD cwd | process.working_directory',
      proctitle: 'PROCTITLE proctitle | process.command_line',
    },
  },
  {
    key: 'linux/auth',
    product: 'linux',
    service: 'auth',
    kinds: ['AuthEvent (authlog sensor)', 'LogEvent of the auth log (authlog sensor)'],
    note:
      'Keyword rules search every value. LogEvents keep the original line; AuthEvents carry no original ' +
      'line in the contract yet, so only their parsed values (user, address, reason, command...) are searched.',
    fields: AUTH_TEXT_FIELDS,
  },
  {
    key: 'linux/sshd',
    product: 'linux',
    service: 'sshd',
    kinds: ['AuthEvent KIND_SSH from sshd (authlog)', 'LogEvent program=sshd (authlog)'],
    note: 'The linux/auth view of sshd records. SigmaHQ sshd rules are keyword rules on unparsed sshd lines.',
    fields: AUTH_TEXT_FIELDS,
  },
  {
    key: 'linux/sudo',
    product: 'linux',
    service: 'sudo',
    kinds: ['AuthEvent KIND_SUDO from sudo (authlog)', 'LogEvent program=sudo (authlog)'],
    note: 'The linux/auth view of sudo records, with the sudo log keys.',
    fields: {
      ...AUTH_TEXT_FIELDS,
      USER: 'AuthEvent.target_user.name (sudo `USER=`)',
      COMMAND: 'AuthEvent.command (sudo `COMMAND=`)',
      TTY: 'AuthEvent.tty (sudo `TTY=`)',
      PWD: null,
    },
  },
  {
    key: 'linux/syslog',
    product: 'linux',
    service: 'syslog',
    kinds: ['LogEvent (authlog sensor: syslog/journald lines)', 'AuthEvent (authlog)'],
    note: SYSLOG_NOTE,
    fields: AUTH_TEXT_FIELDS,
  },
  programSource('cron', ['cron', 'CRON', 'crond', 'crontab', 'anacron']),
  programSource('vsftpd', ['vsftpd']),
  programSource('clamav', ['clamd', 'freshclam', 'clamav', 'clamav-milter', 'clamscan', 'clamonacc']),
  programSource('guacamole', ['guacd', 'guacamole']),
  {
    key: 'linux/*',
    product: 'linux',
    kinds: ['LogEvent (authlog, auditd)', 'AuthEvent (authlog)'],
    note: 'Rules on any Linux log (keyword rules): every log line InoSec collects.',
    fields: AUTH_TEXT_FIELDS,
  },
  unfed('*/webserver', { category: 'webserver' }, 'needs_log_collector', WEB_NOTE, [
    'cs-uri-query',
    'cs-method',
    'sc-status',
    'cs-uri-stem',
    'cs-user-agent',
    'cs-referer',
    'cs-username',
    'cs-host',
    'cs-content-type',
    'c-ip',
  ]),
  unfed('*/proxy', { category: 'proxy' }, 'needs_log_collector', WEB_NOTE, [
    'c-uri',
    'c-useragent',
    'cs-method',
    'cs-host',
    'cs-uri',
    'sc-status',
    'c-uri-extension',
    'cs-cookie',
    'c-uri-query',
    'cs-uri-stem',
    'dst_ip',
  ]),
  unfed('*/apache', { service: 'apache' }, 'needs_log_collector', WEB_NOTE, []),
  unfed('*/nginx', { service: 'nginx' }, 'needs_log_collector', WEB_NOTE, []),
  unfed(
    '*/firewall',
    { category: 'firewall' },
    'needs_log_collector',
    'Firewall logs (iptables/nftables LOG lines, appliance syslog) need a parser to src_ip/dst_ip fields.',
    ['src_ip', 'dst_ip', 'dst_port', 'action', 'blocked'],
  ),
  unfed(
    '*/antivirus',
    { category: 'antivirus' },
    'needs_log_collector',
    'Antivirus detections need a collector for the scanner log.',
    ['Filename', 'Signature', 'Action'],
  ),
  unfed(
    '*/dns',
    { category: 'dns' },
    'needs_network_sensor',
    'DNS queries need the network DPI sensor (or a resolver query-log collector).',
    ['query', 'record_type', 'answer'],
  ),
  unfed('zeek/conn', { product: 'zeek', service: 'conn' }, 'needs_network_sensor', ZEEK_NOTE, [
    'id.orig_h',
    'id.orig_p',
    'id.resp_h',
    'id.resp_p',
    'proto',
    'service',
  ]),
  unfed('zeek/dns', { product: 'zeek', service: 'dns' }, 'needs_network_sensor', ZEEK_NOTE, [
    'query',
    'answers',
    'rejected',
    'Z',
    'qtype_name',
    'id.resp_p',
  ]),
  unfed('zeek/http', { product: 'zeek', service: 'http' }, 'needs_network_sensor', ZEEK_NOTE, [
    'uri',
    'user_agent',
    'method',
    'host',
    'status_code',
    'resp_mime_types',
    'client_header_names',
    'request_body_len',
    'id.resp_h',
    'c-uri',
    'c-useragent',
  ]),
  unfed('zeek/dce_rpc', { product: 'zeek', service: 'dce_rpc' }, 'needs_network_sensor', ZEEK_NOTE, [
    'operation',
    'endpoint',
  ]),
  unfed('zeek/smb_files', { product: 'zeek', service: 'smb_files' }, 'needs_network_sensor', ZEEK_NOTE, [
    'name',
    'path',
  ]),
  unfed('zeek/x509', { product: 'zeek', service: 'x509' }, 'needs_network_sensor', ZEEK_NOTE, [
    'certificate.serial',
  ]),
  unfed('zeek/rdp', { product: 'zeek', service: 'rdp' }, 'needs_network_sensor', ZEEK_NOTE, ['id.orig_h']),
  unfed('zeek/kerberos', { product: 'zeek', service: 'kerberos' }, 'needs_network_sensor', ZEEK_NOTE, [
    'request_type',
    'cipher',
    'service',
  ]),
];
