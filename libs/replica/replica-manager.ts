/**
 * The set of partition replicas this broker hosts, kept in step with the cluster metadata.
 *
 * A broker hosts every partition whose assigned replicas include it. On start and after every
 * metadata change the manager reconciles (one reconcile at a time; changes that arrive meanwhile
 * cause exactly one more run):
 * - a partition assigned here and not hosted yet: hosted WITHOUT opening its files (lazy-log.ts,
 *   ADR 0051) when what they hold is known without looking: it has no directory (an empty log), or
 *   this broker's last clean shutdown summarized it (replica-summaries.ts) under the same topic id,
 *   or, after a crash, the recovery checkpoint vouches for it (recovery-checkpoint.ts, ADR 0054).
 *   Its files open on first real use. Otherwise (a directory of unknown state) its directory is
 *   opened now and the log recovers it before the replica is hosted. Either way
 *   the topic id is recorded in the directory when it is made, and a directory left by an
 *   earlier topic of the same name (other topic id) is deleted first, so a re-created topic never
 *   sees old data;
 * - an open partition whose state changed: the new leader / epoch / ISR is applied (stale epochs
 *   are ignored by the Partition);
 * - an open partition no longer assigned here, or whose topic was deleted or re-created: closed,
 *   its waiters woken with the reason, and its files deleted.
 * On start, directories of partitions the metadata does not assign here are deleted too (logged).
 * Exception: when the metadata lists no topics at all, local directories are left alone and a
 * warning is logged, because an empty or wrong etcd (wrong cluster id) must not wipe a broker.
 *
 * Replicas whose logs were not used for `idleReplicaCloseMs`, and the least recently used beyond
 * `maxOpenReplicas`, close their files again (closeIdleReplicas, ADR 0051) on an owned timer.
 *
 * Retention runs every `retentionCheckMs` on an owned timer. `close()` stops listening, clears the
 * timer, waits for the running reconcile, retention pass and background appends, then closes every
 * log cleanly.
 *
 * Why one file (~890 lines): reconcile, open or host lazily, close-and-delete, offline tracking,
 * the recovery checkpoint's view of the hosted replicas, retention and closing idle replicas all
 * change or walk the one map of hosted partitions (and the set of directories on disk) under
 * the one reconcile-at-a-time rule above, and close() must wait for each of them. Partition roles
 * (partition.ts and its parts), directories (partition-dir.ts), storage checks (storage-guard.ts),
 * the lazy log (lazy-log.ts) and the clean-shutdown summaries (replica-summaries.ts) are already
 * their own modules.
 */
import { mkdir, readdir, rm, writeFile, unlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SamsaError } from '../errors/index.js';
import type { Logger } from '../telemetry/index.js';
import type { BrokerRegistration, PartitionState, TopicRecord } from '../cluster/index.js';
import type { ClusterChange } from '../cluster/index.js';
import { DEFAULT_MAX_OPEN_FILES, FilePool, LogCleaner, PartitionLog, type CleanableReplica, type LogConfig } from '../log/index.js';
import { Semaphore, SerialQueue, systemClock, type Clock } from '../runtime/index.js';
import { Partition } from './partition.js';
import { LazyLog, emptySummary, summaryOf, type ReplicaSummary } from './lazy-log.js';
import { syncPath, takeSummaries, writeSummaries, type StoredSummary } from './replica-summaries.js';
import { RecoveryCheckpoint, removeRecoveryCheckpoint, takeRecoveryCheckpoint } from './recovery-checkpoint.js';
import type { ReplicaLog } from './replica-log.js';
import { guardStorage } from './storage-guard.js';
import { NoSnapshotSummary } from './no-snapshot-summary.js';
import { logConfigFor, DEFAULT_BROKER_LOG_DEFAULTS, type BrokerLogDefaults } from './log-config.js';
import {
  CLEAN_SHUTDOWN_FILE,
  parsePartitionDirName,
  partitionDir,
  partitionDirName,
  readPartitionTopicId,
  writePartitionTopicId,
} from './partition-dir.js';

/** Bytes written and synced to tell a disk that has room again from one that only opens files. */
const PROBE_BYTES = 64 * 1024;

/** Writes, syncs and removes a probe file in `dir`; throws what the disk throws (ENOSPC, EIO...). */
async function probeWritable(dir: string, files: FilePool): Promise<void> {
  const probe = join(dir, '.write-probe');
  try {
    await files.transient(probe, 'w', async (handle) => {
      await handle.write(Buffer.alloc(PROBE_BYTES));
      await handle.sync();
    });
  } finally {
    await unlink(probe).catch(() => undefined);
  }
}

/** What the manager reads from the cluster metadata (libs/cluster's ClusterView satisfies it). */
export interface ReplicaClusterView {
  topics(): Iterable<TopicRecord>;
  topic(name: string): TopicRecord | undefined;
  partitions(topic: string): Iterable<PartitionState>;
  partition(topic: string, partition: number): PartitionState | undefined;
  broker(id: number): BrokerRegistration | undefined;
  onChange(listener: (change: ClusterChange) => void): () => void;
}

