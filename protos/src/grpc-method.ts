import type { deserialize as Deserialize, serialize as Serialize } from '@grpc/grpc-js';
import {
  decodeMessage,
  encodeMessage,
  tryDecodeMessage,
  type DecodeResult,
  type ProtoMessageType,
} from './decode.js';

/**
 * A @grpc/grpc-js method definition (structurally a `MethodDefinition`) typed on both ends: clients serialize
 * plain properties and get decoded response classes; servers get each request as a DecodeResult, so a
 * malformed message reaches the handler (which can answer it precisely) instead of grpc-js ending the call
 * with INTERNAL, and serialize plain response properties.
 */
export interface ProtoMethodDefinition<RequestProperties, Request, ResponseProperties, Response> {
  readonly path: string;
  readonly originalName: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: Serialize<RequestProperties>;
  readonly requestDeserialize: Deserialize<DecodeResult<Request>>;
  readonly responseSerialize: Serialize<ResponseProperties>;
  readonly responseDeserialize: Deserialize<Response>;
}

export interface ProtoMethodSpec<RequestProperties, Request, ResponseProperties, Response> {
  path: string;
  originalName: string;
  requestStream: boolean;
  responseStream: boolean;
  requestType: ProtoMessageType<RequestProperties, Request>;
  responseType: ProtoMessageType<ResponseProperties, Response>;
  /** Largest message accepted in either direction; default MAX_BATCH_BYTES (gRPC's own default limit). */
  maxBytes?: number;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Builds the grpc-js definition of one method from the generated message classes. */
export function protoMethod<RequestProperties, Request, ResponseProperties, Response>(
  spec: ProtoMethodSpec<RequestProperties, Request, ResponseProperties, Response>,
): ProtoMethodDefinition<RequestProperties, Request, ResponseProperties, Response> {
  const { requestType, responseType } = spec;
  const limits = spec.maxBytes === undefined ? {} : { maxBytes: spec.maxBytes };
  return {
    path: spec.path,
    originalName: spec.originalName,
    requestStream: spec.requestStream,
    responseStream: spec.responseStream,
    requestSerialize: (message) => toBuffer(encodeMessage(requestType, message)),
    requestDeserialize: (bytes) => tryDecodeMessage(requestType, bytes, limits),
    responseSerialize: (message) => toBuffer(encodeMessage(responseType, message)),
    responseDeserialize: (bytes) => decodeMessage(responseType, bytes, limits),
  };
}
