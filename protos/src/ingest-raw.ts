import type { handleBidiStreamingCall } from '@grpc/grpc-js';
import { decodeMessage, encodeMessage } from './decode.js';
import { PushAck, type IPushAck } from './gen/messages.js';

/**
 * `inosec.v1.IngestService/Push` with EventBatch messages left as bytes on both ends. The agent builds a
 * batch's bytes straight from its spool records (each already an encoded Event) without decoding them, and
 * the collector decodes with its own configured size limit, counting bytes and answering a malformed or
 * oversize batch on the stream. Wire-compatible with `ingestServiceDefinition`.
 */
export const ingestPushRawDefinition = {
  push: {
    path: '/inosec.v1.IngestService/Push',
    originalName: 'Push',
    requestStream: true,
    responseStream: true,
    requestSerialize: (bytes: Uint8Array): Buffer =>
      Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    requestDeserialize: (bytes: Buffer): Buffer => bytes,
    responseSerialize: (ack: IPushAck): Buffer => Buffer.from(encodeMessage(PushAck, ack)),
    responseDeserialize: (bytes: Buffer): PushAck => decodeMessage(PushAck, bytes),
  },
} as const;

export type IngestPushRawHandlers = {
  push: handleBidiStreamingCall<Buffer, IPushAck>;
};
