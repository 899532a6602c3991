/**
 * The records of the internal topic `__consumer_offsets` and how a coordinator rebuilds its state
 * from them. A group lives in partition `groupPartition(groupId, n)` of that topic: murmur2 of the
 * group id's UTF-8 bytes, sign bit cleared, modulo n (the same hash as the key partitioner).
 *
 * Record layout (key and value are UTF-8; the value is JSON, or absent for a tombstone):
 *
 *   key "offset\0<group>\0<topic>\0<partition>"  value {"offset","metadata","commitTimestampMs","fence"},
 *                                                 plus "share" for a share group's partition:
 *                                                 {"runs","acked","deadLettered"}, its state above
 *                                                 the offset and its totals (share-partition.ts
 *                                                 StoredShareState; ADR 0053)
 *                                                 or null, a tombstone (the offset or its group was
 *                                                 deleted), with its fence in the record header
 *                                                 "fence" (decimal); older logs hold
 *                                                 {"deleted":true,"fence"} instead, still read
 *   key "fence\0<fence>"                         value {"fence","coordinatorId"}: an owner took over
 *                                                 (older logs: key "fence")
 *   key "kafka-hold\0<group>"                    value {"holder","expiresAtMs","fence"}: the group is
 *                                                 held by Kafka-protocol members that a Kafka gateway
 *                                                 runs, until expiresAtMs (wall clock; docs/adr/0050),
 *                                                 or null, a tombstone (released), fence in the header.
 *                                                 Older coordinators skip these records.
 *
 * The topic is compacted (cleanup.policy=compact, docs/adr/0029): the log cleaner keeps the latest
 * record per key and drops tombstones after delete.retention.ms, so a replay reads about one record
 * per live committed offset. Each fence record has a key of its own, so compaction never moves a
 * fence after the records it fenced off. Reading is compaction by key: the latest record per key wins. Fencing: every value carries the
 * fencing token of the coordinator that wrote it (the etcd create revision of its ownership key
 * for the partition, which grows with every new owner). A new owner appends a "fence" record once
 * it has read the partition; from that record on, records with a smaller token (written by a
 * deposed owner that did not yet know) are ignored, on this replay and on every later one.
 *
 * The brokers fence a deposed owner too, before its write lands (docs/adr/0029): each partition is
 * written by one fixed idempotent producer id (offsetsWriter), and each owner, when it loads the
 * partition, takes a new producer epoch above every earlier owner's (ownership.ts,
 * nextWriterEpoch) and writes its fence record with it. A broker that has that batch refuses
 * every later batch with a lower epoch of the id (INVALID_PRODUCER_EPOCH), so a deposed owner's
 * late commit is refused instead of landing after the fence (where replay would skip it, but
 * compaction could let it hide the valid record of its key).
 */
import { RESERVED_PRODUCER_IDS_FROM } from '../cluster/index.js';
import { SamsaError } from '../errors/index.js';
import { murmur2, toPositive } from '../partitioner/index.js';
import type { TopicPartition } from './assignors.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface CommittedOffsetValue {
  offset: number;
  metadata: string;
  commitTimestampMs: number;
  /** A share group's state above `offset`, as stored (share-partition.ts parseShareSnapshot checks it). */
  share?: unknown;
}

export interface OffsetsRecord {
  key: string;
  /** null: a tombstone. */
  value: string | null;
  /** A tombstone's fencing token, stored as the record header "fence". */
  fence?: number;
}

/** The record header that carries a tombstone's fencing token. */
export const FENCE_HEADER = 'fence';

export function groupPartition(groupId: string, partitions: number): number {
  return toPositive(murmur2(Buffer.from(groupId, 'utf8'))) % partitions;
}

export function offsetKey(groupId: string, tp: TopicPartition): string {
  return `offset\0${groupId}\0${tp.topic}\0${tp.partition}`;
}

