/**
 * The `__consumer_offsets` partitions this coordinator owns, as their fenced writer: taking one
 * over (load), appending to it, and losing it. The group coordinator (coordinator.ts) builds on
 * this table; what it keeps per partition (groups, committed offsets) lives in the
 * {@link PartitionRuntime} this table hands it.
 *
 * Taking a partition over: take a new writer epoch (above every earlier owner's), replay it from
 * the start, append a fence record with our token (acks=all) as the first batch of that epoch,
 * replay up to that record, then serve (until then calls for its groups fail with NOT_READY, which
 * clients retry). Losing it: `onReleased` drops its groups (members are told NOT_COORDINATOR), and
 * nothing more is written for it.
 *
 * Writes after a loss (docs/adr/0029): a coordinator that lost its claim without knowing yet (it
 * was paused past its lease) may still append. Once the new owner's fence batch is in, the brokers
 * refuse that write (INVALID_PRODUCER_EPOCH): the append fails with NOT_COORDINATOR and this
 * coordinator gives the partition up (resign). Any other failed append leaves the writer's
 * sequence unknown: the partition is loaded again with a new epoch (NOT_READY meanwhile).
 *
 * Single event loop; not thread-safe.
 */
import { SamsaError, hasReason } from '../errors/index.js';
import { sleep, type Clock } from '../runtime/index.js';
import type { Logger } from '../telemetry/index.js';
import { OffsetsState, fenceRecord, groupPartition, offsetsWriter, type OffsetsRecord, type OffsetsWriter } from './offsets-log.js';
import type { CoordinatorRegistration } from './ownership.js';
import type { GroupRuntime } from './coordinator.js';

/** The offsets topic as the coordinator needs it. */
export interface OffsetsLog {
  /**
   * Appends to `partition` with acks=all as `writer` (its producer id and epoch; sequences are the
   * log's business); resolves with the offset of the last record. After a failure, later appends
   * with the same writer fail too. INVALID_PRODUCER_EPOCH when a higher epoch has written.
   */
  append(partition: number, records: readonly OffsetsRecord[], writer: OffsetsWriter): Promise<number>;
  /**
   * Calls `apply` for each record of `partition` from offset `from` up to the high watermark as it
   * is when the call starts; resolves with the offset after the last record read (at least `from`).
   */
  replay(
    partition: number,
    from: number,
    apply: (key: Buffer | null, value: Buffer | null, headers: readonly { key: string; value: Buffer }[]) => void,
    signal: AbortSignal,
  ): Promise<number>;
}

/** The claims on offsets partitions as the coordinator needs them (ownership.ts in production). */
export interface OffsetsClaims {
  /** A writer epoch above every earlier one of `partition`; NOT_COORDINATOR when `fence` is no longer its claim. */
  nextWriterEpoch(partition: number, fence: number): Promise<number>;
  /** Gives up `partition`, claimed with `fence`, whose writes a newer owner fenced; released() follows. */
  resign(partition: number, fence: number): void;
}

/** One owned offsets partition: its claim, its writer, and what the coordinator keeps for it. */
export interface PartitionRuntime {
  partition: number;
  fence: number;
  /** The identity this owner writes with, once loading took its epoch. */
  writer: OffsetsWriter | undefined;
  ready: boolean;
  offsets: OffsetsState;
  groups: Map<string, GroupRuntime>;
  abort: AbortController;
}

export interface OffsetsPartitionsOptions {
  coordinatorId: number;
  offsetsPartitions: number;
  log: OffsetsLog;
  claims: OffsetsClaims;
  /** Who owns an offsets partition (for NOT_COORDINATOR details). */
  ownerOf(partition: number): CoordinatorRegistration | undefined;
  logger: Logger;
  clock: Clock;
  /** Delay between attempts to load a partition that failed. Default 1000 ms. */
  loadRetryMs?: number;
  /** A partition was dropped from the table (released, resigned, closed): its groups end. */
  onReleased(rt: PartitionRuntime): void;
}

export class OffsetsPartitions {
  private readonly parts = new Map<number, PartitionRuntime>();
  private closed = false;

  constructor(private readonly o: OffsetsPartitionsOptions) {}

  acquired(partition: number, fence: number): void {
    if (this.closed) return;
    this.released(partition);
    const rt: PartitionRuntime = {
      partition,
      fence,
      writer: undefined,
      ready: false,
      offsets: new OffsetsState(),
      groups: new Map(),
      abort: new AbortController(),
    };
    this.parts.set(partition, rt);
    void this.load(rt);
  }

  released(partition: number): void {
    const rt = this.parts.get(partition);
    if (!rt) return;
    this.parts.delete(partition);
    rt.abort.abort();
    this.o.onReleased(rt);
  }

  /** Drops every partition and refuses further work. */
  close(): void {
    this.closed = true;
    for (const p of [...this.parts.keys()]) this.released(p);
  }

  /** True once every owned partition is loaded. */
  get ready(): boolean {
    return [...this.parts.values()].every((rt) => rt.ready);
  }

  owned(): number[] {
    return [...this.parts.keys()].sort((a, b) => a - b);
  }

  /** Every owned partition, loaded or not. */
  all(): IterableIterator<PartitionRuntime> {
    return this.parts.values();
  }

  /** The owned runtime of `partition`, loaded or not; undefined when not owned. */
  get(partition: number): PartitionRuntime | undefined {
    return this.parts.get(partition);
  }

  /** True while `rt` is still the table's runtime of its partition (not released or taken over again). */
  isCurrent(rt: PartitionRuntime): boolean {
    return this.parts.get(rt.partition) === rt;
  }

