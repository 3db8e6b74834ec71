import { describe, expect, it } from 'vitest';
import { SigmaRuleError, type SigmaEvent } from '../sigma-types.js';
import { expectMatch } from './item-test-helpers.js';
import { eventSatisfiesLiterals } from './prefilter-literals.js';
import { compileSelection } from './selection.js';

const location = { file: 'rules/test.yml', ruleId: 'abc' };
const selection = (value: unknown) => compileSelection('selection', value, {}, location);

describe('maps', () => {
  const matcher = selection({
    EventLog: 'Security',
    EventID: [517, 1102],
    'CommandLine|contains': 'wevtutil',
  });
  it('ANDs the items and ORs each list', () => {
    expectMatch(matcher, { EventLog: 'security', EventID: 1102, CommandLine: 'wevtutil cl' }, true);
    expectMatch(matcher, { EventLog: 'security', EventID: '517', CommandLine: 'x WEVTUTIL' }, true);
    expectMatch(matcher, { EventLog: 'security', EventID: 518, CommandLine: 'wevtutil cl' }, false);
    expectMatch(matcher, { EventLog: 'system', EventID: 1102, CommandLine: 'wevtutil cl' }, false);
    expectMatch(matcher, { EventLog: 'security', EventID: 1102, Image: 'wevtutil' }, false);
  });
  it('lists the fields it reads', () => {
    expect(matcher.fields.sort()).toEqual(['CommandLine', 'EventID', 'EventLog']);
  });
  it('gives literals every matching event holds', () => {
    expect(matcher.literals).toBeDefined();
    for (const alternative of matcher.literals ?? []) expect(alternative).toContain('security');
  });
  it('keeps literals when one item has none', () => {
    const mixed = selection({ 'CommandLine|re': 'a+b', 'Image|endswith': '/curl' });
    expect(mixed.literals).toEqual([['/curl']]);
    expectMatch(mixed, { CommandLine: 'xaab', Image: '/usr/bin/curl' }, true);
    expectMatch(mixed, { CommandLine: 'xab', Image: '/usr/bin/wget' }, false);
  });
  it('has no literals when no item has any', () => {
    expect(selection({ 'ip|cidr': '10.0.0.0/8', 'n|gt': 3 }).literals).toBeUndefined();
  });
});

describe('lists of maps', () => {
  const matcher = selection([
    { 'Image|endswith': '\\example.exe' },
    { 'Description|contains': 'Test executable' },
  ]);
  it('ORs the maps', () => {
    expectMatch(matcher, { Image: 'C:\\x\\example.exe' }, true);
    expectMatch(matcher, { Description: 'a test executable' }, true);
    expectMatch(matcher, { Image: 'C:\\x\\example.exe.txt', Description: 'test exe' }, false);
    expect(matcher.literals).toEqual([['\\example.exe'], ['test executable']]);
  });
  it('has no literals when one map has none', () => {
    expect(selection([{ a: 'x' }, { 'b|re': 'y' }]).literals).toBeUndefined();
  });
});

describe('keywords', () => {
  const matcher = selection(['event::clear', 'event::drop']);
  it('finds a keyword anywhere in any value, nested and in arrays', () => {
    expectMatch(matcher, { message: 'mimikatz # EVENT::Clear' }, true);
    expectMatch(matcher, { a: { b: ['x', 'run event::drop now'] } }, true);
    expectMatch(matcher, { message: 'event:clear' }, false);
    expectMatch(matcher, { 'event::clear': 'keys are not values' }, false);
    expect(matcher.readsAllFields).toBe(true);
    expect(matcher.fields).toEqual([]);
    expect(matcher.literals).toEqual([['event::clear'], ['event::drop']]);
  });
  it('finds numbers by their text', () => {
    expectMatch(selection(4624), { EventID: 4624 }, true);
    expectMatch(selection(4624), { EventID: 4625 }, false);
  });
  it('|all requires every keyword, possibly in different fields', () => {
    const all = selection({ '|all': ['OabVirtualDirectory', ' -ExternalUrl '] });
    expectMatch(all, { a: 'Set-OabVirtualDirectory', b: 'x -externalurl y' }, true);
    expectMatch(all, { a: 'Set-OabVirtualDirectory -InternalUrl y' }, false);
    expect(all.literals).toEqual([['oabvirtualdirectory', ' -externalurl ']]);
  });
  it('a single keyword and keywords with wildcards', () => {
    expectMatch(selection('evil*service'), { m: 'the EVIL sneaky SERVICE' }, true);
    expectMatch(selection('evil*service'), { m: 'the service evil' }, false);
  });
  it('refuses null keywords', () => {
    expect(() => selection([null])).toThrow(/null/);
  });
});

describe('errors', () => {
  it('names the file, rule id and offending key', () => {
    let error: unknown;
    try {
      compileSelection('selection_img', { 'Image|endswith': 'x', 'CommandLine|contians': 'y' }, {}, location);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SigmaRuleError);
    expect((error as SigmaRuleError).location.key).toBe('detection.selection_img.CommandLine|contians');
    expect((error as Error).message).toContain('rules/test.yml');
    expect((error as Error).message).toContain('rule abc');
  });
  it('names the list index of a map in a list', () => {
    expect(() => selection([{ a: 'x' }, { 'b|bad': 'y' }])).toThrow(/detection\.selection\[1\]\.b\|bad/);
  });
  it('rejects empty and null search identifiers', () => {
    expect(() => selection({})).toThrow(SigmaRuleError);
    expect(() => selection([])).toThrow(SigmaRuleError);
    expect(() => selection(null)).toThrow(SigmaRuleError);
  });
});

describe('prefilter literals hold for every matching event', () => {
  const cases: [unknown, SigmaEvent[]][] = [
    [
      { 'CommandLine|windash|contains': ['-enc', '-e '], 'Image|endswith': '\\powershell.exe' },
      [
        { CommandLine: 'x /enc y', Image: 'C:\\PowerShell.exe' },
        { CommandLine: 'x \u2014e y', Image: 'c:\\powershell.exe' },
      ],
    ],
    [
      { 'a|contains|all': ['one', 'two'], 'b|base64offset|contains': 'hello' },
      [{ a: 'two one', b: Buffer.from('xhello').toString('base64') }],
    ],
    [{ EventID: 4624, 'User|cased': 'Admin' }, [{ EventID: '4624', User: 'Admin' }]],
    [
      [{ 'a|startswith': 'x?z' }, { b: true }],
      [{ a: 'XYZabc' }, { b: 'TRUE' }],
    ],
  ];
  for (const [value, events] of cases) {
    it(JSON.stringify(value), () => {
      const matcher = selection(value);
      expect(matcher.literals).toBeDefined();
      for (const event of events) {
        expect(matcher.test(event)).toBe(true);
        expect(eventSatisfiesLiterals(matcher.literals, event)).toBe(true);
      }
    });
  }
});
