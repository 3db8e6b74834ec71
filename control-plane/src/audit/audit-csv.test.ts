import { describe, expect, it } from 'vitest';
import { auditCsvHeader, auditCsvLine, csvCell } from './audit-csv.js';

describe('audit CSV', () => {
  it('quotes cells holding commas, quotes or line breaks and leaves plain ones alone', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('user.invite')).toBe('user.invite');
  });

  it('writes one CRLF line per entry in the header order, details as JSON', () => {
    expect(auditCsvHeader()).toBe(
      'id,at,actor_type,actor_id,actor_ip,action,resource_type,resource_id,outcome,request_id,details\r\n',
    );
    const line = auditCsvLine({
      id: 7,
      tenantId: null,
      at: new Date('2024-05-01T10:00:00.000Z'),
      actorType: 'user',
      actorId: 'u1',
      actorIp: '10.0.0.1',
      action: 'user.invite',
      resourceType: 'user',
      resourceId: null,
      outcome: 'success',
      requestId: 'r1',
      details: { email: 'a@b.test', roles: ['admin', 'viewer'] },
    });
    expect(line).toBe(
      '7,2024-05-01T10:00:00.000Z,user,u1,10.0.0.1,user.invite,user,,success,r1,"{""email"":""a@b.test"",""roles"":[""admin"",""viewer""]}"\r\n',
    );
  });
});
