// The collector-wide bound on batch bytes in processing: transports wait on capacity() before reading more.
import { inosec } from '@inosec/protos';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createCollectorMetrics } from '../metrics/collector-metrics.js';
import type { TelemetryWriter } from '../storage/telemetry-writer.js';
import type { EncodeResult } from './batch-encoder.js';
import type { BatchEncoder } from './encoder-pool.js';
import { IngestService } from './ingest-service.js';

const MALFORMED = inosec.v1.PushRejection.Reason.REASON_MALFORMED;

/** An encoder whose batches stay in processing until the test lets them go (refused as malformed then). */
function heldEncoder() {
  const held: Array<() => void> = [];
  const encoder: BatchEncoder = {
    threads: 0,
    encode: () =>
      new Promise<EncodeResult>((resolve) =>
        held.push(() =>
          resolve({
            ok: false,
            batchId: '',
            rejection: { reason: MALFORMED, code: 'malformed', message: 'held' },
          }),
        ),
      ),
    ready: () => Promise.resolve(),
    setTenantRules: () => undefined,
    setCorrelationReads: () => undefined,
    close: () => Promise.resolve(),
  };
  return { encoder, release: () => held.shift()?.() };
}

describe('IngestService in-flight bound', () => {
  it('holds transports back while the bytes in processing are at the bound, and lets them go after', async () => {
    const { encoder, release } = heldEncoder();
    const service = new IngestService({
      encoder,
      writer: {} as TelemetryWriter,
      metrics: createCollectorMetrics(undefined, false),
      logger: pino({ level: 'silent' }),
      maxInFlightBytes: 1_000,
    });
    const identity = { agentId: 'a', tenantId: '00000000-0000-4000-8000-000000000000' };
    await service.capacity(); // nothing in flight
    const first = service.ingest(identity, new Uint8Array(600), 'grpc');
    await service.capacity(); // 600 < 1000
    const second = service.ingest(identity, new Uint8Array(600), 'grpc');
    expect(service.bytesInFlight).toBe(1_200);
    let admitted = false;
    const waiting = service.capacity().then(() => (admitted = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(admitted).toBe(false);
    release();
    await first;
    await waiting;
    expect(admitted).toBe(true);
    expect(service.bytesInFlight).toBe(600);
    release();
    await expect(second).resolves.toMatchObject({ status: 'rejected', rejection: { code: 'malformed' } });
    expect(service.bytesInFlight).toBe(0);
  });
});
