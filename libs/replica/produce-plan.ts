/**
 * Validation and planning of a Produce request, before anything is written: which partition each
 * record goes to, the batches to append per partition, and the checks that make a request fail as
 * a whole (nothing half-written):
 *
 * - neither records nor batches, or records without any entry -> EMPTY_PRODUCE
 * - both forms in one request, or a bad field -> INVALID_REQUEST
 * - a partition outside [0, partitions) -> UNKNOWN_TOPIC_OR_PARTITION
 * - a pre-encoded batch with a bad length, magic, count or CRC-32C -> CORRUPT_MESSAGE
 * - a batch larger than the topic's max.message.bytes, or one structured record that alone makes
 *   a batch larger than it -> RECORD_TOO_LARGE (the message names the limit and the size)
 *
 * Partitioning of structured records (the broker-side partitioner, for plain generated clients):
 * the request's `partition` when given; else murmur2(key) % partitions for keyed records, exactly
 * as Kafka's default partitioner; else one partition per request for all keyless records, taken
 * round-robin across requests (sticky per request, so a request's keyless records form one batch
 * instead of one batch per partition).
 *
 * Pure: no I/O, the clock comes in as `nowMs`. Pre-encoded batches are validated, never decoded.
 * Every batch leaves the plan as a ValidatedBatch (libs/record): its header is parsed here, once,
 * and carried to the log with it.
 */
import { SamsaError } from '../errors/index.js';
import { buildBatch, builtBatch, validatedBatch, type RecordInput, type ValidatedBatch } from '../record/index.js';
import { partitionForKey } from '../partitioner/index.js';
import type { TopicRecord } from '../cluster/index.js';

/** One structured record as it arrives (proto Record). */
export interface ProduceRecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: { key: string; value: Buffer }[];
  /** 0 or absent: the broker's clock. */
  timestampMs?: number;
}

export interface ProduceBatchInput {
  partition: number;
  batch: Buffer;
}

export interface ProduceInput {
  records: readonly ProduceRecordInput[];
  /** With records: the partition for all of them. */
  partition?: number | undefined;
  batches: readonly ProduceBatchInput[];
}

/** Everything to append to one partition, in order. */
export interface PartitionWrite {
  partition: number;
  /** Validated batches, each within max.message.bytes, appended in this order. */
  batches: ValidatedBatch[];
  /** Records in each batch (same order as batches). */
  recordCounts: number[];
  /** Structured form: indexes into the request's records, in offset order; empty for pre-encoded batches. */
  recordIndexes: number[];
}

/** Chooses the partition for keyless records of one request. */
export interface KeylessPartitioner {
  next(numPartitions: number): number;
}

export interface PlanContext {
  topic: TopicRecord;
  nowMs: number;
  keyless: KeylessPartitioner;
}

/** Every per-record byte a batch spends beyond the record's own encoding grows by at most this (varint deltas). */
const RECORD_DELTA_SLACK = 10;
const BATCH_OVERHEAD = 61;

export function planProduce(input: ProduceInput, ctx: PlanContext): PartitionWrite[] {
  const hasRecords = input.records.length > 0;
  const hasBatches = input.batches.length > 0;
  if (!hasRecords && !hasBatches) {
    throw new SamsaError('EMPTY_PRODUCE', `produce to ${ctx.topic.name} carries no records and no batches`);
  }
  if (hasRecords && hasBatches) {
    throw new SamsaError('INVALID_REQUEST', 'give either records or batches in one produce request, not both');
  }
  return hasBatches ? planBatches(input.batches, ctx) : planRecords(input, ctx);
}

function checkPartition(topic: TopicRecord, partition: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitions) {
    throw new SamsaError(
      'UNKNOWN_TOPIC_OR_PARTITION',
      `topic ${topic.name} has partitions 0 to ${topic.partitions - 1}; there is no partition ${partition}`,
    );
  }
}

function tooLarge(topic: TopicRecord, what: string, size: number): SamsaError {
  return new SamsaError(
    'RECORD_TOO_LARGE',
    `${what} is ${size} bytes, larger than max.message.bytes=${topic.config.maxMessageBytes} of topic ${topic.name}`,
  );
}