/**
 * Opens a partition log. `beforeRewrite` (see PartitionLog.open) must be passed on: the recovery
 * checkpoint stops vouching for the log there (ADR 0054).
 */
export type OpenLog = (
  dir: string,
  config: LogConfig,
  logger: Logger,
  hooks: { beforeRewrite: () => Promise<void> },
) => Promise<ReplicaLog>;

export interface ReplicaManagerOptions {
  brokerId: number;
  dataDir: string;
  view: ReplicaClusterView;
  logger: Logger;
  /** How often retention runs; 0 turns the timer off. */
  retentionCheckMs: number;
  logDefaults?: BrokerLogDefaults;
  /** Opens a partition log; defaults to PartitionLog.open (tests may inject). */
  openLog?: OpenLog;
  /**
   * The broker's log-file pool (the one `openLog` opens logs with): the manager's own small files
   * (a replica's topic id, the write probe) go through it too. Default: a pool of its own.
   */
  files?: FilePool;
  /**
   * Told the replicas that are offline here (their log failed to open, or met a storage error)
   * whenever that list changes; the broker reports it to the controller (OfflineReplicas).
   */
  onOfflineChange?: (offline: OfflineReplica[]) => void;
  /** How often offline replicas are tried again (default 5 s). */
  offlineRetryMs?: number;
  /** The log cleaner of compacted topics (libs/log/log-cleaner.ts); absent: no cleaning. */
  cleaner?: { dedupeBufferBytes: number; ioMaxBytesPerSecond: number; backoffMs: number };
  /** For offline retries, follower lag and the cleaner. Default: the system clock. */
  clock?: Clock;
  /**
   * A replica whose log was not used (written, read below its end, truncated) for this long closes
   * its files and drops the log's memory; the next use opens them again (lazy-log.ts `release`).
   * 0 or absent: never.
   */
  idleReplicaCloseMs?: number;
  /**
   * Most replicas with open logs: beyond it the least recently used ones not in use close, as
   * idle ones do. 0 or absent: no limit.
   */
  maxOpenReplicas?: number;
  /** How often idle replicas are looked for (default: a quarter of idleReplicaCloseMs, 1-30 s; 5 s for the limit alone). */
  idleCheckMs?: number;
  /**
   * How often the recovery checkpoint (recovery-checkpoint.ts, ADR 0054) is brought up to date
   * (default 5 s); 0: none is kept, and after a crash every replica with files is recovered first.
   */
  checkpointIntervalMs?: number;
}

export interface OfflineReplica {
  topic: string;
  partition: number;
  reason: string;
}

const DEFAULT_OFFLINE_RETRY_MS = 5_000;
const DEFAULT_CHECKPOINT_INTERVAL_MS = 5_000;
/** Replicas hosted lazily per turn of the event loop: a 10,000-partition topic must not block it for seconds. */
const HOST_PER_TURN = 256;
/**
 * Replicas opened at once: those that cannot be hosted lazily (opened and recovered by a
 * reconcile) and lazily hosted ones on first use share the bound.
 */
const OPEN_CONCURRENCY = 8;

interface Desired {
  topic: TopicRecord;
  state: PartitionState;
}

const defaultOpenLog: OpenLog = (dir, config, logger, hooks) => PartitionLog.open(dir, config, { logger, ...hooks });

