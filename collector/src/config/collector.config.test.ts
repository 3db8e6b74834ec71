import { ConfigError } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { loadCollectorConfig } from './collector.config.js';

const base = { DATABASE_URL: 'postgres://ingest:secret@db.internal:5432/inosec' };

describe('collector config', () => {
  it('applies defaults to a minimal environment', () => {
    expect(loadCollectorConfig(base)).toEqual({
      ...base,
      INOSEC_GRPC_HOST: '127.0.0.1',
      INOSEC_GRPC_PORT: 50051,
      INOSEC_INGEST_MAX_BATCH_BYTES: 4_194_304,
      INOSEC_GRPC_INSECURE: false,
      INOSEC_GRPC_STREAM_WINDOW_BYTES: 1_048_576,
      INOSEC_COLLECTOR_HTTP_HOST: '127.0.0.1',
      INOSEC_COLLECTOR_HTTP_PORT: 9464,
      INOSEC_TELEMETRY_RETENTION_DAYS: 30,
      INOSEC_COLLECTOR_DB_POOL_MAX: 8,
      INOSEC_INGEST_MAX_INFLIGHT_BYTES: 268_435_456,
      INOSEC_COLLECTOR_ENCODE_THREADS: 1,
      LOG_LEVEL: 'info',
    });
  });

  it('requires DATABASE_URL and names it', () => {
    expect(() => loadCollectorConfig({})).toThrow(/DATABASE_URL: expected a PostgreSQL connection URL/);
  });

  it('rejects a NATS URL of another scheme, naming the variable and the accepted forms', () => {
    try {
      loadCollectorConfig({ ...base, NATS_URL: 'http://nats:4222' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        {
          variable: 'NATS_URL',
          expected: expect.stringContaining('nats://host:4222'),
          received: 'http://nats:4222',
        },
      ]);
    }
  });

  it('bounds the batch size', () => {
    expect(() => loadCollectorConfig({ ...base, INOSEC_INGEST_MAX_BATCH_BYTES: '10' })).toThrow(
      /INOSEC_INGEST_MAX_BATCH_BYTES: expected bytes between 1024 and 67108864/,
    );
    expect(
      loadCollectorConfig({ ...base, INOSEC_INGEST_MAX_BATCH_BYTES: '65536' }).INOSEC_INGEST_MAX_BATCH_BYTES,
    ).toBe(65_536);
  });
});
