/**
 * One hosted partition replica on this broker: its log, its role (leader or follower) and leader
 * epoch as the controller last published them, and the high watermark. This class is the face
 * the broker and replication use; the work is split by role:
 *
 *   replica-state.ts        the shared state: controller view, incarnation, role, HW, waiters, close
 *   leader-replicas.ts      the leader's replica tracking: follower positions, HW, ISR, write checks,
 *                           the acks=all wait
 *   follower-apply.ts       the follower's apply of what the leader sends
 *   idempotent-appender.ts  idempotent producers: serial appends, dedupe, the table's snapshots and rebuild
 *
 * and what stays here is the partition's state changes and its reads (consumers, followers,
 * list-offsets, the cleaner) plus the leader's append, which ties the roles together.
 *
 * Why one file (~510 lines): this is the one face the broker, replication and the manager hold;
 * every method is a short delegation to a role part or the log with its documented contract, and
 * splitting the face would only split the contract.
 *
 * Offsets, by name (all JS numbers, exact below 2^53; see docs/adr/0003-offsets-are-numbers.md):
 * - log start offset (LSO): the oldest offset still on disk (retention moves it up);
 * - log end offset (LEO): the offset the next appended record gets;
 * - high watermark (HW): the offset every ISR member has reached, i.e. min LEO over the ISR. Records
 *   at offsets < HW are committed and are the only ones consumers see. LSO <= HW <= LEO always.
 *   On the leader the HW never moves backwards.
 *
 * With ISR = [self] the HW equals the LEO after each append. Replication slots in through
 * `updateFollowerPosition` (the follower's LEO as reported on its fetch stream): the HW is then
 * recomputed as min LEO over the ISR; a member whose position is not known yet holds the HW where
 * it is.
 *
 * Concurrency: appends are serialized by the log; `applyState` runs synchronously on the event
 * loop, so a request sees either the old or the new role, never a mixture. Every waiter (long
 * poll, Consume stream, acks=all produce) is woken on HW advance, on a role or epoch change and on
 * close, and then re-checks; nothing spins.
 */
import { SamsaError } from '../errors/index.js';
import { systemClock, type Clock } from '../runtime/index.js';
import type { PartitionState } from '../cluster/index.js';
import type { CleanStats, DirtyState, LogConfig, OffsetMap, ReadInto, Throttler } from '../log/index.js';
import { isIdempotent } from './producer-state.js';
import type { ValidatedBatch } from '../record/index.js';
import { AppendTraceIndex, withChildSpan, type TraceCarrier } from '../telemetry/index.js';
import type { WaitOptions, WakeReason } from './offset-waiters.js';
import { FollowerApply } from './follower-apply.js';
import { IdempotentAppender, type ProducerStateLogger } from './idempotent-appender.js';
import {
  LeaderReplicas,
  type AppendOptions,
  type FollowerFetch,
  type FollowerFetchCheck,
  type IsrCheckOptions,
} from './leader-replicas.js';
import type { LogAppendInfo, ReplicaLog } from './replica-log.js';
import { ReplicaState, type LeaderHint, type PartitionChange, type Role } from './replica-state.js';
import { summaryOf, type ReplicaSummary } from './lazy-log.js';

/**
 * A long-lived reader of many partitions (a leader's replication stream) told of their changes
 * (Partition.watch). Called synchronously inside the change: it must be cheap and must not throw.
 */
export interface PartitionWatcher {
  partitionChanged(partition: Partition, change: PartitionChange): void;
  /** Whether it is parked waiting for news of `partition` now (counted in waiterCount). */
  waitsOn(partition: Partition): boolean;
}

export interface ReadResult {
  /** Whole stored batches; the first may start before the requested offset. Empty when caught up. */
  bytes: Buffer;
  /** Where to read next. */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

export type OffsetQuery = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'timestamp'; timestampMs: number };

export interface ListedOffset {
  offset: number;
  /** Timestamp of the record at `offset` for timestamp queries that found one; -1 otherwise. */
  timestampMs: number;
  logStartOffset: number;
  highWatermark: number;
}

export interface PartitionOptions {
  topic: string;
  partition: number;
  topicId: string;
  localBrokerId: number;
  /**
   * This broker process's incarnation (BrokerRegistration.brokerEpoch), undefined until it has
   * registered. The partition leads only when the state names this broker *and* this incarnation.
   */
  localBrokerEpoch?: number | undefined;
  log: ReplicaLog;
  state: PartitionState;
  leaderHint?: LeaderHint;
  /** For follower lag and acks=all deadlines (tests inject one). Default: the system clock. */
  clock?: Clock;
  /** Where the idempotent producers' table says it fell back (no usable producer snapshot). */
  logger?: ProducerStateLogger;
  /** Called when that table is rebuilt because there was no producer snapshot at all (the broker counts them). */
  onNoProducerSnapshot?: (() => void) | undefined;
}