export class ReplicaManager {
  private readonly hosted = new Map<string, Partition>();
  /** The log of each hosted replica (newPartition), whose files closeIdleReplicas may close. */
  private readonly lazies = new Map<string, LazyLog>();
  private idleTimer: NodeJS.Timeout | undefined;
  private idleRun: Promise<unknown> | undefined;
  /** The topic config each hosted partition's log runs with (JSON), to spot config changes. */
  private readonly configs = new Map<string, string>();
  /**
   * Offline replicas: their log failed to open, or met a storage error while open (markOffline),
   * with why. Retried on every reconcile, and every offlineRetryMs while there are any.
   */
  private readonly failed = new Map<string, Error>();
  /** When each offline replica last failed: it is not tried again before offlineRetryMs has passed. */
  private readonly failedAtMs = new Map<string, number>();
  /** Failed replicas whose files are still being let go; reopening waits for it. */
  private readonly failing = new Map<string, Promise<void>>();
  private offlineRetryTimer: NodeJS.Timeout | undefined;
  private offlineReported = '[]';
  private readonly background = new Set<Promise<unknown>>();
  private readonly unsubscribe: () => void;
  private readonly openLog: OpenLog;
  private readonly files: FilePool;
  /**
   * Every open of a log goes through here, OPEN_CONCURRENCY at a time. An open is a dozen
   * file-system calls in a row, mostly waiting, so a few at once keep the disk busy (ADR 0054's
   * profile); unbounded, a hundred lazily hosted replicas used at once (leadership moved back to a
   * restarted broker) each held descriptors beside a full log-file pool: EMFILE under a low limit.
   */
  private readonly opens = new Semaphore(OPEN_CONCURRENCY);
  private readonly logDefaults: BrokerLogDefaults;
  /**
   * Reconciles run one at a time; at most one waits behind the running one (reconcileQueued), so a
   * burst of metadata changes costs one more pass, not one per change.
   */
  private readonly reconciles = new SerialQueue();
  private reconcileQueued = false;
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRun: Promise<void> | undefined;
  private cleaner: LogCleaner | undefined;
  private closing = false;
  /** This process's broker epoch once registered (see Partition.role); undefined before. */
  private incarnation: number | undefined;
  /** True when the previous process left the clean-shutdown marker (BrokerRegistration.cleanStart). */
  readonly cleanStart: boolean;
  private readonly clock: Clock;
  /**
   * What the last clean shutdown left of each replica (ADR 0051), used at most once per replica:
   * a replica moved away and back later is hosted from its directory, not from this.
   */
  private readonly summaries: Map<string, StoredSummary>;
  /** Partition directories that exist (listed at start, then kept up to date as they are made and removed). */
  private readonly onDisk: Set<string>;
  /** The recovery checkpoint (ADR 0054); undefined when checkpointIntervalMs is 0. */
  private checkpoint: RecoveryCheckpoint | undefined;
  /** Replicas rebuilt without a producer snapshot, logged as counts (no-snapshot-summary.ts). */
  private readonly noSnapshot: NoSnapshotSummary;

  private constructor(
    private readonly options: ReplicaManagerOptions,
    cleanStart: boolean,
    summaries: Map<string, StoredSummary>,
    onDisk: Set<string>,
  ) {
    this.cleanStart = cleanStart;
    this.summaries = summaries;
    this.onDisk = onDisk;
    this.clock = options.clock ?? systemClock;
    this.noSnapshot = new NoSnapshotSummary(options.logger, this.clock);
    this.openLog = options.openLog ?? defaultOpenLog;
    this.files = options.files ?? new FilePool(DEFAULT_MAX_OPEN_FILES);
    this.logDefaults = options.logDefaults ?? DEFAULT_BROKER_LOG_DEFAULTS;
    this.unsubscribe = options.view.onChange((change) => {
      // Broker and controller changes do not change what is hosted here or who leads it.
      if (
        change.kind === 'broker' ||
        change.kind === 'admission' ||
        change.kind === 'offline' ||
        change.kind === 'controller' ||
        change.kind === 'drain'
      )
        return;
      // Leadership moves apply at once (a produce right after must see them); opening and
      // deleting logs is slow and goes through the serialized reconcile, which walks every
      // partition: only a change of what is hosted here asks for one. (One reconcile per change
      // was P x P work when a broker restart changed the ISR of each of its P partitions: 1,000
      // partitions kept every broker busy for minutes and cost them their leases.)
      if (change.kind !== 'partition') {
        this.applyStates();
        this.scheduleReconcile();
        return;
      }
      this.applyStateOf(change.topic, change.partition);
      const key = partitionDirName(change.topic, change.partition);
      const wanted = change.state?.replicas.includes(options.brokerId) ?? false;
      if (wanted !== this.hosted.has(key) || this.failed.has(key)) this.scheduleReconcile();
    });
  }

