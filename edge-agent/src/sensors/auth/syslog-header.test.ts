import { describe, expect, it } from 'vitest';
import { parseJournalEntry } from './journal-entry.js';
import { parseSyslogHeader } from './syslog-header.js';

const localUs = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  new Date(y, mo, d, h, mi, s).getTime() * 1000;

describe('parseSyslogHeader', () => {
  it('reads RFC 3164 with host, program and pid in local time', () => {
    const ref = new Date(2024, 5, 15).getTime();
    const r = parseSyslogHeader('Jan  5 10:00:00 web1 sshd[1234]: Accepted password for bob', {
      referenceTimeMs: ref,
    });
    expect(r).toMatchObject({
      format: 'rfc3164',
      hostname: 'web1',
      program: 'sshd',
      pid: 1234,
      message: 'Accepted password for bob',
      timeUnixUs: localUs(2024, 0, 5, 10, 0, 0),
    });
  });

  it('infers the year around New Year', () => {
    const jan2 = new Date(2025, 0, 2, 8, 0, 0).getTime();
    expect(parseSyslogHeader('Dec 31 23:59:58 h cron[1]: x', { referenceTimeMs: jan2 })?.timeUnixUs).toBe(
      localUs(2024, 11, 31, 23, 59, 58),
    );
    const dec31 = new Date(2024, 11, 31, 23, 59, 0).getTime();
    expect(parseSyslogHeader('Jan  1 00:00:03 h cron[1]: x', { referenceTimeMs: dec31 })?.timeUnixUs).toBe(
      localUs(2025, 0, 1, 0, 0, 3),
    );
    const jun = new Date(2024, 5, 1).getTime();
    expect(parseSyslogHeader('Jan  1 00:00:03 h cron[1]: x', { referenceTimeMs: jun })?.timeUnixUs).toBe(
      localUs(2024, 0, 1, 0, 0, 3),
    );
  });

  it('reads rsyslog high-precision ISO 8601 timestamps to the microsecond, with either offset form', () => {
    const r = parseSyslogHeader('2024-01-05T10:00:00.123456+01:00 host sudo[77]: msg');
    expect(r).toMatchObject({
      format: 'iso8601',
      hostname: 'host',
      program: 'sudo',
      pid: 77,
      message: 'msg',
    });
    expect(r?.timeUnixUs).toBe(Date.UTC(2024, 0, 5, 9, 0, 0) * 1000 + 123_456);
    const spaced = parseSyslogHeader('2020-03-23 06:47:42.801612-0700  localhost sshd[3186]: error: x');
    expect(spaced?.timeUnixUs).toBe(Date.UTC(2020, 2, 23, 13, 47, 42) * 1000 + 801_612);
    expect(spaced?.hostname).toBe('localhost');
  });

  it('reads RFC 5424 with priority, structured data and a BOM', () => {
    const r = parseSyslogHeader(
      '<38>1 2024-01-05T10:00:00.5Z host.example sshd 4321 ID47 [origin ip="10.0.0.1"][x@1 a="b\\]c"] \uFEFFAccepted publickey for root',
    );
    expect(r).toMatchObject({
      format: 'rfc5424',
      hostname: 'host.example',
      program: 'sshd',
      pid: 4321,
      facility: 4,
      severity: 6,
      message: 'Accepted publickey for root',
      extra: { 'syslog.msgid': 'ID47', 'syslog.structured_data': '[origin ip="10.0.0.1"][x@1 a="b\\]c"]' },
    });
    expect(r?.timeUnixUs).toBe(Date.UTC(2024, 0, 5, 10, 0, 0) * 1000 + 500_000);
    expect(parseSyslogHeader('<13>1 - - - - - - hello')).toMatchObject({
      program: '',
      message: 'hello',
      timeUnixUs: undefined,
    });
  });

  it('reads the tag forms prog:, prog(pam_unix)[pid]:, prog[pid] without colon, gdm-password][pid]:', () => {
    expect(parseSyslogHeader('Apr 27 15:22:23 niban sudo:     dcid : TTY=pts/4')).toMatchObject({
      program: 'sudo',
      pid: 0,
      message: 'dcid : TTY=pts/4',
    });
    expect(
      parseSyslogHeader('Nov 11 22:46:29 localhost su(pam_unix)[23164]: authentication failure;'),
    ).toMatchObject({
      program: 'su',
      subsystem: 'pam_unix',
      pid: 23164,
    });
    expect(parseSyslogHeader('Jan 04 22:51:57 x proftpd[30362] x (a[b]): USER backup')).toMatchObject({
      program: 'proftpd',
      pid: 30362,
      message: 'x (a[b]): USER backup',
    });
    expect(
      parseSyslogHeader('Jan  4 22:51:57 x gdm-password][999]: pam_unix(gdm-password:session): ok'),
    ).toMatchObject({
      program: 'gdm-password',
      pid: 999,
    });
  });

  it('takes facility and severity from a Solaris [ID n facility.level] prefix', () => {
    expect(
      parseSyslogHeader('Aug 18 07:30:25 192.168.1.5 sshd[20247]: [ID 800047 auth.notice] Failed none'),
    ).toMatchObject({
      facility: 4,
      severity: 5,
      message: 'Failed none',
    });
  });

  it('returns undefined for a line without a known header', () => {
    expect(parseSyslogHeader('just some text')).toBeUndefined();
    expect(parseSyslogHeader('')).toBeUndefined();
  });
});

describe('parseJournalEntry', () => {
  it('reads journalctl -o json fields, a MESSAGE given as bytes and the cursor', () => {
    const bytes = [...Buffer.from('Accepted password for \u00e9lodie from 10.0.0.9 port 5 ssh2')];
    const entry = parseJournalEntry(
      JSON.stringify({
        __CURSOR: 's=abc;i=1',
        __REALTIME_TIMESTAMP: '1704448800123456',
        _HOSTNAME: 'box',
        SYSLOG_IDENTIFIER: 'sshd',
        _COMM: 'sshd-session',
        _PID: '42',
        SYSLOG_FACILITY: '10',
        PRIORITY: '6',
        _SYSTEMD_UNIT: 'ssh.service',
        MESSAGE: bytes,
      }),
    );
    expect(entry).toEqual({
      cursor: 's=abc;i=1',
      record: {
        format: 'journald',
        timeUnixUs: 1704448800123456,
        hostname: 'box',
        program: 'sshd',
        pid: 42,
        subsystem: '',
        message: 'Accepted password for \u00e9lodie from 10.0.0.9 port 5 ssh2',
        facility: 10,
        severity: 6,
        extra: { 'journald.unit': 'ssh.service' },
      },
    });
  });

  it('falls back to _COMM and returns undefined for non-JSON', () => {
    expect(parseJournalEntry('{"_COMM":"login","MESSAGE":"x"}')?.record.program).toBe('login');
    expect(parseJournalEntry('{not json')).toBeUndefined();
    expect(parseJournalEntry('[1,2]')).toBeUndefined();
  });
});
