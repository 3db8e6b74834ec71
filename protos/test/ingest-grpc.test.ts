// A real gRPC loopback: a grpc-js server with the generated IngestService definition, a client on one
// bidirectional Push stream, acks per batch, and rejections that do not end the stream.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PushAckStatus,
  PushRejectionReason,
  ingestServiceDefinition,
  type DecodeResult,
  type EventBatch,
  type IEventBatch,
  type IngestServiceHandlers,
  type IPushAck,
  type PushAck,
} from '../src/index.js';
import { AGENT_ID, mixedEventBatch } from './fixtures.js';

/**
 * The collector's side of the protocol, reduced to validation: one ack per batch, in order; acked_seq is the
 * highest seq settled; a bad batch is answered with a rejection and the stream goes on.
 */
function pushHandler(): IngestServiceHandlers['push'] {
  return (call) => {
    let ackedSeq = 0;
    const ack = (message: IPushAck) => call.write({ agentId: AGENT_ID, ...message });
    call.on('data', (request: DecodeResult<EventBatch>) => {
      if (!request.ok) {
        ack({
          status: PushAckStatus.STATUS_REJECTED,
          ackedSeq,
          rejection: { reason: PushRejectionReason.REASON_MALFORMED, message: request.error.message },
        });
        return;
      }
      const batch = request.value;
      const lastSeq = batch.firstSeq + batch.events.length - 1;
      const bad = batch.events.findIndex((event, i) => event.seq !== batch.firstSeq + i || !event.payload);
      if (bad >= 0) {
        ackedSeq = Math.max(ackedSeq, lastSeq);
        ack({
          batchId: batch.batchId,
          status: PushAckStatus.STATUS_REJECTED,
          ackedSeq,
          rejection: {
            reason: PushRejectionReason.REASON_INVALID_EVENT,
            message: `events[${bad}] has no payload or an unexpected seq`,
            eventIndex: bad,
          },
        });
        return;
      }
      ackedSeq = Math.max(ackedSeq, lastSeq);
      ack({ batchId: batch.batchId, status: PushAckStatus.STATUS_STORED, ackedSeq });
    });
    call.on('end', () => call.end());
  };
}

let server: grpc.Server;
let client: grpc.Client;

beforeAll(async () => {
  server = new grpc.Server();
  const handlers: IngestServiceHandlers = { push: pushHandler() };
  server.addService(ingestServiceDefinition, handlers);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.tryShutdown(() => resolve());
  });
});

/** Opens one Push stream with `serialize`, writes every message, half-closes, and collects the acks. */
async function pushAll<Message>(
  serialize: (message: Message) => Buffer,
  messages: readonly Message[],
): Promise<{ acks: PushAck[]; status: grpc.StatusObject }> {
  const { path, responseDeserialize } = ingestServiceDefinition.push;
  const call = client.makeBidiStreamRequest(path, serialize, responseDeserialize);
  const acks: PushAck[] = [];
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  const ended = new Promise<void>((resolve, reject) => {
    call.on('data', (ack: PushAck) => acks.push(ack));
    call.on('end', resolve);
    call.on('error', reject);
  });
  for (const message of messages) call.write(message);
  call.end();
  await ended;
  return { acks, status: await status };
}

describe('IngestService.Push over a real gRPC stream', () => {
  it('acknowledges each of three batches with the highest stored seq', async () => {
    const batches = [mixedEventBatch(3, 1), mixedEventBatch(3, 4), mixedEventBatch(4, 7)];
    const { acks, status } = await pushAll(ingestServiceDefinition.push.requestSerialize, batches);

    expect(status.code).toBe(grpc.status.OK);
    expect(acks.map((ack) => [ack.status, ack.ackedSeq, ack.batchId])).toEqual([
      [PushAckStatus.STATUS_STORED, 3, `${AGENT_ID}:1`],
      [PushAckStatus.STATUS_STORED, 6, `${AGENT_ID}:4`],
      [PushAckStatus.STATUS_STORED, 10, `${AGENT_ID}:7`],
    ]);
    expect(acks.every((ack) => ack.agentId === AGENT_ID && !ack.rejection)).toBe(true);
  });

  it('answers an invalid batch with a rejection and keeps the stream going', async () => {
    const invalid: IEventBatch = mixedEventBatch(3, 14);
    const events = invalid.events ?? [];
    events[1] = { agentId: AGENT_ID, seq: 15 }; // no payload
    const batches = [mixedEventBatch(3, 11), invalid, mixedEventBatch(2, 17)];
    const { acks, status } = await pushAll(ingestServiceDefinition.push.requestSerialize, batches);

    expect(status.code).toBe(grpc.status.OK);
    expect(acks.map((ack) => [ack.status, ack.ackedSeq])).toEqual([
      [PushAckStatus.STATUS_STORED, 13],
      [PushAckStatus.STATUS_REJECTED, 16],
      [PushAckStatus.STATUS_STORED, 18],
    ]);
    expect(acks[1]?.rejection?.reason).toBe(PushRejectionReason.REASON_INVALID_EVENT);
    expect(acks[1]?.rejection?.eventIndex).toBe(1);
  });

  it('answers undecodable bytes with a precise rejection instead of ending the call', async () => {
    const valid = (batch: IEventBatch) => ingestServiceDefinition.push.requestSerialize(batch);
    const garbage = Buffer.from([0x0a, 0x05, 0x61, 0x62]);
    const frames = [valid(mixedEventBatch(2, 21)), garbage, valid(mixedEventBatch(2, 23))];
    const { acks, status } = await pushAll((frame: Buffer) => frame, frames);

    expect(status.code).toBe(grpc.status.OK);
    expect(acks.map((ack) => [ack.status, ack.ackedSeq, ack.batchId])).toEqual([
      [PushAckStatus.STATUS_STORED, 22, `${AGENT_ID}:21`],
      [PushAckStatus.STATUS_REJECTED, 22, ''],
      [PushAckStatus.STATUS_STORED, 24, `${AGENT_ID}:23`],
    ]);
    expect(acks[1]?.rejection?.reason).toBe(PushRejectionReason.REASON_MALFORMED);
    expect(acks[1]?.rejection?.message).toContain(
      'Cannot decode inosec.v1.EventBatch from 4 bytes: truncated',
    );
  });
});
