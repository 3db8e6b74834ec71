import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, configFields, parseConfig, redactUrl } from './config.js';

const schema = z.object({
  PORT: configFields.port(8080, 'the test server'),
  DATABASE_URL: configFields.postgresUrl('the test database'),
  API_TOKEN: z.string().min(10).describe('a token of at least 10 characters'),
  LOG_LEVEL: configFields.logLevel(),
});

const valid = { DATABASE_URL: 'postgres://u:p@localhost:5432/db', API_TOKEN: '0123456789abc' };

describe('parseConfig', () => {
  it('returns typed values with defaults applied and ignores unrelated variables', () => {
    expect(parseConfig('test', schema, { ...valid, PORT: '9000', UNRELATED: 'x' })).toEqual({
      ...valid,
      PORT: 9000,
      LOG_LEVEL: 'info',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig('test', schema, { ...valid, PORT: '' }).PORT).toBe(8080);
  });

  it('lists every bad variable once, with the expected form and the value received', () => {
    let caught: unknown;
    try {
      parseConfig('test', schema, {
        PORT: '70000',
        DATABASE_URL: 'mysql://x',
        API_TOKEN: 'short',
        LOG_LEVEL: 'loud',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe('config_invalid');
    expect(error.component).toBe('test');
    expect(error.issues.map((i) => i.variable)).toEqual(['PORT', 'DATABASE_URL', 'API_TOKEN', 'LOG_LEVEL']);
    expect(error.message).toContain(
      'PORT: expected a TCP port number 0-65535 for the test server (default 8080); got "70000"',
    );
    expect(error.message).toContain(
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it.each([
    ['postgres://admin:hunter2@db:5432/x', 'postgres://admin:***@db:5432/x'],
    ['postgres://admin:ab/cd@db:5432/x', 'postgres://***'],
    ['postgres://db:5432/x?user=u&password=hunter2', 'postgres://db:5432/x?user=u&password=***'],
    ['postgres://db/x', 'postgres://db/x'],
    ['http://nats:4222', 'http://nats:4222'],
    ['not a url', 'not a url'],
  ])('redactUrl(%s) hides every password', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('finds the expected form through .optional()', () => {
    const optional = z.object({ NATS_URL: configFields.postgresUrl('an optional database').optional() });
    expect(() => parseConfig('test', optional, { NATS_URL: 'nope' })).toThrow(
      'NATS_URL: expected a PostgreSQL connection URL postgres://user:password@host:port/database (an optional database); got "nope"',
    );
  });

  it('says a required variable is unset', () => {
    expect(() => parseConfig('test', schema, { API_TOKEN: '0123456789abc' })).toThrow(
      'DATABASE_URL: expected a PostgreSQL connection URL postgres://user:password@host:port/database (the test database); got nothing (unset)',
    );
  });

  it('never echoes a secret or a URL password', () => {
    let message = '';
    try {
      parseConfig('test', schema, { DATABASE_URL: 'http://admin:hunter2@db/x', API_TOKEN: 'tiny' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'API_TOKEN: expected a token of at least 10 characters; got "[hidden, 4 characters]"',
    );
    expect(message).toContain('got "http://admin:***@db/x"');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('tiny');
  });
});
