/** Which header layout a line had. */
export type SyslogFormat = 'rfc3164' | 'iso8601' | 'rfc5424' | 'journald' | 'vsftpd';

/** A log line split into its header fields and message. */
export interface SyslogRecord {
  readonly format: SyslogFormat;
  /** From the header; undefined when the header has no usable time. */
  readonly timeUnixUs: number | undefined;
  /** Sender hostname; empty when absent. */
  readonly hostname: string;
  /** APP-NAME / tag / SYSLOG_IDENTIFIER: sshd, sudo, su; empty when absent. */
  readonly program: string;
  /** 0 when absent. */
  readonly pid: number;
  /** `pam_unix` in the old `su(pam_unix)[123]:` tag form; empty otherwise. */
  readonly subsystem: string;
  readonly message: string;
  readonly facility: number | undefined;
  readonly severity: number | undefined;
  /** RFC 5424 MSGID and STRUCTURED-DATA, journald unit: extra fields for the LogEvent. */
  readonly extra: Readonly<Record<string, string>> | undefined;
}

/** Options of header parsing. */
export interface SyslogHeaderOptions {
  /**
   * "Now" in ms since the epoch, for the year of RFC 3164 timestamps (which have none): the year that puts
   * the line at most 7 days in the future of now, so a December line read in January is last year's.
   */
  readonly referenceTimeMs?: number;
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Syslog facility keywords (RFC 5424 table 1 and the common aliases), for Solaris `[ID n facility.level]`. */
const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  security: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

const SEVERITIES: Readonly<Record<string, number>> = {
  emerg: 0,
  panic: 0,
  alert: 1,
  crit: 2,
  err: 3,
  error: 3,
  warning: 4,
  warn: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

const PRI = /^<(\d{1,3})>/;
// 2024-01-05T10:00:00.123456+01:00 and the "2020-03-23 06:47:42.801612-0700" variant.
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?\s+/;
// Jan  5 10:00:00, with an optional leading year ("2015 Nov 13 13:40:01") or fraction.
const BSD = /^(?:(\d{4}) )?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\s+/;
// vsftpd's own log: "Wed Jul 27 18:32:27 2016 [pid 2] CONNECT: ..."
const CTIME = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4}) \[pid (\d+)\] /;
// After the host: tag forms prog[pid]:, prog:, prog(pam_unix)[pid]:, prog[pid] msg (proftpd), gdm-password][pid]:
const TAG = /^([^\s[(:]+)(?:\(([^)\s]*)\))?(?:\[(\d+)\])?(?::[ \t]*|[ \t]+|$)/;
// Solaris message prefix "[ID 800047 auth.notice] ".
const SOLARIS_ID = /^\[ID \d+ ([a-z0-9]+)\.([a-z]+)\] /;

function fractionUs(fraction: string | undefined): number {
  if (!fraction) return 0;
  return Number((fraction + '00000').slice(0, 6));
}

function isoToUs(m: RegExpExecArray): number {
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const frUs = fractionUs(frac);
  if (zone === undefined) {
    return (
      new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime() * 1000 + frUs
    );
  }
  let offsetMin = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.replace(':', '');
    offsetMin = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const utcMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return (utcMs - offsetMin * 60_000) * 1000 + frUs;
}

const WEEK_MS = 7 * 86_400_000;

/** Local time of an RFC 3164 timestamp; the year is inferred around "now" when the line has none. */
function bsdToUs(
  year: number | undefined,
  month: number,
  day: number,
  h: number,
  mi: number,
  s: number,
  ref: number,
): number {
  if (year !== undefined) return new Date(year, month, day, h, mi, s).getTime() * 1000;
  const refYear = new Date(ref).getFullYear();
  let t = new Date(refYear, month, day, h, mi, s).getTime();
  if (t > ref + WEEK_MS) {
    t = new Date(refYear - 1, month, day, h, mi, s).getTime();
  } else {
    // A January line read on 31 December (clock skew, a remote sender ahead of us) belongs to next year.
    const next = new Date(refYear + 1, month, day, h, mi, s).getTime();
    if (next <= ref + WEEK_MS) t = next;
  }
  return t * 1000;
}

/** Splits `host tag: message` (the part after an RFC 3164 / ISO timestamp). */
function parseHostAndTag(
  format: SyslogFormat,
  timeUnixUs: number | undefined,
  rest: string,
  facility: number | undefined,
  severity: number | undefined,
): SyslogRecord {
  let hostname = '';
  const space = rest.indexOf(' ');
  const first = space === -1 ? rest : rest.slice(0, space);
  // A first token ending in ':' is the tag itself (no hostname written, as some local loggers do).
  if (!first.endsWith(':')) {
    hostname = first;
    rest = space === -1 ? '' : rest.slice(space + 1).trimStart();
  }
  let program = '';
  let pid = 0;
  let subsystem = '';
  const tag = TAG.exec(rest);
  if (tag) {
    program = tag[1] ?? '';
    if (program.endsWith(']')) program = program.slice(0, -1); // gdm-password][123]:
    subsystem = tag[2] ?? '';
    pid = tag[3] ? Number(tag[3]) : 0;
    rest = rest.slice(tag[0].length);
  }
  let message = rest;
  const sol = SOLARIS_ID.exec(message);
  if (sol) {
    facility = FACILITIES[sol[1] ?? ''] ?? facility;
    severity = SEVERITIES[sol[2] ?? ''] ?? severity;
    message = message.slice(sol[0].length);
  }
  return {
    format,
    timeUnixUs,
    hostname,
    program,
    pid,
    subsystem,
    message,
    facility,
    severity,
    extra: undefined,
  };
}

/** RFC 5424: `<PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]` (after `<PRI>1 `). */
function parseRfc5424(
  rest: string,
  facility: number | undefined,
  severity: number | undefined,
): SyslogRecord | undefined {
  const parts: string[] = [];
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    const next = rest.indexOf(' ', pos);
    if (next === -1) return undefined;
    parts.push(rest.slice(pos, next));
    pos = next + 1;
  }
  const [ts, host, app, procid, msgid] = parts as [string, string, string, string, string];
  let timeUnixUs: number | undefined;
  if (ts !== '-') {
    const m = ISO.exec(`${ts} `);
    if (!m) return undefined;
    timeUnixUs = isoToUs(m);
  }
  let sd = '-';
  if (rest.startsWith('-', pos)) {
    pos += 1;
  } else if (rest.startsWith('[', pos)) {
    const start = pos;
    while (rest.startsWith('[', pos)) {
      let i = pos + 1;
      while (i < rest.length && rest[i] !== ']') i += rest[i] === '\\' ? 2 : 1;
      pos = i + 1;
    }
    sd = rest.slice(start, pos);
  } else {
    return undefined;
  }
  let message = rest.slice(pos).replace(/^ /, '');
  if (message.startsWith('\uFEFF')) message = message.slice(1);
  const extra: Record<string, string> = {};
  if (msgid !== '-') extra['syslog.msgid'] = msgid;
  if (sd !== '-') extra['syslog.structured_data'] = sd;
  return {
    format: 'rfc5424',
    timeUnixUs,
    hostname: host === '-' ? '' : host,
    program: app === '-' ? '' : app,
    pid: /^\d+$/.test(procid) ? Number(procid) : 0,
    subsystem: '',
    message,
    facility,
    severity,
    extra: Object.keys(extra).length > 0 ? extra : undefined,
  };
}

