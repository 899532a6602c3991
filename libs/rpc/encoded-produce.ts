/**
 * A ProduceRequest of one pre-encoded batch, encoded by hand around the batch where it lies
 * (issue 17, the producer's CPU per byte).
 *
 * Through proto-loader a request of one ~1 MiB batch costs the client three large buffers: the
 * batch, protobufjs' encoding of the request (a fresh buffer and a copy of the batch), and grpc-js'
 * frame (another fresh buffer and copy). The producer builds its batch with free room in front
 * (buildBatch's `headroom`); encodeProduceRequest writes the request's fields into the end of that
 * room and hands back the request as one view, and produceEncoded sends that view through grpc-js
 * with a serializer that returns it as it is. What is left is grpc-js' frame.
 *
 * The bytes are exactly protobufjs' for the same request object { topic, acks, timeoutMs,
 * batches: [{ partition, batch }] } (test/unit/rpc/encoded-produce.test.ts checks it by property):
 * fields in number order, every field set written (also zero values: proto-loader's serializer
 * builds the message with fromObject, which sets all of them), varints as protobufjs writes them.
 * Only the shape the producer sends is covered: an ASCII topic (every legal topic name is) and a
 * partition and timeout in [0, 2^31); produceRequestFields says whether a request has it.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../errors/index.js';
import { loadSamsaProto } from './proto.js';
import type { BrokerServiceClient } from './generated/samsa/v1/BrokerService.js';
import type { Acks } from './generated/samsa/v1/Acks.js';
import type { ProduceResponse__Output } from './generated/samsa/v1/ProduceResponse.js';

/** The fields of a ProduceRequest carrying one pre-encoded batch. */
export interface ProduceRequestFields {
  topic: string;
  acks: Acks;
  timeoutMs: number;
  partition: number;
}

/** The numbers of enum samsa.v1.Acks (common.proto), as protobufjs writes them. */
const ACKS_NUMBER: Readonly<Record<string, number>> = { ACKS_UNSPECIFIED: 0, ACKS_NONE: 1, ACKS_LEADER: 2, ACKS_ALL: 3 };

/** The number protobufjs writes for `acks` (a name or a number), or undefined when not one of the enum's. */
function acksNumber(acks: Acks): number | undefined {
  if (typeof acks === 'number') return Number.isInteger(acks) && acks >= 0 && acks <= 3 ? acks : undefined;
  return ACKS_NUMBER[acks];
}

const INT32_MAX = 0x7fffffff;
/** A varint of a uint32 takes at most this many bytes. */
const MAX_VARINT32 = 5;

// Field keys: (field number << 3) | wire type (0 varint, 2 length-delimited).
const TOPIC_KEY = (1 << 3) | 2;
const ACKS_KEY = (2 << 3) | 0;
const TIMEOUT_KEY = (3 << 3) | 0;
const BATCHES_KEY = (6 << 3) | 2;
const PARTITION_KEY = (1 << 3) | 0;
const BATCH_KEY = (2 << 3) | 2;

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function writeVarint(buf: Buffer, pos: number, value: number): number {
  while (value > 0x7f) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}

/**
 * The most bytes encodeProduceRequest writes in front of a batch for `topic`: the headroom a
 * producer asks buildBatch for.
 */
export function produceRequestHeadroom(topic: string): number {
  // topic key+length+bytes, acks, timeout, batches key+length, partition, batch key+length.
  return 1 + MAX_VARINT32 + topic.length + 3 * (1 + MAX_VARINT32) + 2 * (1 + MAX_VARINT32);
}

/** Whether encodeProduceRequest covers `fields` (see the file comment); otherwise send the request object. */
export function coversProduceRequest(fields: ProduceRequestFields): boolean {
  const { topic, acks, timeoutMs, partition } = fields;
  return (
    Buffer.byteLength(topic) === topic.length && // ASCII only: one byte per character
    acksNumber(acks) !== undefined &&
    Number.isInteger(timeoutMs) &&
    timeoutMs >= 0 &&
    timeoutMs <= INT32_MAX &&
    Number.isInteger(partition) &&
    partition >= 0 &&
    partition <= INT32_MAX
  );
}

/**
 * The encoded ProduceRequest { ...fields, batches: [{ partition, batch }] }. When the `headroom`
 * bytes in front of `batch` (in the buffer `batch` views) are the caller's to overwrite and hold the
 * prefix, the result is a view of that buffer from the prefix to the batch's end, and the batch is
 * not copied; otherwise (less room, e.g. a compressed batch built elsewhere) a fresh buffer.
 * Throws INTERNAL_ERROR for fields coversProduceRequest refuses.
 */
export function encodeProduceRequest(fields: ProduceRequestFields, batch: Buffer, headroom: number): Buffer {
  if (!coversProduceRequest(fields)) throw new SamsaError('INTERNAL_ERROR', 'encodeProduceRequest: a request it does not cover');
  const { topic, timeoutMs, partition } = fields;
  const acks = acksNumber(fields.acks) as number;
  const partitionBatchSize = 1 + varintSize(partition) + 1 + varintSize(batch.length) + batch.length;
  const prefix =
    1 +
    varintSize(topic.length) +
    topic.length +
    1 +
    varintSize(acks) +
    1 +
    varintSize(timeoutMs) +
    1 +
    varintSize(partitionBatchSize) +
    (partitionBatchSize - batch.length);
  let out: Buffer;
  if (headroom >= prefix && batch.byteOffset >= prefix) {
    out = Buffer.from(batch.buffer, batch.byteOffset - prefix, prefix + batch.length);
  } else {
    out = Buffer.allocUnsafe(prefix + batch.length);
    batch.copy(out, prefix);
  }
  let pos = 0;
  out[pos++] = TOPIC_KEY;
  pos = writeVarint(out, pos, topic.length);
  pos += out.write(topic, pos, 'latin1');
  out[pos++] = ACKS_KEY;
  pos = writeVarint(out, pos, acks);
  out[pos++] = TIMEOUT_KEY;
  pos = writeVarint(out, pos, timeoutMs);
  out[pos++] = BATCHES_KEY;
  pos = writeVarint(out, pos, partitionBatchSize);
  out[pos++] = PARTITION_KEY;
  pos = writeVarint(out, pos, partition);
  out[pos++] = BATCH_KEY;
  pos = writeVarint(out, pos, batch.length);
  if (pos !== prefix) throw new SamsaError('INTERNAL_ERROR', `encodeProduceRequest wrote ${pos} bytes of prefix, measured ${prefix}`);
  return out;
}

const PRODUCE_PATH = '/samsa.v1.BrokerService/Produce';
const asIs = (encoded: Buffer): Buffer => encoded;

/**
 * BrokerService.Produce with an already encoded request (encodeProduceRequest): the same call as
 * `client.produce(request, options, callback)`, with the client's interceptors, minus the encoding.
 */
export function produceEncoded(
  client: BrokerServiceClient,
  encoded: Buffer,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, res?: ProduceResponse__Output) => void,
): grpc.ClientUnaryCall {
  const method = loadSamsaProto().proto.samsa.v1.BrokerService.service.Produce;
  return client.makeUnaryRequest(
    PRODUCE_PATH,
    asIs,
    method.responseDeserialize as (bytes: Buffer) => ProduceResponse__Output,
    encoded,
    options,
    callback,
  );
}