export class Partition {
  readonly topic: string;
  readonly partition: number;
  readonly topicId: string;
  private readonly s: ReplicaState;
  private readonly log: ReplicaLog;
  private readonly leader: LeaderReplicas;
  private readonly follower: FollowerApply;
  /** Idempotent producers' recent batches (dedupe of retries), kept on leader and followers alike. */
  private readonly producers: IdempotentAppender;
  /** Trace contexts of recent leader appends, so replication continues each produce's trace. */
  private readonly appendTraces = new AppendTraceIndex();
  /** See watch. */
  private readonly watchers = new Set<PartitionWatcher>();

  constructor(options: PartitionOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.topicId = options.topicId;
    this.log = options.log;
    this.s = new ReplicaState({
      topic: options.topic,
      partition: options.partition,
      localBrokerId: options.localBrokerId,
      localBrokerEpoch: options.localBrokerEpoch,
      log: options.log,
      state: options.state,
      leaderHint: options.leaderHint ?? ((id) => ({ 'leader-id': String(id) })),
    });
    this.leader = new LeaderReplicas(this.s, options.clock ?? systemClock);
    this.producers = new IdempotentAppender(this.s.name, options.logger, options.onNoProducerSnapshot);
    this.follower = new FollowerApply(this.s, this.producers);
    if (this.role === 'leader') this.leader.becameLeader();
    this.leader.recomputeHighWatermark();
  }

