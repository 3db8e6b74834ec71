import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './agent.config.js';

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
      `(20-200 URL-safe characters); needed once; got "[hidden, ${token.length} characters]"`,
    );
    expect(() => loadAgentConfig({ ...base, INOSEC_ENROLL_TOKEN: token })).not.toThrow(/has spaces/);
  });
});