  partitionOf(groupId: string): number {
    return groupPartition(groupId, this.o.offsetsPartitions);
  }

  /** The loaded partition runtime of `groupId`; NOT_COORDINATOR (with the owner's address) or NOT_READY otherwise. */
  serving(groupId: string): PartitionRuntime {
    if (!groupId) throw new SamsaError('INVALID_REQUEST', 'group_id is required');
    if (this.closed) throw new SamsaError('NOT_READY', 'the coordinator is shutting down');
    const p = this.partitionOf(groupId);
    const rt = this.parts.get(p);
    if (!rt) {
      const owner = this.o.ownerOf(p);
      throw new SamsaError(
        'NOT_COORDINATOR',
        `coordinator ${this.o.coordinatorId} does not own group "${groupId}" (partition ${p} of __consumer_offsets)${owner ? `; coordinator ${owner.id} at ${owner.host}:${owner.port} does` : '; no coordinator owns it right now'}`,
        { details: owner ? { 'coordinator-id': String(owner.id), 'coordinator-address': `${owner.host}:${owner.port}` } : {} },
      );
    }
    if (!rt.ready)
      throw new SamsaError('NOT_READY', `group "${groupId}" is still being loaded on coordinator ${this.o.coordinatorId}; retry shortly`);
    return rt;
  }

  /**
   * Appends `records` of `groupId` to the partition as this owner's writer. NOT_READY while the
   * partition is being loaded again; NOT_COORDINATOR when a newer owner's writes fenced ours (the
   * partition is then given up); any other failure reloads the partition (appendFailed).
   */
  async append(rt: PartitionRuntime, groupId: string, records: readonly OffsetsRecord[]): Promise<void> {
    const writer = rt.writer;
    if (!writer || !rt.ready) throw new SamsaError('NOT_READY', `group "${groupId}" is being loaded again; retry shortly`);
    try {
      await this.o.log.append(rt.partition, records, writer);
    } catch (err) {
      this.appendFailed(rt, writer, err);
      if (hasReason(err, 'INVALID_PRODUCER_EPOCH'))
        throw new SamsaError(
          'NOT_COORDINATOR',
          `group "${groupId}" moved to another coordinator, whose writes fenced this one's; go to it`,
        );
      throw err;
    }
  }

  private async load(rt: PartitionRuntime): Promise<void> {
    const { partition } = rt;
    const started = this.o.clock.nowMs();
    for (let attempt = 0; !rt.abort.signal.aborted; attempt++) {
      try {
        const offsets = new OffsetsState();
        let replayed = 0;
        const apply = (k: Buffer | null, v: Buffer | null, h: readonly { key: string; value: Buffer }[]): void => {
          replayed++;
          offsets.applyStored(k, v, h);
        };
        // The epoch first: then no owner before us can write after our fence batch.
        const writer = offsetsWriter(partition, await this.o.claims.nextWriterEpoch(partition, rt.fence));
        if (rt.abort.signal.aborted) return;
        rt.writer = writer;
        let next = await this.o.log.replay(partition, 0, apply, rt.abort.signal);
        if (rt.abort.signal.aborted) return;
        const fenceAt = await this.o.log.append(partition, [fenceRecord(rt.fence, this.o.coordinatorId)], writer);
        while (next <= fenceAt && !rt.abort.signal.aborted) next = await this.o.log.replay(partition, next, apply, rt.abort.signal);
        if (rt.abort.signal.aborted) return;
        rt.offsets = offsets;
        rt.ready = true;
        this.o.logger.info(
          {
            partition,
            fence: rt.fence,
            writer,
            groups: offsets.groupIds().length,
            records: next,
            replayed,
            skipped: offsets.skipped,
            ms: this.o.clock.nowMs() - started,
          },
          'loaded __consumer_offsets partition',
        );
        return;
      } catch (err) {
        if (rt.abort.signal.aborted) return;
        if (hasReason(err, 'INVALID_PRODUCER_EPOCH') || hasReason(err, 'NOT_COORDINATOR')) {
          // A newer owner took an epoch (and maybe wrote) since we claimed: it is not ours any more.
          this.resign(rt, err);
          return;
        }
        // The next attempt takes a new epoch: a failed append may have left a sequence gap.
        this.o.logger.warn({ err, partition, attempt }, 'loading a __consumer_offsets partition failed; retrying');
        await sleep(this.o.loadRetryMs ?? 1_000, rt.abort.signal);
      }
    }
  }

  /**
   * An append with `writer` failed: a newer owner fenced it (give the partition up), or its
   * sequence is unknown (load the partition again, with a new epoch). Once per writer.
   */
  private appendFailed(rt: PartitionRuntime, writer: OffsetsWriter, err: unknown): void {
    if (!this.isCurrent(rt) || rt.writer !== writer) return;
    rt.writer = undefined;
    rt.ready = false;
    if (hasReason(err, 'INVALID_PRODUCER_EPOCH')) {
      this.resign(rt, err);
      return;
    }
    this.o.logger.warn({ err, partition: rt.partition }, 'an append to __consumer_offsets failed; loading the partition again');
    void this.load(rt);
  }

  /** A newer owner has the partition: drop it here (members told NOT_COORDINATOR) and give up the claim. */
  private resign(rt: PartitionRuntime, err: unknown): void {
    if (!this.isCurrent(rt)) return;
    this.o.logger.warn(
      { err, partition: rt.partition, fence: rt.fence },
      'fenced: a newer owner of this __consumer_offsets partition has written; stepping down',
    );
    this.released(rt.partition);
    this.o.claims.resign(rt.partition, rt.fence);
  }
}
