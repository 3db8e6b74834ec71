// The gRPC transport against a real grpc-js server speaking the collector's Push protocol: batches go out
// in order, the spool is acknowledged as they are stored, and a batch refused for good is read back from
// the spool, quarantined with its reason, and does not stop the ones after it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { decodeEventBatch, Event, inosec, ingestPushRawDefinition, PushAck } from '@inosec/protos';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { QUARANTINE_DIR, readQuarantine, Spool } from '../spool/index.js';
import { GrpcTransport } from './grpc-transport.js';

const Status = inosec.v1.PushAck.Status;
const AGENT = 'transport-agent';

interface Received {
  firstSeq: number;
  count: number;
}

/** A Push server that stores every batch except the one starting at `refuseFrom`, which it refuses. */
async function collectorStub(refuseFrom: number) {
  const received: Received[] = [];
  const server = new grpc.Server();
  server.addService(ingestPushRawDefinition, {
    push: (call: grpc.ServerDuplexStream<Buffer, unknown>) => {
      let acked = 0;
      call.on('data', (bytes: Buffer) => {
        const batch = decodeEventBatch(bytes);
        const seqs = batch.events.map((event) => Number(event.seq));
        const first = seqs[0] as number;
        received.push({ firstSeq: first, count: seqs.length });
        const refused = first === refuseFrom;
        if (!refused) acked = Math.max(acked, seqs.at(-1) as number);
        call.write(
          PushAck.create({
            agentId: AGENT,
            batchId: batch.batchId,
            status: refused ? Status.STATUS_REJECTED : Status.STATUS_STORED,
            ackedSeq: acked,
            ...(refused
              ? {
                  rejection: {
                    reason: inosec.v1.PushRejection.Reason.REASON_INVALID_EVENT,
                    message: 'schema',
                  },
                }
              : {}),
          }),
        );
      });
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, received, stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

describe('GrpcTransport', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('sends in order, acknowledges the spool, and quarantines a refused batch read back from the spool', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-transport-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const spool = await Spool.open({
      dir,
      maxBytes: 16 * 1_048_576,
      segmentBytes: 64 * 1024,
      fsync: 'never',
    });
    cleanups.push(() => spool.close());
    await spool.append(
      Array.from({ length: 25 }, (_, i) => i),
      (i, seq) =>
        Buffer.from(
          Event.encode({
            agentId: AGENT,
            seq,
            timeUnixUs: 1_700_000_000_000_000 + i,
            sensor: 's',
            log: { message: `line ${seq}` },
          }).finish(),
        ),
    );
    const stub = await collectorStub(11);
    cleanups.push(() => stub.stop());
    const transport = new GrpcTransport({
      agentId: AGENT,
      spool,
      host: { hostname: 'h' },
      target: `127.0.0.1:${stub.port}`,
      logger: pino({ level: 'silent' }),
      limits: { maxEvents: 10, maxBytes: 1_048_576, window: 4 },
    });
    void transport.run();
    cleanups.push(() => transport.stop());
    const deadline = Date.now() + 10_000;
    // The spool's acknowledgement and the transport's status are updated one after the other: wait for both.
    while ((spool.stats().ackedSeq < 25 || transport.status().lastAckedSeq < 25) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));

    expect(spool.stats().ackedSeq).toBe(25);
    expect(stub.received).toEqual([
      { firstSeq: 1, count: 10 },
      { firstSeq: 11, count: 10 },
      { firstSeq: 21, count: 5 },
    ]);
    expect(transport.status()).toMatchObject({ batchesRejected: 1, eventsRejected: 10, lastAckedSeq: 25 });
    const quarantined = await readQuarantine(path.join(dir, QUARANTINE_DIR));
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.meta).toMatchObject({ firstSeq: 11, lastSeq: 20, records: 10 });
    expect(quarantined[0]?.meta.reason).toMatch(/REASON_INVALID_EVENT: schema/);
    expect(quarantined[0]?.records.map((r) => Event.decode(r.payload).log?.message)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line ${11 + i}`),
    );
  });
});
