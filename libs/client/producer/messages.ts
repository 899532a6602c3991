/**
 * What a producer sends, and how a send() is cut into batches: messages are grouped by partition
 * (explicit, murmur2 of the key exactly as Kafka's default partitioner, or sticky round-robin for
 * keyless messages) and each partition's messages are cut into batches no larger than
 * `maxBatchBytes`, keeping their order.
 */
import { SamsaError } from '../../errors/index.js';
import { partitionForKey } from '../../partitioner/index.js';

export type Bytes = Buffer | string;

export interface ProducerMessage {
  /** Records with equal keys land on the same partition. */
  key?: Bytes | null;
  /** null: a tombstone (deletes the key under cleanup.policy=compact). */
  value: Bytes | null;
  headers?: Readonly<Record<string, Bytes>>;
  /** Overrides the partitioner. */
  partition?: number;
  /** Create time in ms since epoch; default now. */
  timestampMs?: number;
}

/** A message with everything as bytes, ready for the batch codec. */
export interface EncodedMessage {
  key: Buffer | null;
  /** null: a tombstone. */
  value: Buffer | null;
  headers: { key: string; value: Buffer }[];
  timestampMs: number | undefined;
  /** Rough wire size, for cutting batches. */
  sizeEstimate: number;
}

/**
 * A custom partitioner: picks the partition of every message that does not name one (keyed or
 * not), instead of murmur2 / sticky round-robin. Must return an integer in [0, partitionCount).
 */
export type Partitioner = (message: { topic: string; key: Buffer | null; value: Buffer | null; partitionCount: number }) => number;

export interface PartitionChunk {
  partition: number;
  messages: EncodedMessage[];
}

const RECORD_OVERHEAD = 24;

function bytes(b: Bytes): Buffer {
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
}

/** Shared by every message without headers; the batch codec only reads it. */
const NO_HEADERS: { key: string; value: Buffer }[] = [];

export function encodeMessage(m: ProducerMessage): EncodedMessage {
  const key = m.key === undefined || m.key === null ? null : bytes(m.key);
  const value = m.value === null ? null : bytes(m.value);
  let size = RECORD_OVERHEAD + (value === null ? 0 : value.length) + (key === null ? 0 : key.length);
  // Most records have no headers: skip Object.entries and its arrays (per-record garbage).
  let headers = NO_HEADERS;
  if (m.headers) {
    headers = [];
    for (const k of Object.keys(m.headers)) {
      const v = bytes(m.headers[k] as Bytes);
      headers.push({ key: k, value: v });
      size += k.length + v.length + 8;
    }
  }
  return { key, value, headers, timestampMs: m.timestampMs, sizeEstimate: size };
}

/**
 * Assigns each message a partition and cuts each partition's run into chunks of at most
 * `maxBatchBytes` (a single larger message gets a chunk of its own). Order within a partition is
 * the order of `messages`. `keylessPartition` is where keyless messages without an explicit
 * partition go (the sticky partition of this send).
 */
export function partitionMessages(
  messages: readonly ProducerMessage[],
  partitionCount: number,
  keylessPartition: number,
  maxBatchBytes: number,
  custom?: { topic: string; partitioner: Partitioner },
): PartitionChunk[] {
  const byPartition = new Map<number, EncodedMessage[][]>();
  const sizes = new Map<number, number>();
  for (const m of messages) {
    const encoded = encodeMessage(m);
    let partition: number;
    if (m.partition !== undefined) {
      if (!Number.isInteger(m.partition) || m.partition < 0 || m.partition >= partitionCount) {
        throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${m.partition} does not exist (the topic has ${partitionCount})`);
      }
      partition = m.partition;
    } else if (custom) {
      partition = custom.partitioner({ topic: custom.topic, key: encoded.key, value: encoded.value, partitionCount });
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
        throw new SamsaError(
          'INVALID_REQUEST',
          `the custom partitioner returned ${String(partition)} for topic ${custom.topic}; it must return an integer in [0, ${partitionCount})`,
        );
      }
    } else if (encoded.key) {
      partition = partitionForKey(encoded.key, partitionCount);
    } else {
      partition = keylessPartition;
    }
    let runs = byPartition.get(partition);
    if (!runs) {
      runs = [[]];
      byPartition.set(partition, runs);
      sizes.set(partition, 0);
    }
    let current = runs[runs.length - 1] as EncodedMessage[];
    const size = sizes.get(partition) ?? 0;
    if (current.length > 0 && size + encoded.sizeEstimate > maxBatchBytes) {
      current = [];
      runs.push(current);
      sizes.set(partition, 0);
    }
    current.push(encoded);
    sizes.set(partition, (sizes.get(partition) ?? 0) + encoded.sizeEstimate);
  }
  const chunks: PartitionChunk[] = [];
  for (const [partition, runs] of [...byPartition.entries()].sort((a, b) => a[0] - b[0])) {
    for (const run of runs) chunks.push({ partition, messages: run });
  }
  return chunks;
}
