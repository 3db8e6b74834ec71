import { ConfigError } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { agentConfigSchema, loadAgentConfig } from './agent.config.js';

const base = { INOSEC_TRANSPORT: 'grpcs://collector.example.net:50051' };

describe('edge agent config', () => {
  it('applies defaults', () => {
    expect(loadAgentConfig(base)).toEqual({
      ...base,
      INOSEC_AGENT_STATE_DIR: '/var/lib/inosec-agent',
      INOSEC_SPOOL_MAX_BYTES: 1_073_741_824,
      INOSEC_SPOOL_FSYNC: '1000ms',
      INOSEC_TRANSPORT_COMPRESSION: 'gzip',
      LOG_LEVEL: 'info',
    });
  });

  it.each([
    ['512MiB', 536_870_912],
    ['2GiB', 2_147_483_648],
    ['1048576', 1_048_576],
    ['4096 KiB', 4_194_304],
  ])('reads the spool bound %s as %d bytes', (value, bytes) => {
    expect(loadAgentConfig({ ...base, INOSEC_SPOOL_MAX_BYTES: value }).INOSEC_SPOOL_MAX_BYTES).toBe(bytes);
  });

  it.each(['10', 'lots', '1TB', '-5MiB'])('rejects the spool bound %s with the expected form', (value) => {
    expect(() => loadAgentConfig({ ...base, INOSEC_SPOOL_MAX_BYTES: value })).toThrow(
      /INOSEC_SPOOL_MAX_BYTES: expected a size of at least 1MiB such as 512MiB or 2GiB/,
    );
  });

  it('rejects a plaintext collector URL: telemetry only travels over TLS or NATS', () => {
    expect(() => loadAgentConfig({ INOSEC_TRANSPORT: 'http://collector:50051' })).toThrow(
      /INOSEC_TRANSPORT: expected the collector endpoint: grpcs:\/\/host:50051/,
    );
  });

  it('rejects a malformed enrollment token without echoing a valid-looking secret', () => {
    const token = 'not a token: has spaces and is long enough';
    expect(() => loadAgentConfig({ ...base, INOSEC_ENROLL_TOKEN: token })).toThrow(
      `(20-200 URL-safe characters or dots); needed once; got "[hidden, ${token.length} characters]"`,
    );
    // The console's tokens name their tenant first: <tenant uuid>.<secret>.
    const issued = `0b6f3a52-3f43-4a8e-9d55-2f8f2c1d9e01.${'x'.repeat(43)}`;
    expect(loadAgentConfig({ ...base, INOSEC_ENROLL_TOKEN: issued }).INOSEC_ENROLL_TOKEN).toBe(issued);
    expect(() => loadAgentConfig({ ...base, INOSEC_ENROLL_TOKEN: token })).not.toThrow(/has spaces/);
  });
});

