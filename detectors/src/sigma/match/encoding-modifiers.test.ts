import { describe, expect, it } from 'vitest';
import { SigmaRuleError } from '../sigma-types.js';
import { expectMatch, item } from './item-test-helpers.js';

const b64 = (text: string, encoding: BufferEncoding = 'utf8') =>
  Buffer.from(text, encoding).toString('base64');
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16().toString('base64');

describe('base64', () => {
  it('matches the base64 form of the value', () => {
    const matcher = item('Payload|base64', 'http://');
    expectMatch(matcher, { Payload: b64('http://') }, true);
    expectMatch(matcher, { Payload: b64('https://') }, false);
    expect(matcher.literals).toEqual([[b64('http://').toLowerCase()]]);
  });
  it('with contains finds the encoding of a value at the start of the encoded text', () => {
    const matcher = item('CommandLine|base64|contains', 'IEX');
    expectMatch(matcher, { CommandLine: `powershell -e ${b64('IEX (New-Object Net.WebClient)')}` }, true);
    expectMatch(matcher, { CommandLine: `powershell -e ${b64('iex (New-Object Net.WebClient)')}` }, false);
  });
  it('refuses wildcards before the encoding', () => {
    expect(() => item('CommandLine|contains|base64', 'IEX')).toThrow(SigmaRuleError);
    expect(() => item('CommandLine|base64', 'I*X')).toThrow(/wildcards/);
  });
});

describe('base64offset', () => {
  const matcher = item('CommandLine|base64offset|contains', 'Invoke-Mimikatz');
  it('matches the value at each of the three byte offsets', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd', 'abcde']) {
      for (const suffix of ['', 'x', 'xy', 'xyz']) {
        expectMatch(matcher, { CommandLine: `-enc ${b64(`${prefix}Invoke-Mimikatz${suffix}`)}` }, true);
      }
    }
  });
  it('does not match a value off by one character', () => {
    for (const prefix of ['', 'a', 'ab']) {
      expectMatch(matcher, { CommandLine: b64(`${prefix}Invoke-Mimlkatz`) }, false);
      expectMatch(matcher, { CommandLine: b64(`${prefix}Invoke_Mimikatz`) }, false);
    }
  });
  it('gives one literal alternative per offset', () => {
    expect(matcher.literals).toHaveLength(3);
  });
  it('refuses a value too short to leave a stable part', () => {
    expect(() => item('x|base64offset|contains', 'a')).toThrow(/too short/);
  });
});

describe('UTF-16 encodings', () => {
  it('utf16le (and wide) then base64offset finds PowerShell -EncodedCommand payloads', () => {
    for (const key of [
      'CommandLine|utf16le|base64offset|contains',
      'CommandLine|wide|base64offset|contains',
    ]) {
      const matcher = item(key, 'Invoke-WebRequest');
      for (const prefix of ['', '$', '$x']) {
        expectMatch(
          matcher,
          { CommandLine: `-enc ${b64(`${prefix}Invoke-WebRequest http://x`, 'utf16le')}` },
          true,
        );
      }
      expectMatch(matcher, { CommandLine: `-enc ${b64('Invoke-WebRequest http://x')}` }, false);
    }
  });
  it('utf16le and utf16be are told apart where the byte alignment is known (plain base64)', () => {
    const le = item('Data|utf16le|base64', 'cmd');
    const be = item('Data|utf16be|base64', 'cmd');
    expectMatch(le, { Data: b64('cmd', 'utf16le') }, true);
    expectMatch(le, { Data: utf16be('cmd') }, false);
    expectMatch(be, { Data: utf16be('cmd') }, true);
    expectMatch(be, { Data: b64('cmd', 'utf16le') }, false);
  });
  it('utf16be matches big-endian and not UTF-8 text', () => {
    const matcher = item('Data|utf16be|base64offset|contains', 'cmd.exe');
    for (const prefix of ['', 'a', 'ab'])
      expectMatch(matcher, { Data: utf16be(`${prefix}cmd.exe /c`) }, true);
    expectMatch(matcher, { Data: b64('cmd.exe /c') }, false);
  });
  it('utf16 prepends the little-endian byte order mark', () => {
    const matcher = item('Data|utf16|base64', 'cmd');
    expectMatch(
      matcher,
      { Data: Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64') },
      true,
    );
    expectMatch(matcher, { Data: b64('cmd', 'utf16le') }, false);
  });
  it('utf16le alone matches the text of the bytes', () => {
    const matcher = item('Data|utf16le|contains', 'cmd');
    expectMatch(matcher, { Data: 'x c\u0000m\u0000d\u0000 y' }, true);
    expectMatch(matcher, { Data: 'cmd' }, false);
  });
  it('windash before an encoding encodes every dash variant', () => {
    const matcher = item('CommandLine|windash|base64offset|contains', '-nop');
    expectMatch(matcher, { CommandLine: b64('powershell /nop') }, true);
    expectMatch(matcher, { CommandLine: b64('powershell \u2013nop') }, true);
    expectMatch(matcher, { CommandLine: b64('powershell +nop') }, false);
  });
});
