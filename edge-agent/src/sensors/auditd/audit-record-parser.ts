/** One auditd record (`type=SYSCALL msg=audit(1624643172.076:11843): key=value ...`), values decoded. */
export interface AuditRecord {
  readonly type: string;
  /** `seconds.millis:serial`: the records of one event share it. */
  readonly id: string;
  readonly timeUnixUs: number;
  readonly serial: number;
  /** `node=` prefix (multi-host logging), empty when absent. */
  readonly node: string;
  /**
   * The key/value pairs, values unquoted and hex-decoded where auditd hex-encodes untrusted strings. The
   * pairs inside a single-quoted `msg='...'` (user-space records) are flattened in; words that are not
   * pairs (AVC's `avc: denied { write } for`) are joined under `text`.
   */
  readonly fields: Record<string, string>;
  /** The `\x1d`-separated interpreted part of log_format=ENRICHED (`AUID="alice" ARCH=x86_64`); undefined without. */
  readonly enriched: Record<string, string> | undefined;
  /** The record as read, one record (a line may hold several in some exports). */
  readonly raw: string;
}

const RECORD_START = /(?:^|[ \t])(?:node=(\S+) )?type=([A-Za-z0-9_]+) msg=audit\((\d+)\.(\d+):(\d+)\):?/g;
const HEX = /^(?:[0-9A-F]{2})+$/;
const EXECVE_ARG = /^a\d+(?:\[\d+\])?$/;
const GROUP_SEPARATOR = 0x1d;

/** Keys whose values auditd writes hex-encoded (without quotes) when they hold spaces, quotes or controls. */
const UNTRUSTED_KEYS = new Set([
  'comm',
  'exe',
  'name',
  'cwd',
  'path',
  'key',
  'acct',
  'cmd',
  'proctitle',
  'data',
  'grp',
  'new_group',
  'old_group',
  'new_user',
  'file',
  'dir',
  'ocomm',
  'root_dir',
  'vm',
  'watch',
]);

function decodeHex(value: string, separator: string): string {
  const decoded = Buffer.from(value, 'hex').toString('utf8');
  // proctitle and multi-key values use NUL and \x01 as separators: trailing ones dropped, others replaced.
  let end = decoded.length;
  while (end > 0 && decoded.charCodeAt(end - 1) <= 1) end--;
  let out = '';
  let from = 0;
  for (let i = 0; i < end; i++) {
    if (decoded.charCodeAt(i) <= 1) {
      out += decoded.slice(from, i) + separator;
      from = i + 1;
    }
  }
  return out + decoded.slice(from, end);
}

function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/**
 * Tokenises `key=value` pairs from `start` to `end`. Values: "double quoted", 'single quoted' (whose own
 * pairs are flattened in), or bare (hex-decoded for untrusted-string keys). Returns where a `\x1d` stopped
 * the scan, or `end`.
 */
function tokenize(
  text: string,
  start: number,
  end: number,
  type: string,
  out: Record<string, string>,
  words: string[],
  enriched: boolean,
): number {
  let pos = start;
  while (pos < end) {
    let c = text.charCodeAt(pos);
    if (c === GROUP_SEPARATOR) return pos;
    if (c === 0x20 || c === 0x09) {
      pos++;
      continue;
    }
    // A key (or a word): up to '=', blank or the group separator.
    const keyStart = pos;
    while (pos < end) {
      c = text.charCodeAt(pos);
      if (c === 0x3d || c === 0x20 || c === 0x09 || c === GROUP_SEPARATOR) break;
      pos++;
    }
    const key = text.slice(keyStart, pos);
    if (pos >= end || c !== 0x3d) {
      words.push(key);
      continue;
    }
    pos++; // '='
    const q = text.charCodeAt(pos);
    if (q === 0x22 || q === 0x27) {
      const close = text.indexOf(q === 0x22 ? '"' : "'", pos + 1);
      const valueEnd = close === -1 || close > end ? end : close;
      const value = text.slice(pos + 1, valueEnd);
      pos = valueEnd + 1;
      if (q === 0x27 && value.includes('=')) {
        // msg='op=PAM:session_open acct="root" exe="/usr/sbin/sshd" res=success'
        tokenize(value, 0, value.length, type, out, words, enriched);
      } else {
        out[key] = value;
      }
      continue;
    }
    const valueStart = pos;
    while (pos < end) {
      c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === GROUP_SEPARATOR) break;
      pos++;
    }
    let value = text.slice(valueStart, pos);
    if (value.length >= 2 && HEX.test(value)) {
      if (enriched) {
        const decoded = decodeHex(value, ' ');
        if (isPrintable(decoded)) value = decoded;
      } else if (UNTRUSTED_KEYS.has(key) || (type === 'EXECVE' && EXECVE_ARG.test(key))) {
        value = decodeHex(value, key === 'key' ? ',' : ' ');
      }
    }
    out[key] = value;
  }
  return end;
}

function parseOne(text: string, header: RegExpExecArray, bodyStart: number, end: number): AuditRecord {
  const [, node, type = '', secs = '0', millis = '0', serial = '0'] = header;
  const fields: Record<string, string> = {};
  const words: string[] = [];
  const stop = tokenize(text, bodyStart, end, type, fields, words, false);
  let enriched: Record<string, string> | undefined;
  if (stop < end) {
    enriched = {};
    tokenize(text, stop + 1, end, type, enriched, words, true);
  }
  if (words.length > 0) fields['text'] = words.join(' ');
  return {
    type,
    id: `${secs}.${millis}:${serial}`,
    timeUnixUs: Number(secs) * 1_000_000 + Number(millis.padEnd(3, '0').slice(0, 3)) * 1000,
    serial: Number(serial),
    node: node ?? '',
    fields,
    enriched,
    raw: text.slice(header.index, end).trim(),
  };
}

/**
 * Parses the auditd records of one line: normally one (`/var/log/audit/audit.log` has a record per line),
 * several when an export joined an event's records on one line. Empty when the line holds no record header.
 */
export function parseAuditLine(line: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  RECORD_START.lastIndex = 0;
  let header = RECORD_START.exec(line);
  while (header) {
    const bodyStart = RECORD_START.lastIndex;
    const next = RECORD_START.exec(line);
    records.push(parseOne(line, header, bodyStart, next ? next.index : line.length));
    header = next;
  }
  return records;
}