  /**
   * Opens (recovering) every partition the metadata assigns to this broker and removes stale
   * directories. Resolves once they are open; later changes are applied as they arrive.
   */
  static async start(options: ReplicaManagerOptions): Promise<ReplicaManager> {
    await mkdir(options.dataDir, { recursive: true });
    const marker = join(options.dataDir, CLEAN_SHUTDOWN_FILE);
    const cleanStart = await stat(marker).then(
      () => true,
      () => false,
    );
    // The marker, and the summaries written with it, only vouch for the shutdown that wrote them;
    // their removal is made durable before anything can change a log.
    const summaries = await takeSummaries(options.dataDir, cleanStart);
    await unlink(marker).catch(() => undefined);
    await syncPath(options.dataDir);
    const onDisk = new Set(
      (await readdir(options.dataDir, { withFileTypes: true }))
        .filter((e) => e.isDirectory() && parsePartitionDirName(e.name))
        .map((e) => e.name),
    );
    const checkpointing = (options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS) > 0;
    const fromCheckpoint = new Set<string>();
    if (!cleanStart) {
      // After a crash, replicas the recovery checkpoint vouches for are hosted from it, like summaries.
      const { view, brokerId, dataDir } = options;
      const vouched = await takeRecoveryCheckpoint(dataDir, checkpointing, (key, topicId) => {
        const parsed = parsePartitionDirName(key);
        if (!parsed || !onDisk.has(key) || view.topic(parsed.topic)?.topicId !== topicId) return undefined;
        const assigned = view.partition(parsed.topic, parsed.partition)?.replicas.includes(brokerId) ?? false;
        return assigned ? partitionDir(dataDir, parsed.topic, parsed.partition) : undefined;
      });
      for (const [key, entry] of vouched) {
        summaries.set(key, entry);
        fromCheckpoint.add(key);
      }
    }
    if (cleanStart) await removeRecoveryCheckpoint(options.dataDir);
    const manager = new ReplicaManager(options, cleanStart, summaries, onDisk);
    try {
      await manager.removeStaleDirs();
      manager.scheduleReconcile();
      await manager.reconciles.idle();
    } catch (err) {
      await manager.close();
      throw err;
    }
    manager.noSnapshot.flush();
    if (fromCheckpoint.size > 0)
      options.logger.info(
        { replicas: fromCheckpoint.size },
        'after an unclean shutdown, replicas unchanged since the recovery checkpoint are hosted from it without recovery',
      );
    if (checkpointing) {
      manager.checkpoint = new RecoveryCheckpoint({
        dataDir: options.dataDir,
        entries: () => manager.checkpointEntries(),
        intervalMs: options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
        logger: options.logger,
        onDisk: fromCheckpoint,
      });
      manager.checkpoint.start();
    }
    if (options.retentionCheckMs > 0) {
      manager.retentionTimer = setInterval(() => manager.runRetention(), options.retentionCheckMs);
    }
    const idleMs = options.idleReplicaCloseMs ?? 0;
    if (idleMs > 0 || (options.maxOpenReplicas ?? 0) > 0) {
      const every = options.idleCheckMs ?? (idleMs > 0 ? Math.min(30_000, Math.max(1_000, Math.floor(idleMs / 4))) : 5_000);
      manager.idleTimer = setInterval(() => {
        manager.idleRun ??= manager
          .closeIdleReplicas()
          .catch((err: unknown) => options.logger.warn({ err }, 'closing idle replicas failed'))
          .finally(() => (manager.idleRun = undefined));
      }, every);
    }
    if (options.cleaner) {
      manager.cleaner = new LogCleaner({
        ...options.cleaner,
        clock: manager.clock,
        logger: options.logger,
        replicas: () =>
          [...manager.hosted.values()]
            .filter((p) => !p.closed)
            .map((p): CleanableReplica => ({
              name: `${p.topic}-${p.partition}`,
              cleaningDue: () => p.cleaningDue(),
              clean: (r) => p.clean(r),
            })),
      });
      manager.cleaner.start();
    }
    manager.offlineRetryTimer = setInterval(() => {
      if (manager.failed.size > 0) manager.scheduleReconcile();
    }, options.offlineRetryMs ?? DEFAULT_OFFLINE_RETRY_MS);
    return manager;
  }

  /** What the recovery checkpoint vouches for now: every hosted replica whose log is durable. */
  private checkpointEntries(): Map<string, StoredSummary> {
    const out = new Map<string, StoredSummary>();
    if (this.closing) return out;
    for (const [key, p] of this.hosted) {
      const summary = p.durableSummary();
      if (summary) out.set(key, { topicId: p.topicId, ...summary });
    }
    return out;
  }

  /** The open replica of topic/partition, or undefined when this broker does not host it. */
  get(topic: string, partition: number): Partition | undefined {
    return this.hosted.get(partitionDirName(topic, partition));
  }

  /**
   * The open replica, waiting for a reconcile in progress when the metadata assigns it here but it
   * is not open yet. Throws STORAGE_ERROR when its log failed to open, NOT_READY while the broker
   * closes; undefined when this broker does not host it.
   */
  async partition(topic: string, partition: number): Promise<Partition | undefined> {
    if (this.closing) throw new SamsaError('NOT_READY', 'broker is shutting down');
    const key = partitionDirName(topic, partition);
    const open = this.hosted.get(key);
    if (open) return open;
    const state = this.options.view.partition(topic, partition);
    if (!state?.replicas.includes(this.options.brokerId)) return undefined;
    await this.reconciles.idle();
    const failure = this.failed.get(key);
    if (failure) throw new SamsaError('STORAGE_ERROR', `${key} could not be opened on broker ${this.options.brokerId}: ${failure.message}`);
    return this.hosted.get(key);
  }

  /**
   * Closes the files of the replicas not used for idleReplicaCloseMs, and of the least recently used
   * beyond maxOpenReplicas (never one in use); they answer from a summary until their next use
   * (lazy-log.ts `release`). The periodic timer calls this; returns how many closed.
   */
  async closeIdleReplicas(): Promise<number> {
    if (this.closing) return 0;
    const idleMs = this.options.idleReplicaCloseMs ?? 0;
    const max = this.options.maxOpenReplicas ?? 0;
    const now = this.clock.nowMs();
    let open = 0;
    const idle: { log: LazyLog; since: number }[] = [];
    for (const key of this.hosted.keys()) {
      const log = this.lazies.get(key);
      if (!log?.materialized) continue;
      open++;
      const since = log.idleSinceMs;
      if (since !== undefined) idle.push({ log, since });
    }
    idle.sort((a, b) => a.since - b.since);
    const overLimit = max > 0 ? open - max : 0;
    const chosen = idle.filter(({ since }, i) => i < overLimit || (idleMs > 0 && now - since >= idleMs));
    let closed = 0;
    // Through the opener: a close flushes and writes, like an open, and takes its turn among them.
    await Promise.all(
      chosen.map(({ log }) =>
        this.opens.run(async () => {
          if (!this.closing && (await log.release())) closed++;
        }),
      ),
    );
    if (closed > 0)
      this.options.logger.info(
        { closed, stillOpen: open - closed, hosted: this.hosted.size },
        'closed the files of replicas not used lately; they open again on first use',
      );
    return closed;
  }

