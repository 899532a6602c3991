/**
 * Idempotent producers, per partition replica (Kafka's ProducerStateManager, without transactions).
 *
 * An idempotent producer stamps each batch with its producer id, producer epoch and the sequence
 * number of the batch's first record; sequences run per partition, from 0, without gaps. The
 * leader keeps, per producer, the last few batches it wrote (their sequence ranges and offsets):
 * - a batch equal to one of them (same first and last sequence) is a retry whose answer was lost:
 *   it is not written again, and the producer gets the offsets of the original;
 * - a batch that continues the newest one (first sequence = last + 1) is appended;
 * - anything else is OUT_OF_ORDER_SEQUENCE (a gap: something was lost in between), and an older
 *   producer epoch is INVALID_PRODUCER_EPOCH.
 * Followers apply the same table from the batches they copy, and every replica rebuilds it from its
 * log when it opens, so the dedupe survives leader failover and restarts.
 *
 * Pure: batch headers in, decisions out.
 */
import { SamsaError } from '../errors/index.js';

/** Batches remembered per producer: as many as a producer may have in flight (Kafka: 5). */
export const DEDUPE_WINDOW = 5;
/** Producers remembered per partition; the least recently written is forgotten first. */
export const MAX_PRODUCERS = 20_000;

const INT32_MAX = 0x7fffffff;
const SNAPSHOT_VERSION = 1;

export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Records in the batch - 1. */
  lastOffsetDelta: number;
}

interface Written {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  /** Oldest first; at most DEDUPE_WINDOW. */
  batches: Written[];
}

export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; firstOffset: number; lastOffset: number };

/** True for batches that carry a producer id (an idempotent producer wrote them). */
export function isIdempotent(batch: ProducerBatch): boolean {
  return batch.producerId >= 0 && batch.baseSequence >= 0;
}

function lastSequence(batch: ProducerBatch): number {
  // Sequences wrap at int32 like Kafka's.
  return (batch.baseSequence + batch.lastOffsetDelta) % (INT32_MAX + 1);
}

function nextSequence(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1;
}

export class ProducerStateTable {
  /** Map order is recency order: an update re-inserts its entry at the end. */
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  /**
   * The leader's decision for an incoming batch. Throws INVALID_PRODUCER_EPOCH or
   * OUT_OF_ORDER_SEQUENCE (nothing to write) with a message a person can act on.
   */
  check(batch: ProducerBatch, where: string): SequenceCheck {
    if (!isIdempotent(batch)) return { kind: 'append' };
    const entry = this.producers.get(batch.producerId);
    // Unknown producer (new, or forgotten): nothing to compare against.
    if (!entry) return { kind: 'append' };
    if (batch.producerEpoch < entry.epoch) {
      throw new SamsaError(
        'INVALID_PRODUCER_EPOCH',
        `${where}: producer ${batch.producerId} writes with epoch ${batch.producerEpoch}, but epoch ${entry.epoch} has written since; this producer was fenced — create a new one`,
      );
    }
    if (batch.producerEpoch > entry.epoch) {
      if (batch.baseSequence === 0) return { kind: 'append' };
      throw this.outOfOrder(batch, where, `a new producer epoch ${batch.producerEpoch} must start at sequence 0`);
    }
    const last = lastSequence(batch);
    const dup = entry.batches.find((w) => w.firstSeq === batch.baseSequence && w.lastSeq === last);
    if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
    const newest = entry.batches[entry.batches.length - 1];
    if (!newest || batch.baseSequence === nextSequence(newest.lastSeq)) return { kind: 'append' };
    throw this.outOfOrder(batch, where, `expected sequence ${nextSequence(newest.lastSeq)}`);
  }

