/**
 * Idempotent producers on one replica: the table of their recent batches (ProducerStateTable, the
 * pure rules) and the order of their appends. On the leader, idempotent appends run one at a time,
 * so a sequence check, the write and the table's update happen as one step, and a retried batch
 * is answered with its first write's offsets instead of being written again. Followers apply the
 * same table from the batches they copy; every replica rebuilds it from its log on open and after
 * a truncation, so the dedupe survives failover and restarts.
 *
 * A follower's changes to the log (a copy, a truncation, a restart) run in the same queue, each
 * with its change to the table, so the table always describes the log a leader's check sees. They
 * used to run outside it: a replica made leader while a copied batch was still being written
 * checked the producer's retry of that batch against a table without it, and wrote it a second
 * time (after the copy); one made leader during a truncation could answer a retry of a batch the
 * truncation was cutting with that batch's offsets, acknowledging a record no longer in the log.
 */
import { batchSizeAt, readBatchHeader, type BatchHeader } from '../record/index.js';
import { SerialQueue } from '../runtime/index.js';
import { ProducerStateTable } from './producer-state.js';
import type { LogAppendInfo, ReplicaLog } from './replica-log.js';

export class IdempotentAppender {
  private readonly producers = new ProducerStateTable();
  private readonly queue = new SerialQueue();

  constructor(private readonly name: string) {}

  /**
   * Leader: appends an idempotent producer's batch (its `header` as the produce plan parsed it)
   * behind every earlier one. `check` runs when the batch's turn comes (leadership may have moved
   * while it waited) and returns the leader epoch to write in; `write` appends to the log.
   */
  append(
    header: BatchHeader,
    check: () => number,
    write: (epoch: number) => Promise<LogAppendInfo>,
  ): Promise<{ info: LogAppendInfo; epoch: number }> {
    return this.queue.run(async () => {
      const epoch = check();
      const decision = this.producers.check(header, this.name);
      if (decision.kind === 'duplicate') {
        return { info: { baseOffset: decision.firstOffset, lastOffset: decision.lastOffset, appendTimeMs: -1, sizeInBytes: 0 }, epoch };
      }
      const info = await write(epoch);
      this.producers.update(header, info.baseOffset);
      return { info, epoch };
    });
  }

  /**
   * Follower: runs `step`, a change to the log and the matching change to the table (applyBatches,
   * rebuild, clear), behind every leader append and earlier step and before any later one. Not for
   * the table's rebuild when a log opens (lazy-log.ts onOpened): that runs inside whatever first
   * used the log, possibly a step of this queue, and before anyone can check against the table.
   */
  replicate<T>(step: () => Promise<T>): Promise<T> {
    return this.queue.run(step);
  }

  /** Follower: takes the producers of stored batches copied from the leader into the table. */
  applyBatches(bytes: Buffer): void {
    let pos = 0;
    while (pos < bytes.length) {
      const size = batchSizeAt(bytes, pos);
      if (size <= 0 || pos + size > bytes.length) return;
      const h = readBatchHeader(bytes, pos);
      this.producers.update(h, h.baseOffset);
      pos += size;
    }
  }

  /**
   * Rebuilds the table from the log's batch headers, from the start of the active segment (older
   * batches are too old to be retried).
   */
  async rebuild(log: ReplicaLog): Promise<void> {
    this.producers.clear();
    let offset = Math.max(log.activeSegmentBaseOffset, log.logStartOffset);
    while (offset < log.logEndOffset) {
      const { bytes, nextOffset } = await log.read(offset, 8 << 20);
      if (bytes.length === 0 || nextOffset <= offset) break;
      this.applyBatches(bytes);
      offset = nextOffset;
    }
  }

  /** Forgets every producer (the log was emptied). */
  clear(): void {
    this.producers.clear();
  }
}