  /** Brings the recovery checkpoint (ADR 0054) up to date now; the periodic timer does the same. */
  async checkpointNow(): Promise<void> {
    await this.checkpoint?.flush();
  }

  /** Resolves once no reconcile is pending (tests, and callers that just changed metadata). */
  async whenReconciled(): Promise<void> {
    do await this.reconciles.idle();
    while (this.reconciles.size > 0);
  }

  /**
   * Sets the incarnation this process registered as (the broker epoch of its registration) on
   * every replica, open or opened later. Until then no replica leads, whatever the metadata says.
   */
  setIncarnation(brokerEpoch: number | undefined): void {
    this.incarnation = brokerEpoch;
    for (const p of this.hosted.values()) p.setIncarnation(brokerEpoch);
  }

  /** The broker epoch set by setIncarnation, if any. */
  get brokerEpoch(): number | undefined {
    return this.incarnation;
  }

  /** Every open replica. */
  partitions(): Partition[] {
    return [...this.hosted.values()];
  }

  /**
   * Whether `partition` is the replica hosted now (not replaced, moved away or offline), without
   * waiting for a reconcile: a caller that looks the same partitions up again and again (a
   * replication stream, every exchange) keeps the Partition and checks it here instead.
   */
  isHosted(partition: Partition): boolean {
    return !this.closing && !partition.closed && this.hosted.get(partitionDirName(partition.topic, partition.partition)) === partition;
  }

  /** Parked readers and producers across all partitions (0 when no one waits). */
  get waiterCount(): number {
    let n = 0;
    for (const p of this.hosted.values()) n += p.waiterCount;
    return n;
  }

  /** leader-id and leader-address details for NOT_LEADER_OR_FOLLOWER errors. */
  leaderHint(leaderId: number): Record<string, string> {
    const broker = this.options.view.broker(leaderId);
    return broker
      ? { 'leader-id': String(leaderId), 'leader-address': `${broker.host}:${broker.port}` }
      : { 'leader-id': String(leaderId) };
  }

  /**
   * Owns a promise that outlives its request (acks=none appends): close() waits for it; a failure
   * is logged, as nobody else will hear of it.
   */
  track(work: Promise<unknown>, what: string): void {
    const owned = work.then(
      () => undefined,
      (err: unknown) => this.options.logger.warn({ err }, `${what} failed`),
    );
    this.background.add(owned);
    void owned.finally(() => this.background.delete(owned));
  }

  /** Stops reacting to metadata, stops retention, waits for running work, closes every log cleanly. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.unsubscribe();
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    if (this.offlineRetryTimer) clearInterval(this.offlineRetryTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    await this.idleRun;
    await this.checkpoint?.close();
    await this.cleaner?.close();
    await this.reconciles.idle();
    await this.retentionRun;
    await Promise.all([...this.background]);
    const reason = new SamsaError('NOT_READY', `broker ${this.options.brokerId} is shutting down`);
    const all = [...this.hosted];
    this.hosted.clear();
    const results = await Promise.allSettled(all.map(([, p]) => p.close(reason)));
    this.noSnapshot.flush();
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const f of failures) this.options.logger.error({ err: f.reason }, 'closing a partition log failed');
    if (failures.length === 0) {
      // Every log closed cleanly: the next start may host these replicas without opening them.
      // Replicas without a directory need no entry (no directory is an empty log).
      const summaries = new Map<string, StoredSummary>();
      for (const [key, p] of all) if (this.onDisk.has(key)) summaries.set(key, { topicId: p.topicId, ...p.logSummary() });
      await writeSummaries(this.options.dataDir, summaries).catch((err: unknown) =>
        this.options.logger.warn({ err }, 'could not write the replica summaries; the next start opens every replica'),
      );
      await writeFile(join(this.options.dataDir, CLEAN_SHUTDOWN_FILE), `${new Date().toISOString()}\n`).catch((err: unknown) =>
        this.options.logger.warn({ err }, 'could not write the clean-shutdown marker'),
      );
    }
  }

  private scheduleReconcile(): void {
    if (this.closing) return;
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    void this.reconciles.run(async () => {
      this.reconcileQueued = false;
      if (this.closing) return;
      try {
        await this.reconcile();
      } catch (err) {
        this.options.logger.error({ err }, 'applying cluster metadata failed; will retry on the next change');
      }
    });
  }

  /** Partitions the metadata assigns to this broker, by directory name. */
  private desired(): Map<string, Desired> {
    const out = new Map<string, Desired>();
    const { view, brokerId } = this.options;
    for (const topic of view.topics()) {
      for (const state of view.partitions(topic.name)) {
        if (state.replicas.includes(brokerId)) out.set(partitionDirName(topic.name, state.partition), { topic, state });
      }
    }
    return out;
  }

