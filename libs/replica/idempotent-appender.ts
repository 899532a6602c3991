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
 *
 * Producer snapshots (ADR 0055, libs/log producer-snapshots.ts): the first step that sees the
 * log's active segment start at a new base offset B (a roll) stores the table as of B, Kafka's
 * snapshot at a roll, at the moment the table holds every idempotent batch below B and none above:
 * a leader's append before or after its update (whichever side of B its batch is on), a
 * follower's copy between the batches below and above B, a plain append's own step (no
 * idempotent batch at or above B was written yet, or its step would have seen the roll). A
 * rebuild (open, truncation) loads the newest snapshot at or below the log end and replays the
 * log from there; without one (none yet, corrupt, unreadable) it replays the active segment, as
 * before, and says so: a corrupt or unreadable one warns; none at all (every log after an upgrade)
 * is a debug line and a call of `onNoSnapshot`, which the broker counts (no-snapshot-summary.ts). Once per roll, not per record: the hot path compares one number.
 */
import { batchSizeAt, readBatchHeader, type BatchHeader } from '../record/index.js';
import { SerialQueue } from '../runtime/index.js';
import { ProducerStateTable } from './producer-state.js';
import type { LogAppendInfo, ReplicaLog } from './replica-log.js';

export interface ProducerStateLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export class IdempotentAppender {
  private readonly producers = new ProducerStateTable();
  private readonly queue = new SerialQueue();
  /** The active segment's base offset when the table last looked: a different one means a roll. */
  private seenSegmentBase = -1;

  constructor(
    private readonly name: string,
    private readonly logger?: ProducerStateLogger,
    private readonly onNoSnapshot?: () => void,
  ) {}

  /**
   * Leader: appends an idempotent producer's batch (its `header` as the produce plan parsed it)
   * behind every earlier one. `check` runs when the batch's turn comes (leadership may have moved
   * while it waited) and returns the leader epoch to write in; `write` appends to the log.
   */
  append(
    log: ReplicaLog,
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
      const rolledTo = this.rolled(log);
      if (rolledTo !== undefined && info.baseOffset >= rolledTo) await this.snapshot(log, rolledTo);
      this.producers.update(header, info.baseOffset);
      if (rolledTo !== undefined && info.baseOffset < rolledTo) await this.snapshot(log, rolledTo);
      return { info, epoch };
    });
  }

  /** After a plain (non-idempotent) append: when the log rolled, a step of the queue stores the snapshot. */
  async afterPlainAppend(log: ReplicaLog): Promise<void> {
    if (log.activeSegmentBaseOffset === this.seenSegmentBase) return;
    await this.queue.run(async () => {
      const rolledTo = this.rolled(log);
      if (rolledTo !== undefined) await this.snapshot(log, rolledTo);
    });
  }

  /**
   * Follower, inside a step, after `bytes` (stored batches copied from the leader) were appended:
   * takes their producers into the table, storing the snapshot between the batches below and at
   * or above the base offset of a segment the copy rolled.
   */
  async applyCopied(log: ReplicaLog, bytes: Buffer): Promise<void> {
    let rolledTo = this.rolled(log);
    let pos = 0;
    while (pos < bytes.length) {
      const size = batchSizeAt(bytes, pos);
      if (size <= 0 || pos + size > bytes.length) break;
      const h = readBatchHeader(bytes, pos);
      if (rolledTo !== undefined && h.baseOffset >= rolledTo) {
        await this.snapshot(log, rolledTo);
        rolledTo = undefined;
      }
      this.producers.update(h, h.baseOffset);
      pos += size;
    }
    if (rolledTo !== undefined) await this.snapshot(log, rolledTo);
  }

  /** The active segment's base offset when it changed since the table last looked (a roll), else undefined. */
  private rolled(log: ReplicaLog): number | undefined {
    const base = log.activeSegmentBaseOffset;
    if (base === this.seenSegmentBase) return undefined;
    const first = this.seenSegmentBase < 0;
    this.seenSegmentBase = base;
    // A table never rebuilt (a partition created without an open) has nothing to say about older segments.
    return first ? undefined : base;
  }

  /**
   * Stores the table as of `offset`. A failure is logged, not thrown: the write it follows is
   * done, and a missing snapshot only means the rebuild falls back to the active segment.
   */
  private async snapshot(log: ReplicaLog, offset: number): Promise<void> {
    if (!log.writeProducerSnapshot) return;
    try {
      await log.writeProducerSnapshot(offset, this.producers.encode());
    } catch (err) {
      this.logger?.warn({ partition: this.name, offset, err }, 'could not write the producer snapshot at a segment roll');
    }
  }

  /**
   * Follower: runs `step`, a change to the log and the matching change to the table (applyCopied,
   * rebuild, clear), behind every leader append and earlier step and before any later one. Not for
   * the table's rebuild when a log opens (lazy-log.ts onOpened): that runs inside whatever first
   * used the log, possibly a step of this queue, and before anyone can check against the table.
   */
  replicate<T>(step: () => Promise<T>): Promise<T> {
    return this.queue.run(step);
  }

  /** Takes the producers of stored batches into the table (the rebuild's replay). */
  private applyBatches(bytes: Buffer): void {
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
   * Rebuilds the table from the log: the newest producer snapshot at or below the log end, then
   * the batches from its offset on; without a usable snapshot, the batches of the active segment
   * (producers whose last batches are older are forgotten: a retry of one is written again).
   */
  async rebuild(log: ReplicaLog): Promise<void> {
    // A lazy log not open yet rebuilds the table in its open (onOpened): open it first, so that
    // rebuild does not run inside this one's reads and leave its entries to be replayed twice.
    if (log.materialized === false) await log.materialize?.();
    this.producers.clear();
    this.seenSegmentBase = log.activeSegmentBaseOffset;
    const from = await this.loadSnapshot(log);
    let offset = from ?? Math.max(log.activeSegmentBaseOffset, log.logStartOffset);
    while (offset < log.logEndOffset) {
      const { bytes, nextOffset } = await log.read(offset, 8 << 20);
      if (bytes.length === 0 || nextOffset <= offset) break;
      this.applyBatches(bytes);
      offset = nextOffset;
    }
  }

  /** The table's encoding (what a snapshot stores): tests compare tables by it. */
  encodedTable(): Buffer {
    return this.producers.encode();
  }

  /** Forgets every producer (the log was emptied). */
  clear(log: ReplicaLog): void {
    this.producers.clear();
    this.seenSegmentBase = log.activeSegmentBaseOffset;
  }

  /** Loads the newest usable snapshot into the table; its offset, or undefined (table empty) without one. */
  private async loadSnapshot(log: ReplicaLog): Promise<number | undefined> {
    if (!log.readProducerSnapshot) return undefined;
    const fallback = { partition: this.name, replayFrom: Math.max(log.activeSegmentBaseOffset, log.logStartOffset) };
    try {
      const snapshot = await log.readProducerSnapshot(log.logEndOffset);
      if (snapshot) {
        this.producers.restore(snapshot.payload);
        return snapshot.offset;
      }
      // No roll since the log began (or since the snapshots were dropped): the active segment is all there is to replay.
      if (log.activeSegmentBaseOffset > log.logStartOffset) {
        this.logger?.debug(fallback, 'no producer snapshot: idempotent producers rebuilt from the active segment only');
        this.onNoSnapshot?.();
      }
    } catch (err) {
      this.producers.clear();
      this.logger?.warn({ ...fallback, err }, 'producer snapshot unusable: idempotent producers rebuilt from the active segment only');
    }
    return undefined;
  }
}
