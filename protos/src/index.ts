// Public entry of @inosec/protos: the v1 contracts (generated message classes and gRPC service definitions),
// the decode helpers every boundary uses, and the shared error base and config parsing.
export * from './errors.js';
export * from './config.js';
export {
  ProtoDecodeError,
  ProtoTooLargeError,
  type ProtoDecodeErrorDetails,
  type ProtoDecodeReason,
} from './decode-error.js';
export {
  MAX_BATCH_BYTES,
  decodeMessage,
  encodeMessage,
  messageTypeName,
  tryDecodeMessage,
  type DecodeOptions,
  type DecodeResult,
  type ProtoMessageType,
} from './decode.js';
export {
  decodeAlert,
  decodeEvent,
  decodeEventBatch,
  decodePolicy,
  decodePushAck,
  decodeSignedPolicy,
} from './decoders.js';
export {
  migrate,
  loadMigrations,
  appliedVersion,
  MigrationError,
  type Migration,
  type MigrationResult,
  type MigrationStream,
} from './sql/migrator.js';
export { encodeEventBatchBytes, eventFieldBytes, type EventBatchHeader } from './batch-bytes.js';
export { ingestPushRawDefinition, type IngestPushRawHandlers } from './ingest-raw.js';
export { protoMethod, type ProtoMethodDefinition, type ProtoMethodSpec } from './grpc-method.js';
export * from './gen/messages.js';
export * from './gen/grpc-services.js';
/** The generated namespace itself, for the nested types: `inosec.v1.NetworkEvent.Kind`, `$Shape` types. */
export { inosec } from '../gen/inosec-v1.js';
