/**
 * One hosted partition replica on this broker: its log, its role (leader or follower) and leader
 * epoch as the controller last published them, and the high watermark.
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
import type { PartitionState } from '../cluster/index.js';
import type { CleanOptions, CleanStats, DirtyState, LogConfig, OffsetMap, Throttler } from '../log/index.js';
import { AppendTraceIndex, withChildSpan, type TraceCarrier } from '../telemetry/index.js';
import { OffsetWaiters, type WaitOptions, type WakeReason } from './offset-waiters.js';
import { FollowerTracker } from './follower-progress.js';
import { ProducerStateTable } from './producer-state.js';
import { batchSizeAt, readBatchHeader } from '../record/index.js';

/** What a Partition needs from its log (libs/log's PartitionLog satisfies it). */
export interface ReplicaLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly sizeInBytes: number;
  readonly segmentCount: number;
  readonly latestEpoch: number;
  readonly activeSegmentBaseOffset: number;
  reconfigure(config: LogConfig): void;
  /** `onOffsets` runs with the batch's offsets before its bytes become readable. */
  appendAsLeader(batch: Buffer, leaderEpoch: number, onOffsets?: (baseOffset: number, lastOffset: number) => void): Promise<LogAppendInfo>;
  appendAsFollower(batches: Buffer): Promise<LogAppendInfo | undefined>;
  truncateTo(offset: number): Promise<void>;
  truncateFullyAndStartAt(offset: number): Promise<void>;
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number };
  read(offset: number, maxBytes: number, maxOffsetExclusive?: number): Promise<{ bytes: Buffer; nextOffset: number }>;
  offsetForTimestamp(timestampMs: number): Promise<{ offset: number; timestampMs: number } | undefined>;
  applyRetention(): Promise<unknown>;
  /** The log cleaner (libs/log/cleaner.ts): due below `upperBoundOffset`, and one pass. */
  cleaningDue(upperBoundOffset: number): Promise<DirtyState | undefined>;
  clean(options: CleanOptions): Promise<CleanStats | undefined>;
  close(): Promise<void>;
  /** Lets the files go without the clean-shutdown marker (the storage failed); never throws. */
  abandon(): Promise<void>;
  delete(): Promise<void>;
}

export interface LogAppendInfo {
  baseOffset: number;
  lastOffset: number;
  appendTimeMs: number;
  sizeInBytes: number;
}

export type Role = 'leader' | 'follower';

/** acks as the broker uses it: 'none' answers before writing, 'leader' after the local append, 'all' after the ISR has it. */
export type AckLevel = 'none' | 'leader' | 'all';

export interface AppendOptions {
  acks: AckLevel;
  /** The topic's min.insync.replicas; checked (for acks=all) before anything is written. */
  minInsyncReplicas: number;
  /** The leader epoch the caller believes in, when it carries one: stale ones get FENCED. */
  expectedLeaderEpoch?: number;
  /** acks=all: how long to wait for the ISR before REQUEST_TIMED_OUT (the write stays in the log). */
  timeoutMs?: number;
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

/** Details (leader-id, leader-address) for NOT_LEADER_OR_FOLLOWER errors; supplied by whoever knows addresses. */
export type LeaderHint = (leaderId: number) => Record<string, string>;

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
  /** ms clock for follower lag (tests inject one). */
  now?: () => number;
}

/** What a follower sends per partition on its replication stream. */
export interface FollowerFetch {
  followerId: number;
  /** The follower process's broker epoch (its incarnation). */
  followerBrokerEpoch: number;
  fetchOffset: number;
  /** Epoch of the follower's last batch, -1 when its log is empty. */
  lastFetchedEpoch: number;
  /** The leader epoch the follower is following. */
  currentLeaderEpoch: number;
}

/**
 * The leader's answer to a follower's position: go on fetching, or truncate first (KIP-320: the
 * follower's log diverges from ours after `endOffset` of `epoch`; -1 = no common epoch).
 */
export type FollowerFetchCheck = { kind: 'ok' } | { kind: 'diverging'; epoch: number; endOffset: number };