  /** 'leader' only when the state names this broker and this process's incarnation (ReplicaState.role). */
  get role(): Role {
    return this.s.role;
  }
  get leaderEpoch(): number {
    return this.s.state.leaderEpoch;
  }
  get leaderId(): number {
    return this.s.state.leader;
  }
  get isr(): readonly number[] {
    return this.s.state.isr;
  }
  get highWatermark(): number {
    return this.s.highWatermark;
  }
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }
  get logEndOffset(): number {
    return this.log.logEndOffset;
  }
  get sizeInBytes(): number {
    return this.log.sizeInBytes;
  }
  get segmentCount(): number {
    return this.log.segmentCount;
  }
  get closed(): boolean {
    return this.s.closed;
  }
  /** Parked readers, producers and replication requests; 0 when no one waits (the leak check). */
  get waiterCount(): number {
    let n = this.s.waiters.size + this.s.appendWaiters.size;
    for (const w of this.watchers) if (w.waitsOn(this)) n += 1;
    return n;
  }
  /** The metadata state this partition acts on (leader, epochs, replicas, ISR). */
  get currentState(): PartitionState {
    return this.s.state;
  }
  /** The latest leader epoch of a batch in the log, -1 when empty. */
  get latestEpoch(): number {
    return this.log.latestEpoch;
  }

  /**
   * Applies the controller's view of this partition. A state with an older leader epoch than the
   * one applied (a late watch event) is ignored; returns whether the state was taken. Wakes every
   * waiter so long polls and streams re-check their role.
   */
  applyState(state: PartitionState): boolean {
    const { s } = this;
    if (state.leaderEpoch < s.state.leaderEpoch) return false;
    if (state.leaderEpoch === s.state.leaderEpoch && state.partitionEpoch < s.state.partitionEpoch) return false;
    const epochChanged = state.leaderEpoch !== s.state.leaderEpoch;
    const wasLeader = s.role === 'leader';
    s.state = state;
    if (s.role === 'leader' && (epochChanged || !wasLeader)) this.leader.becameLeader();
    this.leader.recomputeHighWatermark();
    if (epochChanged || wasLeader !== (s.role === 'leader')) s.wakeAll();
    return true;
  }

  /**
   * Tells the partition which incarnation this process registered as (see role). Called once the
   * broker has joined the cluster, and again after it re-registers; wakes waiters on a role change.
   */
  setIncarnation(brokerEpoch: number | undefined): void {
    const { s } = this;
    if (brokerEpoch === s.incarnation) return;
    const wasLeader = s.role === 'leader';
    s.incarnation = brokerEpoch;
    const isLeader = s.role === 'leader';
    if (isLeader && !wasLeader) this.leader.becameLeader();
    this.leader.recomputeHighWatermark();
    if (isLeader !== wasLeader) s.wakeAll();
  }

  /** KIP-101: the largest epoch <= `epoch` in this log and its end offset ({-1, -1} when none). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.log.endOffsetForEpoch(epoch);
  }

  // ---- the leader's side of replication (leader-replicas.ts)

  /**
   * Leader side of a follower fetch, before reading: fences the follower's epoch, detects a
   * diverging log (KIP-320: its last fetched epoch ends earlier here, or is unknown here), checks
   * the offset range, and only then records the follower's position (which may advance the HW).
   * Throws FENCED when the follower follows an older epoch (it must catch up on metadata),
   * NOT_LEADER_OR_FOLLOWER when this broker does not lead (or has not seen the follower's newer
   * epoch yet), OFFSET_OUT_OF_RANGE when the follower is below our log start (it must start over
   * there: the range is in the message and the response carries the log start offset).
   */
  checkFollowerFetch(fetch: FollowerFetch): FollowerFetchCheck {
    return this.leader.checkFollowerFetch(fetch);
  }

  /**
   * Replication hook: a follower reports its log end offset (the fetch offset of its last fetch
   * under the current epoch). May advance the HW.
   */
  updateFollowerPosition(brokerId: number, brokerEpoch: number, logEndOffset: number): void {
    this.leader.updateFollowerPosition(brokerId, brokerEpoch, logEndOffset);
  }

  /** Leader: the ISR this partition should have now, or undefined when it is right (see FollowerTracker). */
  proposeIsr(options: IsrCheckOptions): number[] | undefined {
    return this.leader.proposeIsr(options);
  }

  /** Leader: stored batches from `offset` up to the log end (not the HW), for a follower (`into`: as read's). */
  async readForFollower(offset: number, maxBytes: number, into?: ReadInto): Promise<{ bytes: Buffer; nextOffset: number }> {
    this.s.throwIfClosed();
    this.s.assertLeader();
    return this.log.read(offset, maxBytes, undefined, into);
  }

  /** Leader: the trace context of the traced append holding or following `offset`; {} when none. */
  traceContextAt(offset: number): TraceCarrier {
    return this.appendTraces.find(offset, Number.POSITIVE_INFINITY);
  }

  /** Leader: parks until the LEO exceeds `offset` (a replication stream waiting for new data). */
  waitForAppend(offset: number, options: WaitOptions = {}): Promise<WakeReason> {
    if (this.s.closed) return Promise.resolve('changed');
    if (this.log.logEndOffset > offset) return Promise.resolve('advanced');
    return this.s.appendWaiters.wait(offset, options);
  }

  /**
   * Tells `watcher`, synchronously, of every leader append ('append', the log end already moved),
   * high watermark advance ('highWatermark', already moved) and role/epoch change or close
   * ('changed'), until unwatch; a closed partition forgets its watchers after telling them. For a
   * reader of many partitions that waits on all of them again and again (a replication stream
   * following hundreds): one registration per reader and partition, kept across its waits, instead
   * of a waiter with a timer and an abort listener per partition per wait.
   */
  watch(watcher: PartitionWatcher): void {
    if (this.s.closed) return;
    this.watchers.add(watcher);
    this.s.onChange ??= (change) => {
      for (const w of this.watchers) w.partitionChanged(this, change);
      if (this.s.closed) this.watchers.clear();
    };
  }

  unwatch(watcher: PartitionWatcher): void {
    this.watchers.delete(watcher);
  }

  // ---- the follower's apply (follower-apply.ts)

  /**
   * Follower: appends batches copied from the leader of `leaderEpoch` and takes the leader's HW
   * (capped at our LEO). Refused when the partition moved to another epoch meanwhile.
   */
  appendAsFollower(batches: Buffer, leaderEpoch: number, leaderHighWatermark: number): Promise<void> {
    return this.follower.append(batches, leaderEpoch, leaderHighWatermark);
  }

  /** Follower: cuts the log at `offset` (KIP-101 divergence), never below the log start. */
  truncateAsFollower(offset: number, leaderEpoch: number): Promise<void> {
    return this.follower.truncate(offset, leaderEpoch);
  }

  /** Follower: empties the log and restarts it at the leader's log start (we fell below it). */
  restartAsFollowerAt(offset: number, leaderEpoch: number): Promise<void> {
    return this.follower.restartAt(offset, leaderEpoch);
  }

  // ---- the leader's append

  /**
   * The leader-side checks a write must pass, without writing: role, epoch fencing, and for
   * acks=all the ISR size against min.insync.replicas. Callers run it for every partition of a
   * request before appending anything, so a refused request writes nothing.
   */
  checkAppend(options: AppendOptions): void {
    this.leader.checkAppend(options);
  }

  /**
   * Appends one batch as leader (validated by the produce plan, its header parsed there once),
   * stamping offsets and the current leader epoch. Resolves per `acks`: 'none' and 'leader' once
   * the log has it, 'all' once the HW passes the batch's last offset. Throws what checkAppend
   * throws (before writing), and REQUEST_TIMED_OUT when acks=all waits longer than `timeoutMs`
   * (the batch then stays in the log and may still be committed).
   *
   * The checks run again here, at the moment of writing (the caller's run came before awaits:
   * validation, earlier batches' acks): for an idempotent batch when its turn in the producers'
   * queue comes, else at once.
   */
  async append(batch: ValidatedBatch, options: AppendOptions): Promise<LogAppendInfo> {
    const check = (): number => {
      this.leader.checkAppend(options);
      return this.s.state.leaderEpoch;
    };
    // Remembered before a follower can read the batch, so its copy joins this produce's trace.
    const write = (epoch: number): Promise<LogAppendInfo> => this.log.appendAsLeader(batch, epoch, this.appendTraces.capture());
    let done: { info: LogAppendInfo; epoch: number };
    if (isIdempotent(batch.header)) {
      // The producers' table is rebuilt from the files when they open: before the dedupe check.
      if (this.log.materialized === false) await this.log.materialize?.();
      done = await this.producers.append(this.log, batch.header, check, write);
    } else {
      const epoch = check();
      done = { info: await write(epoch), epoch };
      await this.producers.afterPlainAppend(this.log);
    }
    this.s.appendWaiters.advance(this.log.logEndOffset);
    this.s.onChange?.('append');
    this.leader.recomputeHighWatermark();
    if (options.acks === 'all') {
      const attributes = {
        'samsa.topic': this.topic,
        'samsa.partition': this.partition,
        'samsa.last_offset': done.info.lastOffset,
        'samsa.isr_size': this.s.state.isr.length,
      };
      await withChildSpan('partition.await_isr', attributes, () =>
        this.leader.awaitCommitted(done.info.lastOffset, done.epoch, options.minInsyncReplicas, options.timeoutMs ?? 30_000),
      );
    }
    return done.info;
  }

  /**
   * Rebuilds the idempotent producers' table from the log: its newest producer snapshot, then the
   * batches after it (IdempotentAppender.rebuild). Runs when the replica opens and after a truncation.
   */
  rebuildProducerState(): Promise<void> {
    return this.producers.rebuild(this.log);
  }

  /** The same from `log`, this partition's log just opened (lazy-log.ts onOpened), before anyone else uses it. */
  rebuildProducerStateFrom(log: ReplicaLog): Promise<void> {
    return this.producers.rebuild(log);
  }

  /** What this replica's log is now, for the clean-shutdown summaries (replica-summaries.ts). */
  logSummary(): ReplicaSummary {
    return summaryOf(this.log);
  }

  /**
   * The summary for the recovery checkpoint (recovery-checkpoint.ts): only when the log's files
   * are on disk as summarized (every change fsynced) and its active segment's size is known.
   */
  durableSummary(): ReplicaSummary | undefined {
    if (this.closed || !(this.log.isDurable?.() ?? false)) return undefined;
    const summary = summaryOf(this.log);
    return summary.activeSegmentBytes === undefined ? undefined : summary;
  }

  /** False while the log's files have not been opened (lazy-log.ts). */
  get logOpen(): boolean {
    return this.log.materialized !== false;
  }

  // ---- reads and the log's upkeep

  /** New retention and segment settings from a topic config change. */
  reconfigure(config: LogConfig): void {
    this.log.reconfigure(config);
  }

  /**
   * Reads committed data for a consumer: whole batches from the one holding `offset`, up to about
   * `maxBytes` (at least one batch when there is one), never beyond the HW. At offset == HW (or
   * between HW and LEO) the result is empty. Throws OFFSET_OUT_OF_RANGE outside [LSO, LEO] and
   * NOT_LEADER_OR_FOLLOWER on a follower (all reads go to the leader). Bytes read from a file land
   * in a buffer from `into` when given (libs/log read-buffers.ts).
   */
  async read(offset: number, maxBytes: number, into?: ReadInto): Promise<ReadResult> {
    this.s.throwIfClosed();
    this.s.assertLeader();
    this.checkOffsetInRange(offset);
    const highWatermark = this.s.highWatermark;
    if (offset >= highWatermark)
      return { bytes: Buffer.alloc(0), nextOffset: offset, highWatermark, logStartOffset: this.log.logStartOffset };
    const { bytes, nextOffset } = await this.log.read(offset, maxBytes, highWatermark, into);
    return { bytes, nextOffset, highWatermark, logStartOffset: this.log.logStartOffset };
  }

  /** Throws OFFSET_OUT_OF_RANGE, naming the valid range, when `offset` is outside [LSO, LEO]. */
  checkOffsetInRange(offset: number): void {
    const start = this.log.logStartOffset;
    const end = this.log.logEndOffset;
    if (offset < start || offset > end) {
      throw new SamsaError(
        'OFFSET_OUT_OF_RANGE',
        `${this.s.name}: offset ${offset} is out of range; valid offsets are ${start} to ${end} (log start to log end; committed up to ${this.s.highWatermark})`,
      );
    }
  }

  /**
   * Resolves an offset query on the leader. 'earliest' is the LSO, 'latest' the HW, a timestamp
   * the first committed offset whose record timestamp is >= it, or the HW when there is none.
   */
  async listOffsets(query: OffsetQuery): Promise<ListedOffset> {
    this.s.throwIfClosed();
    this.s.assertLeader();
    const base = { logStartOffset: this.log.logStartOffset, highWatermark: this.s.highWatermark };
    switch (query.kind) {
      case 'earliest':
        return { ...base, offset: base.logStartOffset, timestampMs: -1 };
      case 'latest':
        return { ...base, offset: base.highWatermark, timestampMs: -1 };
      case 'timestamp': {
        const found = await this.log.offsetForTimestamp(query.timestampMs);
        if (!found || found.offset >= base.highWatermark) return { ...base, offset: base.highWatermark, timestampMs: -1 };
        return { ...base, offset: Math.max(found.offset, base.logStartOffset), timestampMs: found.timestampMs };
      }
    }
  }

  /**
   * Parks until the HW exceeds `offset`, the role or epoch changes, the partition closes, the
   * timeout passes or the signal fires. Resolves at once with 'advanced' when the HW already
   * exceeds `offset`, and with 'changed' when closed. Callers re-check the partition after waking.
   */
  waitForData(offset: number, options: WaitOptions = {}): Promise<WakeReason> {
    if (this.s.closed) return Promise.resolve('changed');
    if (this.s.highWatermark > offset) return Promise.resolve('advanced');
    return this.s.waiters.wait(offset, options);
  }

  /**
   * Whether the log cleaner should clean this replica now (LogCleaner's CleanableReplica). Every
   * replica, leader or follower, cleans its own log below its own high watermark: what lies above
   * may still be truncated, and what lies below is the same on every replica, so replicas compact
   * independently and read the same latest value per key.
   */
  cleaningDue(): Promise<DirtyState | undefined> {
    if (this.s.closed) return Promise.resolve(undefined);
    return this.log.cleaningDue(this.s.highWatermark);
  }

  /** One cleaning pass below the high watermark (see cleaningDue). */
  clean(resources: { map: OffsetMap; throttler: Throttler }): Promise<CleanStats | undefined> {
    this.s.throwIfClosed();
    return this.log.clean({ ...resources, upperBoundOffset: this.s.highWatermark });
  }

  /** Deletes segments past retention; keeps the HW at or above the new log start. */
  async applyRetention(): Promise<void> {
    this.s.throwIfClosed();
    await this.log.applyRetention();
    this.leader.recomputeHighWatermark();
  }

  // ---- closing

  /**
   * Closes the log (a clean close writes the log's clean-shutdown marker) and fails every later
   * call, and every waiter on wake-up, with `reason`. Idempotent.
   */
  async close(reason: SamsaError): Promise<void> {
    if (!this.s.markClosed(reason)) return;
    await this.log.close();
  }

  /**
   * The storage under this replica failed: fails every later call and every waiter with `reason`
   * and lets the log's files go without vouching for them (the next open recovers the tail).
   * Idempotent; never throws.
   */
  async fail(reason: SamsaError): Promise<void> {
    this.s.markClosed(reason);
    await this.log.abandon();
  }

  /** Closes (if needed) and removes the partition's files: the topic was deleted or moved away. */
  async delete(reason: SamsaError): Promise<void> {
    this.s.markClosed(reason);
    await this.log.delete();
  }

  /** Throws the close reason if closed. */
  throwIfClosed(): void {
    this.s.throwIfClosed();
  }

  /** Throws NOT_LEADER_OR_FOLLOWER (or LEADER_NOT_AVAILABLE when there is no leader) unless this broker leads. */
  assertLeader(): void {
    this.s.assertLeader();
  }
}
