import { describe, expect, it } from 'vitest';
import {
  EventBatch,
  ProtoDecodeError,
  PushAck,
  PushAckStatus,
  agentControlDefinition,
  ingestServiceDefinition,
  protoMethod,
} from './index.js';

describe('generated service definitions', () => {
  it('describe IngestService.Push as a bidirectional stream', () => {
    const { push } = ingestServiceDefinition;
    expect([push.path, push.originalName, push.requestStream, push.responseStream]).toEqual([
      '/inosec.v1.IngestService/Push',
      'Push',
      true,
      true,
    ]);
  });

  it('describe AgentControl as three unary calls', () => {
    const methods = Object.entries(agentControlDefinition).map(([key, method]) => [
      key,
      method.path,
      method.requestStream,
      method.responseStream,
    ]);
    expect(methods).toEqual([
      ['enroll', '/inosec.v1.AgentControl/Enroll', false, false],
      ['getPolicy', '/inosec.v1.AgentControl/GetPolicy', false, false],
      ['heartbeat', '/inosec.v1.AgentControl/Heartbeat', false, false],
    ]);
  });
});

describe('protoMethod', () => {
  const push = ingestServiceDefinition.push;

  it('serializes to Buffers that decode back', () => {
    const bytes = push.requestSerialize({ agentId: 'a', firstSeq: 7, events: [{ agentId: 'a', seq: 7 }] });
    expect(Buffer.isBuffer(bytes)).toBe(true);
    const request = push.requestDeserialize(bytes);
    expect(request.ok && request.value.events[0]?.seq).toBe(7);
    const ack = push.responseDeserialize(
      push.responseSerialize({ status: PushAckStatus.STATUS_STORED, ackedSeq: 7 }),
    );
    expect([ack.status, ack.ackedSeq]).toEqual([PushAckStatus.STATUS_STORED, 7]);
  });

  it('hands a malformed request to the server as a failed DecodeResult', () => {
    const request = push.requestDeserialize(Buffer.from([0x0f]));
    expect(request.ok).toBe(false);
    if (!request.ok) expect(request.error.reason).toBe('invalid_wire_type');
  });

  it('throws ProtoDecodeError for a malformed response on the client side', () => {
    expect(() => push.responseDeserialize(Buffer.from([0x0a, 0x09]))).toThrow(ProtoDecodeError);
  });

  it('applies maxBytes in both directions', () => {
    const small = protoMethod({
      path: '/t/Push',
      originalName: 'Push',
      requestStream: true,
      responseStream: true,
      requestType: EventBatch,
      responseType: PushAck,
      maxBytes: 8,
    });
    const request = small.requestDeserialize(small.requestSerialize({ agentId: 'a'.repeat(20) }));
    expect(!request.ok && request.error.code).toBe('proto_too_large');
    expect(() => small.responseDeserialize(Buffer.alloc(9))).toThrow(/exceeds the size limit/);
  });
});
