import { describe, expect, it } from 'vitest';
import { expectMatch, item } from './item-test-helpers.js';

describe('plain values', () => {
  it('matches the whole value case-insensitively', () => {
    const matcher = item('Image', 'C:\\Windows\\System32\\cmd.exe');
    expectMatch(matcher, { Image: 'c:\\windows\\system32\\CMD.EXE' }, true);
    expectMatch(matcher, { Image: 'C:\\Windows\\System32\\cmd.exe2' }, false);
    expectMatch(matcher, { OtherImage: 'C:\\Windows\\System32\\cmd.exe' }, false);
    expect(matcher.literals).toEqual([['c:\\windows\\system32\\cmd.exe']]);
    expect(matcher.fields).toEqual(['Image']);
  });
  it('ORs a list of values', () => {
    const matcher = item('User', ['root', 'admin']);
    expectMatch(matcher, { User: 'ADMIN' }, true);
    expectMatch(matcher, { User: 'root' }, true);
    expectMatch(matcher, { User: 'roots' }, false);
    expect(matcher.literals).toEqual([['root'], ['admin']]);
  });
  it('compares YAML numbers with event numbers and their exact text', () => {
    const matcher = item('EventID', 4624);
    expectMatch(matcher, { EventID: 4624 }, true);
    expectMatch(matcher, { EventID: '4624' }, true);
    expectMatch(matcher, { EventID: 4625 }, false);
    expectMatch(matcher, { EventID: '04624' }, false);
    expectMatch(matcher, { EventID: '4624 ' }, false);
  });
  it('matches event numbers and booleans against string patterns by their text', () => {
    expectMatch(item('EventID', '46*'), { EventID: 4624 }, true);
    expectMatch(item('EventID', '47*'), { EventID: 4624 }, false);
    expectMatch(item('Enabled', 'true'), { Enabled: true }, true);
    expectMatch(item('Enabled', 'true'), { Enabled: false }, false);
  });
  it('compares YAML booleans with event booleans and true/false strings', () => {
    const matcher = item('Signed', true);
    expectMatch(matcher, { Signed: true }, true);
    expectMatch(matcher, { Signed: 'True' }, true);
    expectMatch(matcher, { Signed: false }, false);
    expectMatch(matcher, { Signed: 'yes' }, false);
  });
  it('matches arrays when any element matches, nested fields by dotted names', () => {
    const matcher = item('dns.answers.name', '*.evil.com');
    expectMatch(matcher, { dns: { answers: [{ name: 'a.good.com' }, { name: 'x.EVIL.com' }] } }, true);
    expectMatch(matcher, { dns: { answers: [{ name: 'a.good.com' }] } }, false);
    expectMatch(item('tags', 'x'), { tags: ['a', 'x'] }, true);
    expectMatch(item('tags', 'x'), { tags: ['a', 'xx'] }, false);
  });
  it('matches the empty string only to an empty value', () => {
    expectMatch(item('Description', ''), { Description: '' }, true);
    expectMatch(item('Description', ''), { Description: ' ' }, false);
    expectMatch(item('Description', ''), {}, false);
  });
  it('maps field names through the log source mapping', () => {
    const matcher = item('CommandLine|contains', 'whoami', { fieldName: (f) => `process.${f}` });
    expect(matcher.fields).toEqual(['process.CommandLine']);
    expectMatch(matcher, { 'process.CommandLine': 'whoami' }, true);
    expectMatch(matcher, { CommandLine: 'whoami' }, false);
  });
});

describe('null', () => {
  const matcher = item('PasswordLastSet', null);
  it('matches an absent or null field', () => {
    expectMatch(matcher, {}, true);
    expectMatch(matcher, { PasswordLastSet: null }, true);
    expectMatch(matcher, { PasswordLastSet: [] }, true);
    expect(matcher.literals).toBeUndefined();
  });
  it('does not match an empty or present value', () => {
    expectMatch(matcher, { PasswordLastSet: '' }, false);
    expectMatch(matcher, { PasswordLastSet: 0 }, false);
    expectMatch(matcher, { PasswordLastSet: '2024-01-01' }, false);
  });
});