function planBatches(batches: readonly ProduceBatchInput[], ctx: PlanContext): PartitionWrite[] {
  const byPartition = new Map<number, PartitionWrite>();
  batches.forEach((entry, i) => {
    checkPartition(ctx.topic, entry.partition);
    let batch: ValidatedBatch;
    try {
      batch = validatedBatch(entry.batch);
    } catch (err) {
      if (err instanceof SamsaError) throw new SamsaError(err.reason, `batches[${i}] (partition ${entry.partition}): ${err.message}`);
      throw err;
    }
    if (entry.batch.length > ctx.topic.config.maxMessageBytes) {
      throw tooLarge(ctx.topic, `batches[${i}] (partition ${entry.partition})`, entry.batch.length);
    }
    let write = byPartition.get(entry.partition);
    if (!write) {
      write = { partition: entry.partition, batches: [], recordCounts: [], recordIndexes: [] };
      byPartition.set(entry.partition, write);
    }
    write.batches.push(batch);
    write.recordCounts.push(batch.header.recordCount);
  });
  return [...byPartition.values()];
}

function planRecords(input: ProduceInput, ctx: PlanContext): PartitionWrite[] {
  const n = ctx.topic.partitions;
  if (input.partition !== undefined) checkPartition(ctx.topic, input.partition);
  let keylessPartition: number | undefined;
  const groups = new Map<number, number[]>();
  input.records.forEach((record, i) => {
    let p: number;
    if (input.partition !== undefined) p = input.partition;
    else if (record.key) p = partitionForKey(record.key, n);
    else p = keylessPartition ??= ctx.keyless.next(n);
    let group = groups.get(p);
    if (!group) groups.set(p, (group = []));
    group.push(i);
  });
  const writes: PartitionWrite[] = [];
  for (const [partition, indexes] of [...groups.entries()].sort((a, b) => a[0] - b[0])) {
    const chunks = splitToFit(input.records, indexes, ctx);
    writes.push({
      partition,
      batches: chunks.map((c) => builtBatch(c.batch)),
      recordCounts: chunks.map((c) => c.indexes.length),
      recordIndexes: indexes,
    });
  }
  return writes;
}

function toBuildInput(record: ProduceRecordInput): RecordInput {
  return {
    key: record.key ?? null,
    value: record.value,
    headers: record.headers ?? [],
    ...(record.timestampMs ? { timestampMs: record.timestampMs } : {}),
  };
}

/**
 * Builds one batch for `indexes`, or, when that exceeds max.message.bytes, several consecutive
 * batches that each fit (order is kept). A single record that alone exceeds the limit fails the
 * whole request with RECORD_TOO_LARGE.
 */
function splitToFit(records: readonly ProduceRecordInput[], indexes: number[], ctx: PlanContext): { batch: Buffer; indexes: number[] }[] {
  const limit = ctx.topic.config.maxMessageBytes;
  const build = (ix: number[]): Buffer =>
    buildBatch(
      ix.map((i) => toBuildInput(records[i] as ProduceRecordInput)),
      { nowMs: ctx.nowMs },
    );
  const whole = build(indexes);
  if (whole.length <= limit) return [{ batch: whole, indexes }];
  // Measure each record alone; its share of a shared batch is at most its solo size minus the
  // header plus a few varint bytes.
  const costs = indexes.map((i) => {
    const solo = build([i]).length;
    if (solo > limit) throw tooLarge(ctx.topic, `record ${i} (as a batch of one)`, solo);
    return solo - BATCH_OVERHEAD + RECORD_DELTA_SLACK;
  });
  const out: { batch: Buffer; indexes: number[] }[] = [];
  let current: number[] = [];
  let size = BATCH_OVERHEAD;
  const flush = (): void => {
    if (current.length === 0) return;
    out.push(...buildWithin(current));
    current = [];
    size = BATCH_OVERHEAD;
  };
  // Safety net for the estimate: halve a chunk until it fits (a chunk of one always fits).
  const buildWithin = (ix: number[]): { batch: Buffer; indexes: number[] }[] => {
    const batch = build(ix);
    if (batch.length <= limit || ix.length === 1) return [{ batch, indexes: ix }];
    const mid = Math.ceil(ix.length / 2);
    return [...buildWithin(ix.slice(0, mid)), ...buildWithin(ix.slice(mid))];
  };
  indexes.forEach((index, k) => {
    const cost = costs[k] as number;
    if (size + cost > limit) flush();
    current.push(index);
    size += cost;
  });
  flush();
  return out;
}
