/**
 * Storage failures of a replica's log, told apart from everything else.
 *
 * A log whose disk is full, read-only, gone bad or out of descriptors cannot be trusted to hold
 * what it is asked to write: the broker takes that replica offline (ReplicaManager.markOffline),
 * the controller moves its partition to other replicas, and the broker tries it again later. Any
 * other error (a bad request, a fenced epoch, a closed partition) leaves the replica as it is.
 *
 * `guardStorage` wraps a ReplicaLog so that every operation that fails with a storage errno calls
 * `onFailure` once with the original error, and the caller gets STORAGE_ERROR (retriable: the
 * client refreshes metadata and goes to the new leader) instead of a raw errno.
 */
import { SamsaError } from '../errors/index.js';
import type { CleanOptions, LogConfig } from '../log/index.js';
import type { ReplicaLog } from './replica-log.js';

/** errno codes that mean "this log's storage failed", not "this request was wrong". */
const STORAGE_ERRNOS: ReadonlySet<string> = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EROFS',
  'EACCES',
  'EPERM',
  'EMFILE',
  'ENFILE',
  'ENXIO',
  'ENODEV',
]);

/** The storage errno of `err` or of any error in its cause chain, undefined when it has none. */
export function storageErrno(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && STORAGE_ERRNOS.has(code)) return code;
  }
  return undefined;
}

/**
 * `log` with every disk operation guarded (see the module comment). `name` names the replica in
 * the STORAGE_ERROR message. The returned object reads every property of `log` live, and has an
 * optional member (isDurable, materialize, the producer snapshots) only when `log` has it.
 */
export function guardStorage(log: ReplicaLog, name: string, onFailure: (err: Error) => void): ReplicaLog {
  return new GuardedLog(log, name, onFailure);
}

/**
 * A plain class, not a Proxy: every exchange of a replication stream, the ISR tick and the
 * checkpoint read the getters of every hosted replica's log, and a Proxy's get trap on each read
 * (no inlining, a Reflect.get per access) was 11-16 % of an idle 3,000-partition broker's samples
 * (docs/benchmarks.md "Scale", "Replicate fetch sessions").
 */
class GuardedLog implements ReplicaLog {
  readonly isDurable?: () => boolean;
  readonly materialize?: () => Promise<void>;
  readonly writeProducerSnapshot?: (offset: number, payload: Buffer) => Promise<void>;
  readonly readProducerSnapshot?: (maxOffset: number) => Promise<{ offset: number; payload: Buffer } | undefined>;

  constructor(
    private readonly log: ReplicaLog,
    private readonly name: string,
    private readonly onFailure: (err: Error) => void,
  ) {
    if (log.isDurable) this.isDurable = () => log.isDurable?.() ?? false;
    if (log.materialize) {
      const materialize = log.materialize;
      this.materialize = () => materialize.call(log);
    }
    if (log.writeProducerSnapshot) {
      const write = log.writeProducerSnapshot;
      this.writeProducerSnapshot = (offset, payload) => write.call(log, offset, payload);
    }
    if (log.readProducerSnapshot) {
      const read = log.readProducerSnapshot;
      this.readProducerSnapshot = (maxOffset) => read.call(log, maxOffset);
    }
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
  get latestEpoch(): number {
    return this.log.latestEpoch;
  }
  get activeSegmentBaseOffset(): number {
    return this.log.activeSegmentBaseOffset;
  }
  get activeSegmentBytes(): number | undefined {
    return this.log.activeSegmentBytes;
  }
  get epochEntries(): ReplicaLog['epochEntries'] {
    return this.log.epochEntries;
  }
  get materialized(): boolean | undefined {
    return this.log.materialized;
  }
  reconfigure(config: LogConfig): void {
    this.log.reconfigure(config);
  }
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.log.endOffsetForEpoch(epoch);
  }
  // close, abandon and delete are how a failed log is let go: not guarded.
  close(): Promise<void> {
    return this.log.close();
  }
  abandon(): Promise<void> {
    return this.log.abandon();
  }
  delete(): Promise<void> {
    return this.log.delete();
  }

  // The operations that touch the disk: guarded.
  appendAsLeader(...args: Parameters<ReplicaLog['appendAsLeader']>): ReturnType<ReplicaLog['appendAsLeader']> {
    return this.guard(() => this.log.appendAsLeader(...args));
  }
  appendAsFollower(batches: Buffer): ReturnType<ReplicaLog['appendAsFollower']> {
    return this.guard(() => this.log.appendAsFollower(batches));
  }
  truncateTo(offset: number): Promise<void> {
    return this.guard(() => this.log.truncateTo(offset));
  }
  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.guard(() => this.log.truncateFullyAndStartAt(offset));
  }
  read(...args: Parameters<ReplicaLog['read']>): ReturnType<ReplicaLog['read']> {
    return this.guard(() => this.log.read(...args));
  }
  offsetForTimestamp(timestampMs: number): ReturnType<ReplicaLog['offsetForTimestamp']> {
    return this.guard(() => this.log.offsetForTimestamp(timestampMs));
  }
  applyRetention(): Promise<unknown> {
    return this.guard(() => this.log.applyRetention());
  }
  cleaningDue(upperBoundOffset: number): ReturnType<ReplicaLog['cleaningDue']> {
    return this.guard(() => this.log.cleaningDue(upperBoundOffset));
  }
  clean(options: CleanOptions): ReturnType<ReplicaLog['clean']> {
    return this.guard(() => this.log.clean(options));
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      const code = storageErrno(err);
      if (code === undefined) throw err;
      const cause = err instanceof Error ? err : new Error(String(err));
      this.onFailure(cause);
      throw new SamsaError(
        'STORAGE_ERROR',
        `${this.name}: storage failed (${code}: ${cause.message}); the replica is offline on this broker and its partition moves to another replica`,
        { cause },
      );
    }
  }
}