  /** Records a batch written at [firstOffset, lastOffset] (leader append, follower copy, recovery). */
  update(batch: ProducerBatch, firstOffset: number): void {
    if (!isIdempotent(batch)) return;
    const previous = this.producers.get(batch.producerId);
    const entry: ProducerEntry =
      previous && previous.epoch === batch.producerEpoch ? previous : { epoch: batch.producerEpoch, batches: [] };
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: lastSequence(batch),
      firstOffset,
      lastOffset: firstOffset + batch.lastOffsetDelta,
    });
    if (entry.batches.length > DEDUPE_WINDOW) entry.batches.shift();
    this.producers.delete(batch.producerId);
    this.producers.set(batch.producerId, entry);
    if (this.producers.size > MAX_PRODUCERS) {
      const oldest = this.producers.keys().next();
      if (!oldest.done) this.producers.delete(oldest.value);
    }
  }

  clear(): void {
    this.producers.clear();
  }

  /**
   * The table as bytes (a producer snapshot's payload, libs/log producer-snapshots.ts), least
   * recently written producer first so that restore() keeps the eviction order. At most
   * MAX_PRODUCERS x (13 + DEDUPE_WINDOW x 24) bytes, about 2.7 MB; a few KB for a few producers.
   * Layout: u8 version 1, u32 count, per producer f64 id, i32 epoch, u8 n, n x (i32 first seq,
   * i32 last seq, f64 first offset, f64 last offset).
   */
  encode(): Buffer {
    let size = 5;
    for (const entry of this.producers.values()) size += 13 + entry.batches.length * 24;
    const buf = Buffer.alloc(size);
    buf.writeUInt8(SNAPSHOT_VERSION, 0);
    buf.writeUInt32BE(this.producers.size, 1);
    let pos = 5;
    for (const [id, entry] of this.producers) {
      buf.writeDoubleBE(id, pos);
      buf.writeInt32BE(entry.epoch, pos + 8);
      buf.writeUInt8(entry.batches.length, pos + 12);
      pos += 13;
      for (const w of entry.batches) {
        buf.writeInt32BE(w.firstSeq, pos);
        buf.writeInt32BE(w.lastSeq, pos + 4);
        buf.writeDoubleBE(w.firstOffset, pos + 8);
        buf.writeDoubleBE(w.lastOffset, pos + 16);
        pos += 24;
      }
    }
    return buf;
  }

  /** Replaces the table by an encode()d one; throws (table left empty) when the bytes are not one. */
  restore(bytes: Buffer): void {
    this.producers.clear();
    try {
      if (bytes.length < 5 || bytes.readUInt8(0) !== SNAPSHOT_VERSION) throw new Error('unknown version');
      const count = bytes.readUInt32BE(1);
      if (count > MAX_PRODUCERS) throw new Error(`${count} producers, more than ${MAX_PRODUCERS}`);
      let pos = 5;
      for (let i = 0; i < count; i++) {
        const id = bytes.readDoubleBE(pos);
        const epoch = bytes.readInt32BE(pos + 8);
        const n = bytes.readUInt8(pos + 12);
        pos += 13;
        if (!Number.isSafeInteger(id) || id < 0 || n > DEDUPE_WINDOW) throw new Error(`bad producer entry at byte ${pos - 13}`);
        const batches: Written[] = [];
        for (let j = 0; j < n; j++) {
          batches.push({
            firstSeq: bytes.readInt32BE(pos),
            lastSeq: bytes.readInt32BE(pos + 4),
            firstOffset: bytes.readDoubleBE(pos + 8),
            lastOffset: bytes.readDoubleBE(pos + 16),
          });
          pos += 24;
        }
        this.producers.set(id, { epoch, batches });
      }
      if (pos !== bytes.length) throw new Error(`${bytes.length - pos} bytes after the last producer`);
    } catch (err) {
      this.producers.clear();
      throw new SamsaError('INTERNAL_ERROR', `producer snapshot does not decode: ${(err as Error).message}`, { cause: err });
    }
  }

  private outOfOrder(batch: ProducerBatch, where: string, expected: string): SamsaError {
    return new SamsaError(
      'OUT_OF_ORDER_SEQUENCE',
      `${where}: producer ${batch.producerId} (epoch ${batch.producerEpoch}) sent sequence ${batch.baseSequence}..${lastSequence(batch)}; ${expected}. Records in between were lost; restart the producer`,
    );
  }
}
