// A minimal agent side of the Push protocol for tests: one bidirectional stream, batches in, acks out.
import * as grpc from '@grpc/grpc-js';
import { ingestPushRawDefinition, type PushAck } from '@inosec/protos';
import type { Pem } from './certs.js';

export interface TestStream {
  send(bytes: Uint8Array): void;
  /** The next ack, or the stream's end status as an error. */
  nextAck(): Promise<PushAck>;
  /** Resolves with the status the stream ended with. */
  ended: Promise<grpc.StatusObject>;
  close(): void;
}

export function ingestClient(port: number, ca: Buffer, agent?: Pem): grpc.Client {
  const credentials = agent
    ? grpc.credentials.createSsl(ca, agent.key, agent.cert)
    : grpc.credentials.createSsl(ca);
  return new grpc.Client(`127.0.0.1:${port}`, credentials);
}

export function openStream(client: grpc.Client, metadata = new grpc.Metadata()): TestStream {
  const { push } = ingestPushRawDefinition;
  const call = client.makeBidiStreamRequest(
    push.path,
    push.requestSerialize,
    push.responseDeserialize,
    metadata,
  );
  const acks: PushAck[] = [];
  const waiters: Array<{ resolve: (ack: PushAck) => void; reject: (error: Error) => void }> = [];
  let failure: Error | undefined;
  const ended = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  call.on('data', (ack: PushAck) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(ack);
    else acks.push(ack);
  });
  call.on('error', (error: Error) => {
    failure = error;
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  });
  return {
    send: (bytes) => void call.write(bytes),
    nextAck: () => {
      const ack = acks.shift();
      if (ack) return Promise.resolve(ack);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    ended,
    close: () => call.end(),
  };
}
