import { describe, expect, it } from 'vitest';
import { loadCsv } from './csv-loader.js';
import { IocSet } from './ioc-set.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('loadCsv with a header', () => {
  const text = [
    'id,indicator,type,description,severity,confidence,valid_until',
    '1,198.51.100.7,ip,"C2 server, seen in ""Op X""",high,90,2027-01-01T00:00:00Z',
    '2,evil.com,domain,"phishing\nkit",medium,,',
    '3,"10.0.0.0/8",cidr,,,,',
    '4,d41d8cd98f00b204e9800998ecf8427e,md5,,,,',
    '5,old.example.com,domain,expired,,,2025-06-01T00:00:00Z',
    '6,not a domain,domain,bad,,,',
    '7,someone@example.com,email-src,unsupported type,,,',
    '8,"unterminated,ip,,,,',
    '9,evil.org,domain,,,high,',
    '10,future.example,domain,,,,someday',
    '# 11,commented.example,domain,,,,',
    '12',
    '13,evil.com,domain,duplicate,,,',
  ].join('\n');
  const set = new IocSet('csv-feed');
  const report = loadCsv(set, text, { now: NOW });

  it('loads the good rows with their metadata', () => {
    expect(report.loaded).toEqual({ ip: 1, cidr: 1, domain: 1, hash: 1 });
    expect(set.match('ip', '198.51.100.7')).toMatchObject({
      set: 'csv-feed',
      id: '1',
      description: 'C2 server, seen in "Op X"',
      severity: 'high',
      confidence: 90,
      validUntil: Date.parse('2027-01-01T00:00:00Z'),
    });
    expect(set.match('domain', 'www.evil.com')).toMatchObject({ id: '2', description: 'phishing\nkit' });
    expect(set.match('ip', '10.200.0.1')?.indicator).toBe('10.0.0.0/8');
    expect(set.match('hash', 'D41D8CD98F00B204E9800998ECF8427E')?.id).toBe('4');
  });

  it('skips and counts the expired and the duplicate', () => {
    expect(report.expired).toBe(1);
    expect(set.match('domain', 'old.example.com')).toBeUndefined();
    expect(report.duplicates).toBe(1);
    expect(set.match('domain', 'evil.com')?.id).toBe('2');
  });

  it('reports every bad line with its number and reason, and skips comments', () => {
    // Line numbers count the line break inside row 2's quoted description.
    expect(report.issues.map((issue) => [issue.line, issue.severity])).toEqual([
      [8, 'invalid'],
      [9, 'unsupported'],
      [10, 'invalid'],
      [11, 'invalid'],
      [12, 'invalid'],
      [14, 'invalid'],
    ]);
    expect(report.issues[0]?.reason).toContain('not a domain');
    expect(report.issues[1]?.reason).toBe("indicator type 'email-src' not supported");
    expect(report.issues[2]?.reason).toBe('unterminated quoted field');
    expect(report.issues[3]?.reason).toContain('confidence');
    expect(report.issues[4]?.reason).toContain('valid_until');
    expect(report.issues[5]?.reason).toContain('no column 2');
    expect(report.invalid).toBe(5);
    expect(report.unsupported).toBe(1);
    expect(set.match('domain', 'commented.example')).toBeUndefined();
  });

  it('accepts value or ioc as the indicator column and detects the kind without a type column', () => {
    const other = new IocSet('x');
    const result = loadCsv(
      other,
      'first_seen,ioc\n2024-01-01,hxxps://bad[.]example/x\n2024-01-02,2001:db8::/32\n',
    );
    expect(result.loaded).toEqual({ ip: 0, cidr: 1, domain: 1, hash: 0 });
    expect(other.match('url', 'http://bad.example/')).toBeDefined();
  });
});

describe('loadCsv as a plain list', () => {
  it('reads one indicator per line with comments and CRLF', () => {
    const set = new IocSet('list');
    const report = loadCsv(
      set,
      '# blocklist\r\n1.2.3.4\r\n\r\n5.6.7.0/24 ; SBL123\r\nevil.com # c2\r\n"quoted.example"\r\n',
    );
    expect(report.loaded).toEqual({ ip: 1, cidr: 1, domain: 2, hash: 0 });
    expect(report.issues).toEqual([]);
    expect(set.match('ip', '5.6.7.8')?.indicator).toBe('5.6.7.0/24');
  });

  it('reports lines that are not indicators, and several columns without a header', () => {
    const set = new IocSet('list');
    const report = loadCsv(set, '1.2.3.4\nhello\n5.6.7.8,malware\n');
    expect(report.loaded.ip).toBe(1);
    expect(report.issues).toMatchObject([
      { line: 2, severity: 'invalid', value: 'hello' },
      { line: 3, severity: 'invalid', reason: expect.stringContaining('no header') },
    ]);
  });

  it('keeps at most maxIssues issues but counts all', () => {
    const set = new IocSet('list');
    const report = loadCsv(set, 'bad\n'.repeat(10), { maxIssues: 3 });
    expect(report.invalid).toBe(10);
    expect(report.issues).toHaveLength(3);
    expect(report.issuesDropped).toBe(7);
  });
});