/**
 * Parses the header of a syslog-format line: RFC 3164 (`Jan  5 10:00:00 host prog[pid]: msg`, optionally
 * `<PRI>`-prefixed or with a leading year), rsyslog's high-precision ISO 8601 timestamps, RFC 5424, and
 * vsftpd's own `ctime [pid N]` lines. Returns undefined when no known header is found.
 */
export function parseSyslogHeader(line: string, options: SyslogHeaderOptions = {}): SyslogRecord | undefined {
  let rest = line.trimStart();
  let facility: number | undefined;
  let severity: number | undefined;
  const pri = PRI.exec(rest);
  if (pri) {
    const value = Number(pri[1]);
    if (value <= 191) {
      facility = value >> 3;
      severity = value & 7;
    }
    rest = rest.slice(pri[0].length);
    if (rest.startsWith('1 ')) return parseRfc5424(rest.slice(2), facility, severity);
  }
  const iso = ISO.exec(rest);
  if (iso) return parseHostAndTag('iso8601', isoToUs(iso), rest.slice(iso[0].length), facility, severity);
  const bsd = BSD.exec(rest);
  if (bsd) {
    const month = MONTHS[bsd[2] ?? ''];
    if (month !== undefined) {
      const timeUs =
        bsdToUs(
          bsd[1] ? Number(bsd[1]) : undefined,
          month,
          Number(bsd[3]),
          Number(bsd[4]),
          Number(bsd[5]),
          Number(bsd[6]),
          options.referenceTimeMs ?? Date.now(),
        ) + fractionUs(bsd[7]);
      return parseHostAndTag('rfc3164', timeUs, rest.slice(bsd[0].length), facility, severity);
    }
  }
  const ctime = CTIME.exec(rest);
  if (ctime) {
    const month = MONTHS[ctime[1] ?? ''] ?? 0;
    const t = new Date(
      Number(ctime[6]),
      month,
      Number(ctime[2]),
      Number(ctime[3]),
      Number(ctime[4]),
      Number(ctime[5]),
    );
    return {
      format: 'vsftpd',
      timeUnixUs: t.getTime() * 1000,
      hostname: '',
      program: 'vsftpd',
      pid: Number(ctime[7]),
      subsystem: '',
      message: rest.slice(ctime[0].length),
      facility,
      severity,
      extra: undefined,
    };
  }
  return undefined;
}