export function offsetRecord(groupId: string, tp: TopicPartition, value: CommittedOffsetValue | null, fence: number): OffsetsRecord {
  if (value === null) return { key: offsetKey(groupId, tp), value: null, fence };
  return { key: offsetKey(groupId, tp), value: JSON.stringify({ ...value, fence }) };
}

export function fenceRecord(fence: number, coordinatorId: number): OffsetsRecord {
  return { key: `fence\0${fence}`, value: JSON.stringify({ fence, coordinatorId }) };
}

/** The idempotent identity a coordinator writes one __consumer_offsets partition with. */
export interface OffsetsWriter {
  producerId: number;
  producerEpoch: number;
}

/** Producer epochs are int16 in a batch: 1..32767 per producer id. */
const EPOCHS_PER_ID = 32_767;
/** Producer ids per generation of epochs: at most this many __consumer_offsets partitions. */
const MAX_OFFSETS_PARTITIONS = 2 ** 20;

/**
 * The writer of `partition` for writer epoch `epoch` (1, 2, ...: ownership.ts nextWriterEpoch):
 * producer id RESERVED_PRODUCER_IDS_FROM + partition with producer epoch `epoch`. Epochs are int16,
 * so after 32,767 of them the id moves on by 2^20 and the epochs start again at 1; at that one
 * change of id, a deposed owner's late write is not refused by the brokers (it is still skipped
 * by replay, as before the broker fence).
 */
export function offsetsWriter(partition: number, epoch: number): OffsetsWriter {
  if (!Number.isInteger(partition) || partition < 0 || partition >= MAX_OFFSETS_PARTITIONS)
    throw new SamsaError('INVALID_REQUEST', `__consumer_offsets partition ${partition} is out of range`);
  if (!Number.isSafeInteger(epoch) || epoch < 1) throw new SamsaError('INVALID_REQUEST', `writer epoch ${epoch} must be 1 or more`);
  const generation = Math.floor((epoch - 1) / EPOCHS_PER_ID);
  return {
    producerId: RESERVED_PRODUCER_IDS_FROM + generation * MAX_OFFSETS_PARTITIONS + partition,
    producerEpoch: ((epoch - 1) % EPOCHS_PER_ID) + 1,
  };
}

export interface Committed extends CommittedOffsetValue, TopicPartition {}

/** A group held by Kafka-protocol members: who runs them (a Kafka gateway) and until when. */
export interface KafkaHold {
  holder: string;
  /** Wall-clock ms; the hold lapses then unless renewed. */
  expiresAtMs: number;
}

export function kafkaHoldKey(groupId: string): string {
  return `kafka-hold\0${groupId}`;
}

/** A hold record, or its tombstone (null) when released. */
export function kafkaHoldRecord(groupId: string, hold: KafkaHold | null, fence: number): OffsetsRecord {
  if (hold === null) return { key: kafkaHoldKey(groupId), value: null, fence };
  return { key: kafkaHoldKey(groupId), value: JSON.stringify({ holder: hold.holder, expiresAtMs: hold.expiresAtMs, fence }) };
}

/**
 * The committed offsets of the groups of one `__consumer_offsets` partition, built by applying its
 * records in offset order. Not safe for concurrent use (one event loop).
 */
export class OffsetsState {
  private readonly groups = new Map<string, Map<string, Committed>>();
  private readonly holds = new Map<string, KafkaHold>();
  private maxFence = 0;
  /** Records skipped because a newer owner had fenced them off, or could not be parsed. */
  skipped = 0;

  get fence(): number {
    return this.maxFence;
  }

  /** Applies one record read from the log (key and value bytes as stored, and its headers). */
  applyStored(key: Buffer | null, value: Buffer | null, headers: readonly { key: string; value: Buffer }[] = []): void {
    if (!key) {
      this.skipped++;
      return;
    }
    const fenceHeader = headers.find((h) => h.key === FENCE_HEADER);
    const record: OffsetsRecord = { key: key.toString('utf8'), value: value === null ? null : value.toString('utf8') };
    if (fenceHeader) record.fence = Number(fenceHeader.value.toString('utf8'));
    this.apply(record);
  }