  /** Applies the current leader / epoch / ISR of every hosted partition still assigned here. Synchronous. */
  private applyStates(): void {
    for (const partition of this.hosted.values()) this.applyStateTo(partition);
  }

  private applyStateOf(topic: string, partition: number): void {
    const hosted = this.hosted.get(partitionDirName(topic, partition));
    if (hosted) this.applyStateTo(hosted);
  }

  private applyStateTo(partition: Partition): void {
    if (this.closing) return;
    const { view } = this.options;
    const topic = view.topic(partition.topic);
    const state = view.partition(partition.topic, partition.partition);
    if (topic?.topicId === partition.topicId && state?.replicas.includes(this.options.brokerId)) partition.applyState(state);
  }

  private async reconcile(): Promise<void> {
    const desired = this.desired();
    const { logger } = this.options;
    this.applyStates();
    // Each topic's config as text once per pass, not once per partition.
    const configText = new Map<string, string>();
    const configOf = (t: TopicRecord): string => {
      let text = configText.get(t.name);
      if (text === undefined) configText.set(t.name, (text = JSON.stringify(t.config)));
      return text;
    };
    const removals: { key: string; partition: Partition; want: Desired | undefined }[] = [];
    for (const [key, partition] of [...this.hosted]) {
      const want = desired.get(key);
      if (want && want.topic.topicId === partition.topicId) {
        const config = configOf(want.topic);
        if (this.configs.get(key) !== config) {
          partition.reconfigure(logConfigFor(want.topic.config, this.logDefaults));
          this.configs.set(key, config);
          logger.info({ partition: key, config: want.topic.config }, 'applied a topic config change');
          // Lowered retention acts now, on every replica, not at the next periodic check.
          this.track(partition.applyRetention(), 'retention after a topic config change');
        }
        continue;
      }
      this.hosted.delete(key);
      this.configs.delete(key);
      this.lazies.delete(key);
      removals.push({ key, partition, want });
    }
    // No longer hosted, so left out of the next checkpoint, which must be on disk before their files go.
    let keepFiles = false;
    if (removals.length > 0)
      await this.checkpoint?.forget(removals.map((r) => r.key)).catch((err: unknown) => {
        // The files stay (the next start deletes them) rather than go while a checkpoint may vouch for them.
        logger.error({ err }, 'could not update the recovery checkpoint; replicas moved off are closed but their files kept');
        keepFiles = true;
      });
    for (const { key, partition, want } of removals) {
      const deleted = !this.options.view.topic(partition.topic) || want !== undefined;
      const reason = deleted
        ? new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${partition.topic} was deleted`)
        : new SamsaError('NOT_LEADER_OR_FOLLOWER', `${key} was moved off broker ${this.options.brokerId}`);
      logger.info({ partition: key, topicId: partition.topicId, reason: reason.message }, 'removing partition replica');
      try {
        if (keepFiles) {
          await partition.close(reason);
          continue;
        }
        await partition.delete(reason);
        this.onDisk.delete(key);
      } catch (err) {
        logger.error({ err, partition: key }, 'deleting a partition replica failed');
      }
    }
    for (const key of [...this.failed.keys()]) {
      if (!desired.has(key)) {
        this.failed.delete(key);
        this.failedAtMs.delete(key);
      }
    }
    const retryMs = this.options.offlineRetryMs ?? DEFAULT_OFFLINE_RETRY_MS;
    let lazily = 0;
    let hostedThisTurn = 0;
    const toOpen: [string, Desired][] = [];
    for (const [key, want] of desired) {
      if (this.hosted.has(key) || this.closing) continue;
      // An offline replica waits its turn: reopening at every metadata change would flap it.
      if (this.clock.nowMs() - (this.failedAtMs.get(key) ?? -Infinity) < retryMs) continue;
      const summary = this.failed.has(key) ? undefined : this.lazySummary(key, want);
      if (summary) {
        this.hostLazily(key, want, summary);
        lazily++;
        if (++hostedThisTurn >= HOST_PER_TURN) {
          hostedThisTurn = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
        continue;
      }
      toOpen.push([key, want]);
    }
    await Promise.all(toOpen.map(([key, want]) => this.openAndHost(key, want)));
    if (lazily > 0)
      logger.info({ replicas: lazily, hosted: this.hosted.size }, 'hosting replicas without opening their files until first use');
    this.reportOffline();
  }

  /** Opens (recovering) `key`'s replica and hosts it, or records it offline when that fails. */
  private async openAndHost(key: string, want: Desired): Promise<void> {
    // A failed replica's files are let go first, without holding a place among the opens.
    await this.failing.get(key);
    await this.opens.run(() => this.openAndHostNow(key, want));
  }

  private async openAndHostNow(key: string, want: Desired): Promise<void> {
    if (this.hosted.has(key) || this.closing) return;
    try {
      const opened = await this.open(want);
      // The broker may have registered while this opened.
      opened.setIncarnation(this.incarnation);
      this.hosted.set(key, opened);
      this.configs.set(key, JSON.stringify(want.topic.config));
      this.failed.delete(key);
      this.failedAtMs.delete(key);
    } catch (err) {
      const retry = !this.failed.has(key);
      this.failed.set(key, err instanceof Error ? err : new Error(String(err)));
      this.failedAtMs.set(key, this.clock.nowMs());
      if (retry)
        this.options.logger.error(
          { err, partition: key, retryMs: this.options.offlineRetryMs ?? DEFAULT_OFFLINE_RETRY_MS },
          'opening a partition log failed; the replica is offline on this broker and is tried again periodically',
        );
    }
  }

  /**
   * What `key`'s log holds when that is known without opening it (ADR 0051), else undefined (the
   * replica is opened, and recovered if need be, before it is hosted): the clean-shutdown summary
   * of the same topic id, or, with no directory at all, an empty log.
   */
  private lazySummary(key: string, { topic }: Desired): ReplicaSummary | undefined {
    const stored = this.summaries.get(key);
    this.summaries.delete(key);
    if (stored && stored.topicId === topic.topicId && this.onDisk.has(key)) return stored;
    return this.onDisk.has(key) ? undefined : emptySummary();
  }

  /** Hosts `key` on a LazyLog: no I/O now; the files open on first use (see lazy-log.ts). */
  private hostLazily(key: string, want: Desired, summary: ReplicaSummary): void {
    const partition = this.newPartition(key, want, summary);
    this.hosted.set(key, partition);
    this.configs.set(key, JSON.stringify(want.topic.config));
    this.failed.delete(key);
    this.failedAtMs.delete(key);
  }

  /**
   * A Partition of `key` on a LazyLog: hosted from `summary` without its files, or on files already
   * `opened` (and `summary` theirs). Either way the files open through the manager's bounded opener
   * on first use, and close again when idle (closeIdleReplicas).
   */
  private newPartition(key: string, { topic, state }: Desired, summary: ReplicaSummary, opened?: ReplicaLog): Partition {
    const { dataDir, logger, brokerId } = this.options;
    const dir = partitionDir(dataDir, topic.name, state.partition);
    const name = `${topic.name}-${state.partition}`;
    let partition: Partition | undefined;
    const lazy = new LazyLog({
      summary,
      config: logConfigFor(topic.config, this.logDefaults),
      dir,
      name,
      open: async (config) => {
        const started = this.clock.nowMs();
        await this.prepareDir(topic, state.partition);
        this.onDisk.add(key);
        const log = await this.openLog(dir, config, logger.child({ partition: name }), this.hooksFor(key));
        logger.debug({ partition: name, ms: this.clock.nowMs() - started }, 'opened the files of a replica on first use');
        return log;
      },
      onOpened: (log) => partition?.rebuildProducerStateFrom(log) ?? Promise.resolve(),
      onFailed: (err) => this.markOffline(key, err),
      opens: this.opens,
      clock: this.clock,
      ...(opened ? { opened } : {}),
    });
    this.lazies.set(key, lazy);
    partition = new Partition({
      topic: topic.name,
      partition: state.partition,
      topicId: topic.topicId,
      localBrokerId: brokerId,
      localBrokerEpoch: this.incarnation,
      log: guardStorage(lazy, name, (err) => this.markOffline(key, err)),
      state,
      leaderHint: (id) => this.leaderHint(id),
      clock: this.clock,
      logger: logger.child({ partition: name }),
      onNoProducerSnapshot: () => this.noSnapshot.add(),
    });
    return partition;
  }

  /** What a log of `key` is opened with: before a rewrite of its files, the recovery checkpoint lets it go. */
  private hooksFor(key: string): { beforeRewrite: () => Promise<void> } {
    return { beforeRewrite: () => this.checkpoint?.forget([key]) ?? Promise.resolve() };
  }

  /**
   * Makes the replica's directory ready: data of an earlier topic of the same name deleted, the
   * directory made, this topic's id recorded.
   */
  private async prepareDir(topic: TopicRecord, partition: number): Promise<string> {
    const { dataDir, logger } = this.options;
    const dir = partitionDir(dataDir, topic.name, partition);
    const storedId = await readPartitionTopicId(dir, this.files);
    if (storedId !== undefined && storedId !== topic.topicId) {
      logger.warn({ dir, storedTopicId: storedId, topicId: topic.topicId }, 'deleting data of an earlier topic with the same name');
      await rm(dir, { recursive: true, force: true });
    }
    await mkdir(dir, { recursive: true });
    if (storedId !== topic.topicId) await writePartitionTopicId(dir, topic.topicId, this.files);
    return dir;
  }

  private async open({ topic, state }: Desired): Promise<Partition> {
    const { logger } = this.options;
    const dir = await this.prepareDir(topic, state.partition);
    const started = this.clock.nowMs();
    const key = partitionDirName(topic.name, state.partition);
    this.onDisk.add(key);
    // Opening an offline replica writes little; prove the disk takes a write before trusting it again.
    if (this.failed.has(key)) await probeWritable(dir, this.files);
    const name = `${topic.name}-${state.partition}`;
    const log = await this.openLog(
      dir,
      logConfigFor(topic.config, this.logDefaults),
      logger.child({ partition: name }),
      this.hooksFor(key),
    );
    const partition = this.newPartition(key, { topic, state }, summaryOf(log), log);
    try {
      await partition.rebuildProducerState();
    } catch (err) {
      this.lazies.delete(key);
      await log.abandon();
      throw err;
    }
    if (this.failed.has(key))
      logger.info({ partition: name }, 'an offline replica opened again: it follows and rejoins the ISR once caught up');
    logger.info(
      {
        partition: `${topic.name}-${state.partition}`,
        role: partition.role,
        leaderEpoch: state.leaderEpoch,
        logStartOffset: partition.logStartOffset,
        logEndOffset: partition.logEndOffset,
        ms: this.clock.nowMs() - started,
      },
      'partition replica open',
    );
    return partition;
  }

  /**
   * The storage under an open replica failed (guardStorage): the replica goes offline here. Its
   * waiters fail with STORAGE_ERROR, its files are let go without a clean marker, the controller
   * hears of it (reportOffline) and moves the partition on, and it is tried again periodically.
   */
  private markOffline(key: string, err: Error): void {
    if (this.closing) return;
    const partition = this.hosted.get(key);
    this.failed.set(key, err);
    this.failedAtMs.set(key, this.clock.nowMs());
    if (partition) {
      this.hosted.delete(key);
      this.configs.delete(key);
      this.lazies.delete(key);
      this.options.logger.error(
        { err, partition: key, retryMs: this.options.offlineRetryMs ?? DEFAULT_OFFLINE_RETRY_MS },
        'storage failed under a partition replica: it is offline on this broker until it opens again',
      );
      const failing = partition
        .fail(new SamsaError('STORAGE_ERROR', `${key} is offline on broker ${this.options.brokerId}: its storage failed (${err.message})`))
        .finally(() => this.failing.delete(key));
      this.failing.set(key, failing);
      this.track(failing, 'letting go of a failed replica');
    }
    this.reportOffline();
  }

  /** Tells onOfflineChange the offline replicas, when they changed since it was last told. */
  private reportOffline(): void {
    const list: OfflineReplica[] = [];
    for (const [key, err] of this.failed) {
      const parsed = parsePartitionDirName(key);
      if (parsed) list.push({ topic: parsed.topic, partition: parsed.partition, reason: err.message });
    }
    list.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    const text = JSON.stringify(list.map((o) => [o.topic, o.partition]));
    if (text === this.offlineReported) return;
    this.offlineReported = text;
    this.options.onOfflineChange?.(list);
  }

  /** Startup: delete local partition dirs the metadata does not assign here (see class comment). */
  private async removeStaleDirs(): Promise<void> {
    const { dataDir, logger, view } = this.options;
    const entries = await readdir(dataDir, { withFileTypes: true });
    const dirs = entries.filter((e) => e.isDirectory() && parsePartitionDirName(e.name));
    if (dirs.length === 0) return;
    if ([...view.topics()].length === 0) {
      logger.warn({ dataDir, dirs: dirs.length }, 'cluster metadata lists no topics; leaving local partition directories untouched');
      return;
    }
    const desired = this.desired();
    for (const entry of dirs) {
      const want = desired.get(entry.name);
      const dir = join(dataDir, entry.name);
      if (want) continue; // a re-created topic's stale dir is caught by its topic id in open()
      logger.warn({ dir }, 'deleting a partition directory that the cluster metadata no longer assigns to this broker');
      await rm(dir, { recursive: true, force: true });
      this.onDisk.delete(entry.name);
      this.summaries.delete(entry.name);
    }
  }

  private runRetention(): void {
    if (this.retentionRun || this.closing) return;
    const run = (async () => {
      for (const partition of [...this.hosted.values()]) {
        if (this.closing) return;
        if (partition.closed) continue;
        try {
          await partition.applyRetention();
        } catch (err) {
          this.options.logger.warn({ err, topic: partition.topic, partition: partition.partition }, 'retention failed');
        }
      }
    })();
    this.retentionRun = run.finally(() => {
      this.retentionRun = undefined;
    });
  }
}