/** The ConfigError a call throws (fails the test when it does not throw one). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadAgentConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('edge agent config errors', () => {
  it.each([
    ['INOSEC_TRANSPORT', 'grpcs:collector:50051', 'the collector endpoint: grpcs://host:50051'],
    ['INOSEC_TRANSPORT', 'grpcs://', 'the collector endpoint: grpcs://host:50051'],
    ['INOSEC_TRANSPORT', 'not a url', 'the collector endpoint: grpcs://host:50051'],
    ['INOSEC_AGENT_ID', '-leading-dash', 'the agent id (1-128 of A-Z a-z 0-9 . _ -)'],
    ['INOSEC_AGENT_ID', 'a'.repeat(129), 'the agent id (1-128 of A-Z a-z 0-9 . _ -)'],
    ['INOSEC_SPOOL_FSYNC', 'sometimes', 'always (each append waits for the disk), never, or an interval'],
    ['INOSEC_SPOOL_FSYNC', '1000000ms', 'always (each append waits for the disk), never, or an interval'],
    ['INOSEC_SPOOL_MAX_BYTES', '99999999999999999GiB', 'a size of at least 1MiB'],
    ['INOSEC_TRANSPORT_COMPRESSION', 'zstd', 'gzip or none: compression of gRPC batches (default gzip)'],
    ['LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent (default info)'],
  ])('refuses %s=%s, naming the variable, its form and the value', (variable, value, expected) => {
    const error = configError({ ...base, [variable]: value });
    expect(error.code).toBe('config_invalid');
    expect(error.issues).toEqual([
      { variable, expected: expect.stringContaining(expected), received: value },
    ]);
    expect(error.message).toContain(`${variable}: expected ${expected}`);
    expect(error.message).toContain(`got ${JSON.stringify(value)}`);
  });

  it('says a required variable is unset, and reads an empty one as unset', () => {
    for (const env of [{}, { INOSEC_TRANSPORT: '' }]) {
      expect(configError(env).issues).toEqual([
        {
          variable: 'INOSEC_TRANSPORT',
          expected: expect.stringMatching(/^the collector endpoint/),
          received: undefined,
        },
      ]);
      expect(configError(env).message).toContain('got nothing (unset)');
    }
  });

  it('lists every bad variable at once, in the order of the schema', () => {
    const error = configError({ INOSEC_TRANSPORT: 'ftp://x', LOG_LEVEL: 'loud', INOSEC_SPOOL_FSYNC: 'x' });
    expect(error.issues.map((issue) => issue.variable)).toEqual([
      'INOSEC_TRANSPORT',
      'INOSEC_SPOOL_FSYNC',
      'LOG_LEVEL',
    ]);
    expect(error.message.split('\n')[0]).toBe('Invalid edge-agent configuration:');
  });

  it('masks a password in a bad URL', () => {
    const error = configError({ INOSEC_TRANSPORT: 'https://agent:hunter2@collector:50051' });
    expect(error.issues[0]?.received).toBe('https://agent:***@collector:50051/');
    expect(error.message).not.toContain('hunter2');
  });

  it('accepts every transport scheme, trims the URL, and leaves unset optional variables out', () => {
    for (const scheme of ['grpc', 'grpcs', 'nats', 'tls']) {
      const config = loadAgentConfig({ INOSEC_TRANSPORT: ` ${scheme}://collector:1234 ` });
      expect(config.INOSEC_TRANSPORT).toBe(`${scheme}://collector:1234`);
      expect(Object.keys(config)).not.toContain('INOSEC_AGENT_ID');
    }
    const full = loadAgentConfig({
      ...base,
      INOSEC_AGENT_ID: 'gw-01.plant_a',
      INOSEC_ENROLL_TOKEN: 'A'.repeat(20),
      INOSEC_AGENT_TLS_CERT: '/etc/a.crt',
      INOSEC_SPOOL_FSYNC: 'never',
      INOSEC_TRANSPORT_COMPRESSION: 'none',
      LOG_LEVEL: 'debug',
    });
    expect(full).toMatchObject({
      INOSEC_AGENT_ID: 'gw-01.plant_a',
      INOSEC_SPOOL_FSYNC: 'never',
      LOG_LEVEL: 'debug',
    });
  });
});

describe('agentConfigSchema (read by tools/env-example.test.ts as it reads zod schemas)', () => {
  it('gives each default through safeParse(undefined), and refuses a bad value with why', () => {
    const { shape } = agentConfigSchema;
    expect(shape.INOSEC_SPOOL_MAX_BYTES.safeParse(undefined)).toEqual({ success: true, data: 1_073_741_824 });
    expect(shape.INOSEC_AGENT_ID.safeParse(undefined)).toEqual({ success: true, data: undefined });
    expect(shape.INOSEC_TRANSPORT.safeParse(undefined)).toEqual({
      success: false,
      error: 'required but unset',
    });
    expect(shape.INOSEC_SPOOL_MAX_BYTES.safeParse('10')).toEqual({
      success: false,
      error: '10 bytes is under the minimum of 1048576',
    });
    expect(shape.INOSEC_TRANSPORT.safeParse('http://x')).toEqual({
      success: false,
      error: 'scheme http is not one of grpc, grpcs, nats, tls',
    });
    expect(shape.LOG_LEVEL.safeParse(3)).toEqual({ success: false, error: 'not a string but number' });
  });
});