  apply(record: OffsetsRecord): void {
    if (record.key === 'fence' || record.key.startsWith('fence\0')) {
      const fence = this.parse<{ fence: number }>(record.value)?.fence;
      if (typeof fence === 'number' && fence > this.maxFence) this.maxFence = fence;
      return;
    }
    if (record.key.startsWith('kafka-hold\0')) {
      this.applyHold(record);
      return;
    }
    const parts = record.key.split('\0');
    if (parts.length !== 4 || parts[0] !== 'offset') {
      this.skipped++;
      return;
    }
    const [, groupId, topic, rawPartition] = parts as [string, string, string, string];
    const partition = Number(rawPartition);
    if (!Number.isInteger(partition) || partition < 0) {
      this.skipped++;
      return;
    }
    if (record.value === null) {
      // A tombstone: deleted unless a newer owner has fenced its writer off.
      if (typeof record.fence !== 'number' || !Number.isSafeInteger(record.fence) || record.fence < this.maxFence) {
        this.skipped++;
        return;
      }
      this.delete(groupId, { topic, partition });
      return;
    }
    const v = this.parse<Partial<CommittedOffsetValue> & { fence: number; deleted?: boolean }>(record.value);
    if (!v || typeof v.fence !== 'number' || (!v.deleted && typeof v.offset !== 'number')) {
      this.skipped++;
      return;
    }
    if (v.fence < this.maxFence) {
      this.skipped++;
      return;
    }
    if (v.deleted) {
      this.delete(groupId, { topic, partition });
      return;
    }
    if (typeof v.offset !== 'number') return;
    this.set(groupId, {
      topic,
      partition,
      offset: v.offset,
      metadata: v.metadata ?? '',
      commitTimestampMs: v.commitTimestampMs ?? 0,
      ...(v.share !== undefined ? { share: v.share } : {}),
    });
  }

  private applyHold(record: OffsetsRecord): void {
    const groupId = record.key.slice('kafka-hold\0'.length);
    const v = this.parse<Partial<KafkaHold> & { fence: number }>(record.value);
    const fence = record.value === null ? record.fence : v?.fence;
    if (typeof fence !== 'number' || !Number.isSafeInteger(fence) || fence < this.maxFence) {
      this.skipped++;
      return;
    }
    if (record.value === null) {
      this.holds.delete(groupId);
      return;
    }
    if (!v || typeof v.holder !== 'string' || typeof v.expiresAtMs !== 'number') {
      this.skipped++;
      return;
    }
    this.holds.set(groupId, { holder: v.holder, expiresAtMs: v.expiresAtMs });
  }

  /** The group's Kafka hold as last written (it may have lapsed: compare expiresAtMs with the clock). */
  kafkaHold(groupId: string): KafkaHold | undefined {
    return this.holds.get(groupId);
  }

  setKafkaHold(groupId: string, hold: KafkaHold | null): void {
    if (hold === null) this.holds.delete(groupId);
    else this.holds.set(groupId, hold);
  }

  set(groupId: string, c: Committed): void {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new Map()));
    g.set(`${c.topic}\0${c.partition}`, { ...c });
  }

  delete(groupId: string, tp: TopicPartition): void {
    const g = this.groups.get(groupId);
    if (!g) return;
    g.delete(`${tp.topic}\0${tp.partition}`);
    if (g.size === 0) this.groups.delete(groupId);
  }

  get(groupId: string, tp: TopicPartition): Committed | undefined {
    return this.groups.get(groupId)?.get(`${tp.topic}\0${tp.partition}`);
  }

  /** Every committed offset of the group, sorted by topic and partition. */
  committed(groupId: string): Committed[] {
    return [...(this.groups.get(groupId)?.values() ?? [])].sort((a, b) =>
      a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
    );
  }

  groupIds(): string[] {
    return [...this.groups.keys()].sort();
  }

  private parse<T>(raw: string | null): T | undefined {
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return undefined;
    }
  }
}
