/**
 * Kafka's wire protocol: primitives and varints, compact and nullable strings, bytes and arrays,
 * tagged fields, request and response headers, framing; messages encoded and decoded from Kafka's
 * own JSON definitions (generated/messages.ts, written by scripts/gen-kafka-messages.mjs), and
 * Kafka's numeric error codes. Record batches are carried as bytes (`records` fields are Buffers):
 * Samsa stores Kafka's v2 batch byte for byte (docs/record-batch.md), so nothing here decodes them.
 */
export { Reader, Writer, KafkaProtocolError } from './buffers.js';
export { decodeMessage, encodeMessage, defaultValue } from './codec.js';
export {
  API_VERSIONS_KEY,
  FrameSplitter,
  apiName,
  apiSpecs,
  decodeRequestBody,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  readRequestHeader,
  writeRequestHeader,
  type RequestHeader,
} from './frames.js';
export { inRange, type FieldSpec, type MessageSpec, type VersionRange } from './schema.js';
export { ERROR_CODES, KAFKA_APIS, MESSAGES } from './generated/messages.js';
export type * from './generated/messages.js';
