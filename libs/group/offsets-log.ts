/**
 * The records of the internal topic `__consumer_offsets` and how a coordinator rebuilds its state
 * from them. A group lives in partition `groupPartition(groupId, n)` of that topic: murmur2 of the
 * group id's UTF-8 bytes, sign bit cleared, modulo n (the same hash as the key partitioner).
 *
 * Record layout (key and value are UTF-8; the value is JSON, or absent for a tombstone):
 *
 *   key "offset\0<group>\0<topic>\0<partition>"  value {"offset","metadata","commitTimestampMs","fence"}
 *                                                 or {"deleted":true,"fence"}: the offset was deleted
 *                                                 (group deleted); a fenced marker, not a null
 *                                                 tombstone, so a deposed owner cannot delete either
 *   key "fence"                                  value {"fence","coordinatorId"}: an owner took over
 *
 * Reading is compaction by key: the latest record per key wins. Fencing: every value carries the
 * fencing token of the coordinator that wrote it (the etcd create revision of its ownership key
 * for the partition, which grows with every new owner). A new owner appends a "fence" record once
 * it has read the partition; from that record on, records with a smaller token (written by a
 * deposed owner that did not yet know) are ignored, on this replay and on every later one.
 */
import { murmur2, toPositive } from '../partitioner/index.js';
import type { TopicPartition } from './assignors.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface CommittedOffsetValue {
  offset: number;
  metadata: string;
  commitTimestampMs: number;
}

export interface OffsetsRecord {
  key: string;
  /** null: a tombstone. */
  value: string | null;
}

export function groupPartition(groupId: string, partitions: number): number {
  return toPositive(murmur2(Buffer.from(groupId, 'utf8'))) % partitions;
}

export function offsetKey(groupId: string, tp: TopicPartition): string {
  return `offset\0${groupId}\0${tp.topic}\0${tp.partition}`;
}

export function offsetRecord(groupId: string, tp: TopicPartition, value: CommittedOffsetValue | null, fence: number): OffsetsRecord {
  return { key: offsetKey(groupId, tp), value: JSON.stringify(value === null ? { deleted: true, fence } : { ...value, fence }) };
}

export function fenceRecord(fence: number, coordinatorId: number): OffsetsRecord {
  return { key: 'fence', value: JSON.stringify({ fence, coordinatorId }) };
}

export interface Committed extends CommittedOffsetValue, TopicPartition {}

/**
 * The committed offsets of the groups of one `__consumer_offsets` partition, built by applying its
 * records in offset order. Not safe for concurrent use (one event loop).
 */
export class OffsetsState {
  private readonly groups = new Map<string, Map<string, Committed>>();
  private maxFence = 0;
  /** Records skipped because a newer owner had fenced them off, or could not be parsed. */
  skipped = 0;

  get fence(): number {
    return this.maxFence;
  }

  /** Applies one record read from the log (key and value bytes as stored). */
  applyStored(key: Buffer | null, value: Buffer | null): void {
    if (!key) {
      this.skipped++;
      return;
    }
    this.apply({ key: key.toString('utf8'), value: value === null ? null : value.toString('utf8') });
  }

  apply(record: OffsetsRecord): void {
    if (record.key === 'fence') {
      const fence = this.parse<{ fence: number }>(record.value)?.fence;
      if (typeof fence === 'number' && fence > this.maxFence) this.maxFence = fence;
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
    this.set(groupId, { topic, partition, offset: v.offset, metadata: v.metadata ?? '', commitTimestampMs: v.commitTimestampMs ?? 0 });
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
    return [...(this.groups.get(groupId)?.values() ?? [])].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
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