export interface IsrCheckOptions {
  lagTimeMaxMs: number;
  /** The admitted incarnation of a live broker, undefined when it is not live and admitted. */
  admittedEpochOf: (brokerId: number) => number | undefined;
}

export class Partition {
  readonly topic: string;
  readonly partition: number;
  readonly topicId: string;
  private readonly localBrokerId: number;
  private readonly log: ReplicaLog;
  private readonly leaderHint: LeaderHint;
  private readonly waiters = new OffsetWaiters();
  /** LEO waiters: replication streams parked until the leader appends. */
  private readonly appendWaiters = new OffsetWaiters();
  /** Trace contexts of recent leader appends, so replication continues each produce's trace. */
  private readonly appendTraces = new AppendTraceIndex();
  /** Leader only: followers' fetch positions and lag, for the HW and the ISR. */
  private readonly followers = new FollowerTracker();
  /** Leader only: the LEO when this broker became leader of the current epoch. */
  private epochStartOffset = 0;
  private readonly now: () => number;
  /** Idempotent producers' recent batches (dedupe of retries), kept on leader and followers alike. */
  private readonly producers = new ProducerStateTable();
  /** Idempotent appends run one at a time, so a sequence check and its update are atomic. */
  private idempotentTail: Promise<unknown> = Promise.resolve();
  private state: PartitionState;
  private incarnation: number | undefined;
  private hw: number;
  /** Set once closed: every later call throws it (UNKNOWN_TOPIC_OR_PARTITION when deleted, NOT_READY on shutdown...). */
  private closedWith: SamsaError | undefined;

  constructor(options: PartitionOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.topicId = options.topicId;
    this.localBrokerId = options.localBrokerId;
    this.log = options.log;
    this.leaderHint = options.leaderHint ?? ((id) => ({ 'leader-id': String(id) }));
    this.state = options.state;
    this.incarnation = options.localBrokerEpoch;
    this.now = options.now ?? Date.now;
    if (this.role === 'leader') this.becameLeader();
    // Until the ISR says otherwise nothing beyond the log start is known to be committed.
    this.hw = options.log.logStartOffset;
    this.recomputeHighWatermark();
  }