describe('contains, startswith, endswith', () => {
  it('contains matches anywhere, not a near miss', () => {
    const matcher = item('CommandLine|contains', 'mimikatz');
    expectMatch(matcher, { CommandLine: 'run MimiKatz.exe now' }, true);
    expectMatch(matcher, { CommandLine: 'run mimikat.exe' }, false);
    expectMatch(matcher, { Other: 'mimikatz' }, false);
    expect(matcher.literals).toEqual([['mimikatz']]);
  });
  it('startswith matches a prefix, not a suffix', () => {
    const matcher = item('Image|startswith', '/tmp/');
    expectMatch(matcher, { Image: '/tmp/x' }, true);
    expectMatch(matcher, { Image: '/var/tmp/' }, false);
  });
  it('endswith matches a suffix, not a prefix', () => {
    const matcher = item('Image|endswith', ['/bash', '/sh']);
    expectMatch(matcher, { Image: '/usr/bin/bash' }, true);
    expectMatch(matcher, { Image: '/bin/sh' }, true);
    expectMatch(matcher, { Image: '/bin/sh2' }, false);
    expectMatch(matcher, { Image: '/bash/x' }, false);
  });
  it('keeps inner wildcards', () => {
    const matcher = item('CommandLine|contains', 'curl*| sh');
    expectMatch(matcher, { CommandLine: 'curl http://x/a | sh' }, true);
    expectMatch(matcher, { CommandLine: '| sh curl' }, false);
  });
  it('contains|all requires every value', () => {
    const matcher = item('CommandLine|contains|all', ['s_client', '-quiet']);
    expectMatch(matcher, { CommandLine: 'openssl s_client -quiet -connect' }, true);
    expectMatch(matcher, { CommandLine: 'openssl s_client -connect' }, false);
    expect(matcher.literals).toEqual([['s_client', '-quiet']]);
  });
  it('cased matches case-sensitively', () => {
    const matcher = item('CommandLine|contains|cased', ' -O ');
    expectMatch(matcher, { CommandLine: 'wget -O x' }, true);
    expectMatch(matcher, { CommandLine: 'wget -o x' }, false);
    expectMatch(item('User|cased', 'Admin'), { User: 'admin' }, false);
    expectMatch(item('User|cased', 'Admin'), { User: 'Admin' }, true);
  });
});

describe('neq', () => {
  it('negates the item', () => {
    const matcher = item('User|neq', 'root');
    expectMatch(matcher, { User: 'alice' }, true);
    expectMatch(matcher, { User: 'ROOT' }, false);
    expectMatch(matcher, {}, true);
    expect(matcher.literals).toBeUndefined();
  });
  it('negates a list: different from every value', () => {
    const matcher = item('LogonType|neq', [2, 10]);
    expectMatch(matcher, { LogonType: 3 }, true);
    expectMatch(matcher, { LogonType: 10 }, false);
    expectMatch(matcher, { LogonType: '2' }, false);
  });
  it('negates contains', () => {
    const matcher = item('CommandLine|contains|neq', 'localhost');
    expectMatch(matcher, { CommandLine: 'curl http://evil' }, true);
    expectMatch(matcher, { CommandLine: 'curl http://LOCALHOST' }, false);
  });
});

describe('windash', () => {
  const matcher = item('CommandLine|windash|contains', ' -enc ');
  it('matches hyphen, slash, en dash, em dash and horizontal bar', () => {
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) {
      expectMatch(matcher, { CommandLine: `powershell.exe ${dash}enc AAAA` }, true);
    }
  });
  it('does not match other characters or a missing dash', () => {
    expectMatch(matcher, { CommandLine: 'powershell.exe +enc AAAA' }, false);
    expectMatch(matcher, { CommandLine: 'powershell.exe \\enc AAAA' }, false);
    expectMatch(matcher, { CommandLine: 'powershell.exe enc AAAA' }, false);
    expect(matcher.literals).toEqual([['enc ']]);
  });
  it('works in either order with contains and with several dashes', () => {
    const other = item('CommandLine|contains|windash', '-urlcache -f');
    expectMatch(other, { CommandLine: 'certutil /urlcache \u2013f http://x' }, true);
    expectMatch(other, { CommandLine: 'certutil /urlcache f http://x' }, false);
  });
});
