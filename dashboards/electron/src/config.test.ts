import { describe, expect, it } from 'vitest';

import {
  ConsoleConfigError,
  isLoopbackHost,
  parseApplianceUrl,
  parseConsoleConfig,
  parseSha256,
} from './config.js';

const PIN = 'a'.repeat(64);
const argv = (...flags: string[]): string[] => ['/opt/electron/electron', 'dist/main.js', ...flags];

function refusal(run: () => unknown): ConsoleConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConsoleConfigError);
    return error as ConsoleConfigError;
  }
  throw new Error('expected a ConsoleConfigError');
}

describe('parseConsoleConfig', () => {
  it('reads the URL and pin from flags', () => {
    expect(
      parseConsoleConfig(
        argv('--appliance-url=https://appliance.example:8443/console/', `--ca-sha256=${PIN}`),
        {},
      ),
    ).toStrictEqual({
      url: 'https://appliance.example:8443/console/',
      origin: 'https://appliance.example:8443',
      pinnedSha256: PIN,
      devTools: false,
    });
  });

  it('reads them from the environment', () => {
    const config = parseConsoleConfig(argv(), {
      INOSEC_CONSOLE_URL: ' https://Appliance.Example:443/ ',
      INOSEC_CONSOLE_CA_SHA256: PIN.toUpperCase(),
    });
    expect(config).toStrictEqual({
      url: 'https://appliance.example/',
      origin: 'https://appliance.example',
      pinnedSha256: PIN,
      devTools: false,
    });
  });

  it('prefers flags to the environment', () => {
    const config = parseConsoleConfig(argv('--appliance-url=https://flag.example'), {
      INOSEC_CONSOLE_URL: 'https://env.example',
    });
    expect(config.origin).toBe('https://flag.example');
  });

  it('drops the fragment, keeps path and query', () => {
    expect(parseConsoleConfig(argv('--appliance-url=https://a.example/c?x=1#frag'), {}).url).toBe(
      'https://a.example/c?x=1',
    );
  });

  it('enables developer tools only with INOSEC_CONSOLE_DEVTOOLS=1', () => {
    const withDevtools = (value: string | undefined): boolean =>
      parseConsoleConfig(argv('--appliance-url=https://a.example'), { INOSEC_CONSOLE_DEVTOOLS: value })
        .devTools;
    expect(withDevtools('1')).toBe(true);
    for (const value of [undefined, '', '0', 'true', 'yes', ' 1']) expect(withDevtools(value)).toBe(false);
  });

  it('requires a URL, naming both ways to give it', () => {
    const error = refusal(() => parseConsoleConfig(argv(), { INOSEC_CONSOLE_URL: '  ' }));
    expect(error.message).toMatch(/--appliance-url=.*INOSEC_CONSOLE_URL/);
  });

  it('refuses a flag without value, empty or repeated', () => {
    expect(
      refusal(() => parseConsoleConfig(argv('--appliance-url', 'https://a.example'), {})).message,
    ).toMatch(/expects a value/);
    expect(refusal(() => parseConsoleConfig(argv('--appliance-url='), {})).message).toMatch(/empty/);
    expect(
      refusal(() =>
        parseConsoleConfig(
          argv('--appliance-url=https://a.example', '--appliance-url=https://b.example'),
          {},
        ),
      ).message,
    ).toMatch(/more than once/);
  });

  it('refuses a pin on a plain http console', () => {
    const error = refusal(() =>
      parseConsoleConfig(argv('--appliance-url=http://localhost:3000', `--ca-sha256=${PIN}`), {}),
    );
    expect(error.message).toMatch(/--ca-sha256.*--appliance-url.*https/);
  });

  it('names the variable a bad value came from', () => {
    expect(
      refusal(() => parseConsoleConfig(argv(), { INOSEC_CONSOLE_URL: 'http://a.example' })).message,
    ).toMatch(/^INOSEC_CONSOLE_URL /);
    expect(
      refusal(() =>
        parseConsoleConfig(argv('--appliance-url=https://a.example'), { INOSEC_CONSOLE_CA_SHA256: 'nope' }),
      ).message,
    ).toMatch(/^INOSEC_CONSOLE_CA_SHA256 /);
  });
});

describe('parseApplianceUrl', () => {
  const parse = (input: string): string => parseApplianceUrl(input, '--appliance-url').href;

  it('accepts https anywhere and http on loopback only', () => {
    expect(parse('https://10.0.0.5:8443')).toBe('https://10.0.0.5:8443/');
    expect(parse('https://appliance.plant.local')).toBe('https://appliance.plant.local/');
    expect(parse('http://localhost:3000/')).toBe('http://localhost:3000/');
    expect(parse('http://LOCALHOST:3000/')).toBe('http://localhost:3000/');
    expect(parse('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000/');
    expect(parse('http://[::1]:3000')).toBe('http://[::1]:3000/');
    expect(parse('https://bücher.example')).toBe('https://xn--bcher-kva.example/');
  });

  it.each([
    ['http on a LAN address', 'http://10.0.0.5:8443', /must use https/],
    ['http on a name', 'http://appliance.example', /must use https/],
    ['http on a localhost look-alike', 'http://localhost.evil.test', /must use https/],
    ['http on another loopback address', 'http://127.0.0.2', /must use https/],
    ['http with a trailing-dot localhost', 'http://localhost./', /must use https/],
    ['credentials', 'https://admin:secret@appliance.example', /credentials/],
    ['a user name', 'https://admin@appliance.example', /credentials/],
    ['userinfo pointing elsewhere', 'https://appliance.example@evil.test', /credentials/],
    ['file:', 'file:///etc/passwd', /scheme file:/],
    ['javascript:', 'javascript:alert(1)', /scheme javascript:/],
    ['data:', 'data:text/html,x', /scheme data:/],
    ['ws:', 'wss://appliance.example', /scheme wss:/],
    ['a relative URL', '/console', /not an absolute URL/],
    ['a bare host', 'appliance.example:8443', /scheme appliance.example:/],
    ['garbage', 'https://[oops', /not an absolute URL/],
    ['an empty string', '', /not an absolute URL/],
    ['a port out of range', 'https://appliance.example:99999', /not an absolute URL/],
  ])('refuses %s', (_case, input, message) => {
    const error = refusal(() => parseApplianceUrl(input, '--appliance-url'));
    expect(error.message).toMatch(/^--appliance-url /);
    expect(error.message).toMatch(message);
  });

  it('knows the loopback hosts exactly', () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['::1', '127.0.0.2', '0.0.0.0', 'localhost.', 'appliance'])
      expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('parseSha256', () => {
  it('accepts plain or colon-separated hex in any case', () => {
    const colons = 'AB:'.repeat(31) + 'AB';
    expect(parseSha256(colons, 'x')).toBe('ab'.repeat(32));
    expect(parseSha256(` ${'Ab'.repeat(32)}\n`, 'x')).toBe('ab'.repeat(32));
  });

  it.each([
    ['too short', 'ab'.repeat(31)],
    ['too long', 'ab'.repeat(33)],
    ['not hex', 'zz'.repeat(32)],
    ['SHA-1 length', 'ab'.repeat(20)],
    ['badly placed colons', `${'a'.repeat(63)}:a`],
    ['base64', 'q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s='],
    ['empty', ''],
  ])('refuses %s', (_case, input) => {
    expect(refusal(() => parseSha256(input, '--ca-sha256')).message).toMatch(
      /^--ca-sha256 must be a SHA-256/,
    );
  });
});