  /**
   * Leader only when the controller's state names this broker and this process's incarnation
   * (KIP-380): a restarted process, or one not registered yet, never leads in the epoch published
   * for an earlier process, whose log may hold what this one lost. Everything else is 'follower'.
   */
  get role(): Role {
    return this.state.leader === this.localBrokerId && this.incarnation !== undefined && this.state.leaderBrokerEpoch === this.incarnation
      ? 'leader'
      : 'follower';
  }
  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }
  get leaderId(): number {
    return this.state.leader;
  }
  get isr(): readonly number[] {
    return this.state.isr;
  }
  get highWatermark(): number {
    return this.hw;
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
    return this.closedWith !== undefined;
  }
  /** Parked readers and producers; 0 when no one waits (the leak check). */
  get waiterCount(): number {
    return this.waiters.size + this.appendWaiters.size;
  }

  /**
   * Applies the controller's view of this partition. A state with an older leader epoch than the
   * one applied (a late watch event) is ignored; returns whether the state was taken. Wakes every
   * waiter so long polls and streams re-check their role.
   */
  applyState(state: PartitionState): boolean {
    if (state.leaderEpoch < this.state.leaderEpoch) return false;
    if (state.leaderEpoch === this.state.leaderEpoch && state.partitionEpoch < this.state.partitionEpoch) return false;
    const epochChanged = state.leaderEpoch !== this.state.leaderEpoch;
    const wasLeader = this.role === 'leader';
    this.state = state;
    if (this.role === 'leader' && (epochChanged || !wasLeader)) this.becameLeader();
    this.recomputeHighWatermark();
    if (epochChanged || wasLeader !== (this.role === 'leader')) {
      this.waiters.wakeAll();
      this.appendWaiters.wakeAll();
    }
    return true;
  }

  /**
   * Tells the partition which incarnation this process registered as (see role). Called once the
   * broker has joined the cluster, and again after it re-registers; wakes waiters on a role change.
   */
  setIncarnation(brokerEpoch: number | undefined): void {
    if (brokerEpoch === this.incarnation) return;
    const wasLeader = this.role === 'leader';
    this.incarnation = brokerEpoch;
    const isLeader = this.role === 'leader';
    if (isLeader && !wasLeader) this.becameLeader();
    this.recomputeHighWatermark();
    if (isLeader !== wasLeader) {
      this.waiters.wakeAll();
      this.appendWaiters.wakeAll();
    }
  }

  private becameLeader(): void {
    this.epochStartOffset = this.log.logEndOffset;
    this.followers.reset(
      this.state.replicas.filter((id) => id !== this.localBrokerId),
      this.now(),
    );
  }

  /** The latest leader epoch of a batch in the log, -1 when empty. */
  get latestEpoch(): number {
    return this.log.latestEpoch;
  }

  /** KIP-101: the largest epoch <= `epoch` in this log and its end offset ({-1, -1} when none). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.log.endOffsetForEpoch(epoch);
  }

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
    this.throwIfClosed();
    if (fetch.currentLeaderEpoch < this.state.leaderEpoch) {
      throw new SamsaError(
        'FENCED',
        `${this.name}: follower ${fetch.followerId} follows leader epoch ${fetch.currentLeaderEpoch}; the current epoch is ${this.state.leaderEpoch}`,
      );
    }
    if (fetch.currentLeaderEpoch > this.state.leaderEpoch) {
      throw this.notLeader(
        `${this.name}: this broker has not yet seen leader epoch ${fetch.currentLeaderEpoch} (it knows ${this.state.leaderEpoch})`,
      );
    }
    this.assertLeader();
    if (!this.state.replicas.includes(fetch.followerId)) {
      throw new SamsaError(
        'NOT_LEADER_OR_FOLLOWER',
        `${this.name}: broker ${fetch.followerId} is not a replica (replicas [${this.state.replicas.join(', ')}])`,
      );
    }
    if (fetch.lastFetchedEpoch >= 0) {
      const ours = this.log.endOffsetForEpoch(fetch.lastFetchedEpoch);
      if (ours.epoch < fetch.lastFetchedEpoch || ours.endOffset < fetch.fetchOffset)
        return { kind: 'diverging', epoch: ours.epoch, endOffset: ours.endOffset };
    }
    const end = this.log.logEndOffset;
    if (fetch.fetchOffset > end) return { kind: 'diverging', epoch: this.log.latestEpoch, endOffset: end };
    if (fetch.fetchOffset < this.log.logStartOffset) {
      throw new SamsaError(
        'OFFSET_OUT_OF_RANGE',
        `${this.name}: follower ${fetch.followerId} fetches offset ${fetch.fetchOffset}, below the leader's log start ${this.log.logStartOffset}`,
      );
    }
    this.followers.onFetch(fetch.followerId, fetch.followerBrokerEpoch, fetch.fetchOffset, end, this.now());
    this.recomputeHighWatermark();
    return { kind: 'ok' };
  }

  /** Leader: stored batches from `offset` up to the log end (not the HW), for a follower. */
  async readForFollower(offset: number, maxBytes: number): Promise<{ bytes: Buffer; nextOffset: number }> {
    this.throwIfClosed();
    this.assertLeader();
    return this.log.read(offset, maxBytes);
  }

  /** Leader: the trace context of the traced append holding or following `offset`; {} when none. */
  traceContextAt(offset: number): TraceCarrier {
    return this.appendTraces.find(offset, Number.POSITIVE_INFINITY);
  }

  /** Leader: parks until the LEO exceeds `offset` (a replication stream waiting for new data). */
  waitForAppend(offset: number, options: WaitOptions = {}): Promise<WakeReason> {
    if (this.closedWith) return Promise.resolve('changed');
    if (this.log.logEndOffset > offset) return Promise.resolve('advanced');
    return this.appendWaiters.wait(offset, options);
  }

  /** Leader: the ISR this partition should have now, or undefined when it is right (see FollowerTracker). */
  proposeIsr(options: IsrCheckOptions): number[] | undefined {
    if (this.closedWith || this.role !== 'leader') return undefined;
    return this.followers.proposeIsr({
      self: this.localBrokerId,
      replicas: this.state.replicas,
      isr: this.state.isr,
      highWatermark: this.hw,
      epochStartOffset: this.epochStartOffset,
      nowMs: this.now(),
      lagTimeMaxMs: options.lagTimeMaxMs,
      admittedEpochOf: options.admittedEpochOf,
    });
  }

  /** The metadata state this partition acts on (leader, epochs, replicas, ISR). */
  get currentState(): PartitionState {
    return this.state;
  }

  /**
   * Follower: appends batches copied from the leader of `leaderEpoch` and takes the leader's HW
   * (capped at our LEO). Refused when the partition moved to another epoch meanwhile.
   */
  async appendAsFollower(batches: Buffer, leaderEpoch: number, leaderHighWatermark: number): Promise<void> {
    this.assertFollowing(leaderEpoch);
    if (batches.length > 0) {
      await this.log.appendAsFollower(batches);
      this.applyProducerBatches(batches);
    }
    this.followerHighWatermark(leaderHighWatermark);
  }

  /** Follower: cuts the log at `offset` (KIP-101 divergence), never below the log start. */
  async truncateAsFollower(offset: number, leaderEpoch: number): Promise<void> {
    this.assertFollowing(leaderEpoch);
    await this.log.truncateTo(Math.max(offset, this.log.logStartOffset));
    this.followerHighWatermark(this.hw);
    await this.rebuildProducerState();
  }

  /** Follower: empties the log and restarts it at the leader's log start (we fell below it). */
  async restartAsFollowerAt(offset: number, leaderEpoch: number): Promise<void> {
    this.assertFollowing(leaderEpoch);
    await this.log.truncateFullyAndStartAt(offset);
    this.hw = offset;
    this.producers.clear();
  }

  private assertFollowing(leaderEpoch: number): void {
    this.throwIfClosed();
    if (this.role !== 'follower' || this.state.leaderEpoch !== leaderEpoch) {
      throw new SamsaError(
        'FENCED',
        `${this.name}: no longer following epoch ${leaderEpoch} (now ${this.role} in epoch ${this.state.leaderEpoch})`,
      );
    }
  }

  private followerHighWatermark(leaderHighWatermark: number): void {
    const next = Math.max(this.log.logStartOffset, Math.min(leaderHighWatermark, this.log.logEndOffset));
    const advanced = next > this.hw;
    this.hw = next;
    if (advanced) this.waiters.advance(next);
  }

  /**
   * Replication hook: a follower reports its log end offset (the fetch offset of its last fetch
   * under the current epoch). May advance the HW.
   */
  updateFollowerPosition(brokerId: number, brokerEpoch: number, logEndOffset: number): void {
    if (brokerId === this.localBrokerId) return;
    this.followers.onFetch(brokerId, brokerEpoch, logEndOffset, this.log.logEndOffset, this.now());
    this.recomputeHighWatermark();
  }

  /**
   * The leader-side checks a write must pass, without writing: role, epoch fencing, and for
   * acks=all the ISR size against min.insync.replicas. Callers run it for every partition of a
   * request before appending anything, so a refused request writes nothing.
   */
  checkAppend(options: AppendOptions): void {
    this.throwIfClosed();
    if (options.expectedLeaderEpoch !== undefined) {
      if (options.expectedLeaderEpoch < this.state.leaderEpoch) {
        throw new SamsaError(
          'FENCED',
          `${this.name}: request carries leader epoch ${options.expectedLeaderEpoch} but the current epoch is ${this.state.leaderEpoch}`,
        );
      }
      if (options.expectedLeaderEpoch > this.state.leaderEpoch) {
        throw this.notLeader(
          `${this.name}: this broker has not yet seen leader epoch ${options.expectedLeaderEpoch} (it knows ${this.state.leaderEpoch})`,
        );
      }
    }
    this.assertLeader();
    if (options.acks === 'all' && this.state.isr.length < options.minInsyncReplicas) {
      throw new SamsaError(
        'NOT_ENOUGH_REPLICAS',
        `${this.name}: the in-sync replica set [${this.state.isr.join(', ')}] has ${this.state.isr.length} member(s), fewer than min.insync.replicas=${options.minInsyncReplicas}; nothing was written`,
      );
    }
  }

  /**
   * Appends one validated batch as leader, stamping offsets and the current leader epoch. Resolves
   * per `acks`: 'none' and 'leader' once the log has it, 'all' once the HW passes the batch's last
   * offset. Throws what checkAppend throws (before writing), and REQUEST_TIMED_OUT when acks=all
   * waits longer than `timeoutMs` (the batch then stays in the log and may still be committed).
   */
  async append(batch: Buffer, options: AppendOptions): Promise<LogAppendInfo> {
    this.checkAppend(options);
    const header = readBatchHeader(batch, 0);
    const idempotent = header.producerId >= 0 && header.baseSequence >= 0;
    const run = async (): Promise<{ info: LogAppendInfo; epoch: number }> => {
      // Leadership may have moved while this waited behind another idempotent append.
      if (idempotent) this.checkAppend(options);
      const epoch = this.state.leaderEpoch;
      if (idempotent) {
        const decision = this.producers.check(header, this.name);
        if (decision.kind === 'duplicate') {
          return { info: { baseOffset: decision.firstOffset, lastOffset: decision.lastOffset, appendTimeMs: -1, sizeInBytes: 0 }, epoch };
        }
      }
      // Remembered before a follower can read the batch, so its copy joins this produce's trace.
      const info = await this.log.appendAsLeader(batch, epoch, this.appendTraces.capture());
      if (idempotent) this.producers.update(header, info.baseOffset);
      return { info, epoch };
    };
    let done: { info: LogAppendInfo; epoch: number };
    if (idempotent) {
      const queued = this.idempotentTail.then(run, run);
      this.idempotentTail = queued.catch(() => undefined);
      done = await queued;
    } else {
      done = await run();
    }
    this.appendWaiters.advance(this.log.logEndOffset);
    this.recomputeHighWatermark();
    if (options.acks === 'all') {
      const attributes = {
        'samsa.topic': this.topic,
        'samsa.partition': this.partition,
        'samsa.last_offset': done.info.lastOffset,
        'samsa.isr_size': this.state.isr.length,
      };
      await withChildSpan('partition.await_isr', attributes, () =>
        this.awaitCommitted(done.info.lastOffset, done.epoch, options.minInsyncReplicas, options.timeoutMs ?? 30_000),
      );
    }
    return done.info;
  }

  /**
   * Rebuilds the idempotent producers' table from the log's batch headers, from the start of the
   * active segment (older batches are too old to be retried). Runs when the replica opens and
   * after a truncation.
   */
  async rebuildProducerState(): Promise<void> {
    this.producers.clear();
    let offset = Math.max(this.log.activeSegmentBaseOffset, this.log.logStartOffset);
    while (offset < this.log.logEndOffset) {
      const { bytes, nextOffset } = await this.log.read(offset, 8 << 20);
      if (bytes.length === 0 || nextOffset <= offset) break;
      this.applyProducerBatches(bytes);
      offset = nextOffset;
    }
  }

  /** New retention and segment settings from a topic config change. */
  reconfigure(config: LogConfig): void {
    this.log.reconfigure(config);
  }

  private applyProducerBatches(bytes: Buffer): void {
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
   * Reads committed data for a consumer: whole batches from the one holding `offset`, up to about
   * `maxBytes` (at least one batch when there is one), never beyond the HW. At offset == HW (or
   * between HW and LEO) the result is empty. Throws OFFSET_OUT_OF_RANGE outside [LSO, LEO] and
   * NOT_LEADER_OR_FOLLOWER on a follower (all reads go to the leader).
   */
  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    this.throwIfClosed();
    this.assertLeader();
    this.checkOffsetInRange(offset);
    const highWatermark = this.hw;
    if (offset >= highWatermark)
      return { bytes: Buffer.alloc(0), nextOffset: offset, highWatermark, logStartOffset: this.log.logStartOffset };
    const { bytes, nextOffset } = await this.log.read(offset, maxBytes, highWatermark);
    return { bytes, nextOffset, highWatermark, logStartOffset: this.log.logStartOffset };
  }

  /** Throws OFFSET_OUT_OF_RANGE, naming the valid range, when `offset` is outside [LSO, LEO]. */
  checkOffsetInRange(offset: number): void {
    const start = this.log.logStartOffset;
    const end = this.log.logEndOffset;
    if (offset < start || offset > end) {
      throw new SamsaError(
        'OFFSET_OUT_OF_RANGE',
        `${this.name}: offset ${offset} is out of range; valid offsets are ${start} to ${end} (log start to log end; committed up to ${this.hw})`,
      );
    }
  }

  /**
   * Resolves an offset query on the leader. 'earliest' is the LSO, 'latest' the HW, a timestamp
   * the first committed offset whose record timestamp is >= it, or the HW when there is none.
   */
  async listOffsets(query: OffsetQuery): Promise<ListedOffset> {
    this.throwIfClosed();
    this.assertLeader();
    const base = { logStartOffset: this.log.logStartOffset, highWatermark: this.hw };
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
    if (this.closedWith) return Promise.resolve('changed');
    if (this.hw > offset) return Promise.resolve('advanced');
    return this.waiters.wait(offset, options);
  }

  /**
   * Whether the log cleaner should clean this replica now (LogCleaner's CleanableReplica). Every
   * replica, leader or follower, cleans its own log below its own high watermark: what lies above
   * may still be truncated, and what lies below is the same on every replica, so replicas compact
   * independently and read the same latest value per key.
   */
  cleaningDue(): Promise<DirtyState | undefined> {
    if (this.closedWith) return Promise.resolve(undefined);
    return this.log.cleaningDue(this.hw);
  }

  /** One cleaning pass below the high watermark (see cleaningDue). */
  clean(resources: { map: OffsetMap; throttler: Throttler }): Promise<CleanStats | undefined> {
    this.throwIfClosed();
    return this.log.clean({ ...resources, upperBoundOffset: this.hw });
  }

  /** Deletes segments past retention; keeps the HW at or above the new log start. */
  async applyRetention(): Promise<void> {
    this.throwIfClosed();
    await this.log.applyRetention();
    this.recomputeHighWatermark();
  }

  /**
   * Closes the log (a clean close writes the log's clean-shutdown marker) and fails every later
   * call, and every waiter on wake-up, with `reason`. Idempotent.
   */
  async close(reason: SamsaError): Promise<void> {
    if (!this.markClosed(reason)) return;
    await this.log.close();
  }

  /**
   * The storage under this replica failed: fails every later call and every waiter with `reason`
   * and lets the log's files go without vouching for them (the next open recovers the tail).
   * Idempotent; never throws.
   */
  async fail(reason: SamsaError): Promise<void> {
    this.markClosed(reason);
    await this.log.abandon();
  }

  /** Closes (if needed) and removes the partition's files: the topic was deleted or moved away. */
  async delete(reason: SamsaError): Promise<void> {
    this.markClosed(reason);
    await this.log.delete();
  }

  /** Fails every later call and wakes every waiter with `reason`; false when already closed. */
  private markClosed(reason: SamsaError): boolean {
    if (this.closedWith) return false;
    this.closedWith = reason;
    this.waiters.wakeAll();
    this.appendWaiters.wakeAll();
    return true;
  }

  /** Throws the close reason if closed. */
  throwIfClosed(): void {
    if (this.closedWith) throw this.closedWith;
  }

  /** Throws NOT_LEADER_OR_FOLLOWER (or LEADER_NOT_AVAILABLE when there is no leader) unless this broker leads. */
  assertLeader(): void {
    if (this.role === 'leader') return;
    throw this.notLeader(`${this.name}: broker ${this.localBrokerId} is not the leader`);
  }

  private notLeader(message: string): SamsaError {
    if (this.state.leader < 0) {
      return new SamsaError('LEADER_NOT_AVAILABLE', `${this.name} has no live leader right now (epoch ${this.state.leaderEpoch})`);
    }
    if (this.state.leader === this.localBrokerId && this.role !== 'leader') {
      // Named leader, but for an earlier process of this broker (or this one has not registered
      // yet): the controller is about to move leadership on. Retriable, and no hint to ourselves.
      return new SamsaError(
        'LEADER_NOT_AVAILABLE',
        `${this.name}: leader epoch ${this.state.leaderEpoch} was published for an earlier incarnation of broker ${this.localBrokerId}; the controller is electing a leader for this one, retry shortly`,
      );
    }
    return new SamsaError('NOT_LEADER_OR_FOLLOWER', `${message}; the leader is broker ${this.state.leader}`, {
      details: this.leaderHint(this.state.leader),
    });
  }

  private get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  /** HW = min LEO over the ISR (never backwards on the leader, never below LSO nor above LEO). */
  private recomputeHighWatermark(): void {
    const leo = this.log.logEndOffset;
    let candidate: number;
    if (this.role !== 'leader') {
      // A follower learns its HW from the leader (replication); until then it keeps what it had.
      candidate = Math.min(this.hw, leo);
    } else if ((this.state.elr?.length ?? 0) > 0) {
      // The ISR is below min.insync.replicas and replicas outside it are still eligible to lead
      // (KIP-966): they hold what is committed now, not what this leader appends from here. So
      // nothing more commits (Kafka's rule with ELR too) until the ISR is back at the minimum;
      // otherwise a consumer could read records that an eligible replica, elected after this
      // leader lost its tail, never had.
      candidate = this.hw;
    } else {
      candidate = leo;
      for (const id of this.state.isr) {
        if (id === this.localBrokerId) continue;
        const end = this.followers.endOffset(id);
        candidate = Math.min(candidate, end ?? this.hw);
      }
      candidate = Math.max(candidate, this.hw);
    }
    const next = Math.min(Math.max(candidate, this.log.logStartOffset), leo);
    if (next !== this.hw) {
      const advanced = next > this.hw;
      this.hw = next;
      if (advanced) this.waiters.advance(next);
    }
  }

  /**
   * acks=all: waits until the HW passes `lastOffset`, or the leadership is lost, or the timeout.
   * The HW also passes a write when the ISR shrinks to members that have it, so on passing the
   * ISR is checked again: smaller than min.insync.replicas, the write was not made durable as
   * promised and is refused with NOT_ENOUGH_REPLICAS (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND;
   * the record stays in the log and may survive).
   */
  private async awaitCommitted(lastOffset: number, epoch: number, minInsyncReplicas: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const committed = (): boolean => {
      if (this.hw <= lastOffset) return false;
      if (this.state.isr.length < minInsyncReplicas) {
        throw new SamsaError(
          'NOT_ENOUGH_REPLICAS',
          `${this.name}: offset ${lastOffset} was committed by an in-sync replica set [${this.state.isr.join(', ')}] smaller than min.insync.replicas=${minInsyncReplicas}; the write is in the log but not acknowledged`,
        );
      }
      return true;
    };
    for (;;) {
      if (committed()) return;
      this.throwIfClosed();
      if (this.state.leaderEpoch !== epoch || this.role !== 'leader') {
        throw this.notLeader(`${this.name}: leadership changed before offset ${lastOffset} was committed`);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || (await this.waiters.wait(lastOffset, { timeoutMs: remaining })) === 'timeout') {
        if (committed()) return;
        throw new SamsaError(
          'REQUEST_TIMED_OUT',
          `${this.name}: offset ${lastOffset} was not replicated to the ISR within ${timeoutMs} ms`,
        );
      }
    }
  }
}
