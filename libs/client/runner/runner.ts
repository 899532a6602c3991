/**
 * Handler-style consumption (run({ eachMessage | eachBatch })): the part shared by the assigned
 * consumer and the group consumer. Their fetch loops push chunks of records in here; the runner
 * runs the handler over them and says what may be committed.
 *
 * Contract:
 * - Order: one chunk of a partition at a time, in the order pushed; records in offset order.
 * - Concurrency: each executor (the consumer's thread, or one worker thread) runs up to `slots`
 *   partitions at once; ready partitions take turns a chunk at a time (round robin).
 * - Ownership: a partition belongs to one executor; partitions are spread evenly and moved (only
 *   between chunks) when the assignment changes.
 * - Back-pressure per partition: a partition with a chunk waiting is held (source.hold: its fetch
 *   stops pulling) until the chunk starts; a stopped or paused partition stays held. Others go on.
 * - Commits: finished() is, per partition, the offset below which every record's handler has
 *   finished (or its record was dead-lettered). Nothing at or past a failed record counts until it
 *   is retried successfully or dead-lettered.
 * - Failures (FailurePolicy): retry the record with the SDK's retry helper, then dead-letter it or
 *   stop its partition (only it).
 * - stop(): stops every partition after the record (or batch) in hand, waits for it, drops what is
 *   queued, ends the executors; finished() then says what to commit last.
 *
 * Owned: the executors (worker threads) and the revoke deadline timers; stop() ends them all.
 *
 * Why one file (~520 lines): it is the one place that owns the partition-to-executor table, the
 * chunk queues, holds and finished offsets together, which the contract above ties to each other.
 * Executors (executor.ts, worker-executor.ts), chunks (chunk.ts), options (run-options.ts) and
 * dead-lettering (dead-letter.ts) are already their own modules.
 */
import { SamsaError } from '../../errors/index.js';
import type { TopicPartition } from '../consumer/assignment.js';
import { retry, systemClock } from '../../runtime/index.js';
import type { RecordChunk } from './chunk.js';
import type { DeadLetterSource } from './dead-letter.js';
import { InThreadExecutor, toError, type Executor, type FailedRecord, type Outcome } from './executor.js';
import { loadHandler } from './handler-module.js';
import type { RunPlan, StoppedPartition } from './run-options.js';
import { WorkerExecutor } from './worker-executor.js';

export interface RunnerSource {
  /** Stop fetching this partition until release(). */
  hold(tp: TopicPartition): void;
  release(tp: TopicPartition): void;
  /** A chunk of `tp` starts (it left the queue): a source with per-partition credit may send one more. */
  taken(tp: TopicPartition): void;
  /** The records of `tp` below `next` are handled (after every chunk that ends, and on a stop). */
  progressed(tp: TopicPartition, next: number): void;
}

export interface RunnerDeps {
  source: RunnerSource;
  /** Produces a dead-letter record; resolves when durable. */
  deadLetter: (topic: string, record: FailedRecord, from: DeadLetterSource, error: Error, attempts: number) => Promise<void>;
  group: string | undefined;
  /** Told once when the run cannot go on (a worker died); the owner closes the consumer. */
  onFatal: (err: Error) => void;
}

interface Part {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  queue: RecordChunk[];
  busy: boolean;
  /** Every record below it is handled; undefined until one is. */
  next: number | undefined;
  stopped: StoppedPartition | undefined;
  paused: boolean;
  held: boolean;
  executor: number;
  abort: AbortController | undefined;
  startedAt: number;
  /** Taken away: finish (the queue too when `drain`), report, forget. */
  leaving: boolean;
  drain: boolean;
  deadline: NodeJS.Timeout | undefined;
}

const keyOf = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

export class Runner {
  private readonly parts = new Map<string, Part>();
  private readonly ready: Part[] = [];
  private readonly active: number[];
  private readonly running = new Set<Promise<void>>();
  private nextChunkId = 0;
  private stopping = false;
  private failure: Error | undefined;
  private maxConcurrent = 0;
  private maxQueued = 0;
  /** gone() calls waiting for partitions to be forgotten. */
  private readonly goneWaiters = new Set<() => void>();

  private constructor(
    private readonly plan: RunPlan,
    private readonly deps: RunnerDeps,
    private readonly executors: Executor[],
  ) {
    this.active = executors.map(() => 0);
  }

  /** Loads the handler or starts the workers (resolves when every worker has loaded its handler). */
  static async start(plan: RunPlan, deps: RunnerDeps): Promise<Runner> {
    let runner: Runner | undefined;
    const onBroken = (err: Error): void => runner?.fatal(err);
    if (plan.workers === 0) {
      const handler =
        plan.handler ?? (await loadHandler((plan.module as { url: string }).url, (plan.module as { export: string }).export, plan.mode));
      runner = new Runner(plan, deps, [new InThreadExecutor(handler, plan.concurrency)]);
      return runner;
    }
    const module = plan.module as { url: string; export: string };
    const started = await Promise.allSettled(
      Array.from({ length: plan.workers }, (_, i) =>
        WorkerExecutor.start({ url: module.url, export: module.export, mode: plan.mode }, plan.concurrency, i, onBroken),
      ),
    );
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.close()));
      throw failed.reason;
    }
    runner = new Runner(plan, deps, workers);
    return runner;
  }

  /** The most handlers that ran at once so far (an observable for tests and benchmarks). */
  get peakConcurrency(): number {
    return this.maxConcurrent;
  }

  /** The most chunks that waited at once in one partition's queue so far (the back-pressure bound). */
  get peakQueuedChunks(): number {
    return this.maxQueued;
  }

  /** Thread ids of the worker threads (empty without workers). */
  get workerThreadIds(): number[] {
    return this.executors.flatMap((e) => (e instanceof WorkerExecutor ? [e.threadId] : []));
  }

  /** A fetched chunk, records in offset order after those pushed before for its partition. */
  push(chunk: RecordChunk): void {
    if (this.stopping) return;
    const p = this.part(chunk);
    if (p.stopped) return;
    p.queue.push(chunk);
    this.maxQueued = Math.max(this.maxQueued, p.queue.length);
    this.settle(p);
  }

  /**
   * Takes partitions away. Their in-flight chunk stops after the record in hand and what is queued
   * is dropped; with `drainMs`, the queue is handled first, for at most that long. They are
   * reported (source.progressed) and forgotten once idle.
   */
  remove(tps: readonly TopicPartition[], drainMs?: number): void {
    for (const tp of tps) {
      const p = this.parts.get(keyOf(tp));
      if (!p || p.leaving) continue;
      p.leaving = true;
      p.drain = drainMs !== undefined;
      if (p.drain) {
        p.deadline = setTimeout(() => this.abandon(p), drainMs);
      } else {
        this.abandon(p);
      }
      this.settle(p);
    }
    this.rebalance();
  }

  /**
   * Resolves once none of `tps` is held here any more: each removed partition finished (or
   * abandoned) its chunk in hand and reported its progress (source.progressed). At once for a
   * partition the runner does not hold.
   */
  gone(tps: readonly TopicPartition[]): Promise<void> {
    const keys = tps.map(keyOf);
    const held = (): boolean => keys.some((k) => this.parts.has(k));
    if (!held()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (held() && !this.stopping) return;
        this.goneWaiters.delete(check);
        resolve();
      };
      this.goneWaiters.add(check);
    });
  }

  /** A partition given (back): it stops leaving, if it was. */
  keep(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const p = this.parts.get(keyOf(tp));
      if (!p?.leaving) continue;
      clearTimeout(p.deadline);
      p.leaving = false;
      p.drain = false;
    }
  }

  /** Forgets what was queued and handled for the partition (a seek): new chunks start over. */
  reset(tp: TopicPartition): void {
    const p = this.parts.get(keyOf(tp));
    if (!p) return;
    p.queue = [];
    p.next = undefined;
    p.stopped = undefined;
    p.abort?.abort();
    this.settle(p);
  }

  /** No new chunk of the partition starts while paused; its queue is kept. */
  setPaused(tp: TopicPartition, paused: boolean): void {
    const p = this.parts.get(keyOf(tp));
    if (!p) return;
    p.paused = paused;
    this.settle(p);
  }

  stopped(): StoppedPartition[] {
    return [...this.parts.values()].flatMap((p) => (p.stopped ? [p.stopped] : []));
  }

  /** Per partition with handled records: the offset to commit (every record below it is handled). */
  finished(): { topic: string; partition: number; offset: number }[] {
    return [...this.parts.values()].flatMap((p) =>
      p.next === undefined ? [] : [{ topic: p.topic, partition: p.partition, offset: p.next }],
    );
  }

  /**
   * When the longest-waiting partition now running last made progress (the system clock: its chunk
   * started, or a record of it finished), or undefined when none runs.
   */
  oldestRunningSince(): number | undefined {
    let oldest: number | undefined;
    for (const p of this.parts.values()) if (p.busy && (oldest === undefined || p.startedAt < oldest)) oldest = p.startedAt;
    return oldest;
  }

  /** Stops after the records in hand, drops the queues, ends the executors. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const p of this.parts.values()) {
      clearTimeout(p.deadline);
      p.queue = [];
      p.abort?.abort();
    }
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    for (const w of [...this.goneWaiters]) w();
    await Promise.allSettled(this.executors.map((e) => e.close()));
  }

  private fatal(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.deps.onFatal(err);
  }

  private part(tp: TopicPartition): Part {
    const key = keyOf(tp);
    let p = this.parts.get(key);
    if (!p) {
      p = {
        key,
        topic: tp.topic,
        partition: tp.partition,
        queue: [],
        busy: false,
        next: undefined,
        stopped: undefined,
        paused: false,
        held: false,
        executor: this.leastLoaded(),
        abort: undefined,
        startedAt: 0,
        leaving: false,
        drain: false,
        deadline: undefined,
      };
      this.parts.set(key, p);
    }
    return p;
  }

  private leastLoaded(): number {
    const load = this.executors.map(() => 0);
    for (const p of this.parts.values()) if (!p.leaving) load[p.executor] = (load[p.executor] ?? 0) + 1;
    return load.indexOf(Math.min(...load));
  }

  /** Evens out partitions per executor, moving only partitions with no chunk running. */
  private rebalance(): void {
    if (this.executors.length < 2) return;
    for (;;) {
      const owned = this.executors.map(() => [] as Part[]);
      for (const p of this.parts.values()) if (!p.leaving) owned[p.executor]?.push(p);
      const sizes = owned.map((o) => o.length);
      const most = sizes.indexOf(Math.max(...sizes));
      const least = sizes.indexOf(Math.min(...sizes));
      if ((sizes[most] ?? 0) - (sizes[least] ?? 0) < 2) return;
      const movable = owned[most]?.find((p) => !p.busy);
      if (!movable) return;
      movable.executor = least;
    }
  }

  /** Drops the partition's queue and stops its chunk after the record in hand. */
  private abandon(p: Part): void {
    clearTimeout(p.deadline);
    p.drain = false;
    p.queue = [];
    p.abort?.abort();
    this.settle(p);
  }

  private runnable(p: Part): boolean {
    return !p.busy && p.queue.length > 0 && !p.stopped && !p.paused && !this.stopping;
  }

  /** After any change of a partition: hold or release it, forget it when it left, schedule. */
  private settle(p: Part): void {
    if (p.leaving && !p.busy && p.queue.length === 0) {
      this.forget(p);
    } else {
      const hold = p.stopped !== undefined || p.paused || p.queue.length > 0;
      if (hold !== p.held && !p.leaving) {
        p.held = hold;
        if (hold) this.deps.source.hold(p);
        else this.deps.source.release(p);
      }
      if (this.runnable(p) && !this.ready.includes(p)) this.ready.push(p);
    }
    this.schedule();
  }

  private forget(p: Part): void {
    if (this.parts.get(p.key) !== p) return;
    clearTimeout(p.deadline);
    this.parts.delete(p.key);
    if (p.held) this.deps.source.release(p);
    if (p.next !== undefined) this.deps.source.progressed(p, p.next);
    for (const w of [...this.goneWaiters]) w();
  }

  private schedule(): void {
    for (let i = 0; i < this.ready.length;) {
      const p = this.ready[i] as Part;
      if (!this.runnable(p) || this.parts.get(p.key) !== p) {
        this.ready.splice(i, 1);
        continue;
      }
      if ((this.active[p.executor] ?? 0) >= (this.executors[p.executor] as Executor).slots) {
        i++;
        continue;
      }
      this.ready.splice(i, 1);
      this.start(p, p.queue.shift() as RecordChunk);
    }
  }

  private start(p: Part, chunk: RecordChunk): void {
    const index = p.executor;
    const executor = this.executors[index] as Executor;
    const id = ++this.nextChunkId;
    const abort = new AbortController();
    p.busy = true;
    p.abort = abort;
    p.startedAt = systemClock.nowMs();
    this.active[index] = (this.active[index] ?? 0) + 1;
    this.maxConcurrent = Math.max(
      this.maxConcurrent,
      this.active.reduce((a, b) => a + b, 0),
    );
    const done: Promise<void> = this.handle(p, chunk, id, executor, abort.signal)
      .catch((err: unknown) => this.fatal(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.running.delete(done);
        executor.release(id);
        this.active[index] = (this.active[index] ?? 1) - 1;
        p.busy = false;
        p.abort = undefined;
        if (p.next !== undefined && !p.leaving) this.deps.source.progressed(p, p.next);
        this.rebalance();
        this.settle(p);
      });
    this.running.add(done);
    // The chunk left the queue: the partition may fetch again.
    this.deps.source.taken(p);
    this.settle(p);
  }

  /**
   * Runs one chunk under the failure policy. Rejects only when the executor broke.
   *
   * A batch handler that keeps failing is narrowed down before anything is dead-lettered or
   * stopped: its records are run one at a time (a batch of one, with the same retries) from the
   * first unresolved record until one fails on its own, so an eachBatch that cannot say which
   * record was bad (a shell command per batch) dead-letters that record, not the first of its batch.
   */
  private async handle(p: Part, chunk: RecordChunk, id: number, executor: Executor, signal: AbortSignal): Promise<void> {
    const progress = (next: number): void => {
      p.next = next;
      // Liveness counts from the last record finished, not from the chunk's start: a long chunk
      // of quick records is progress, one record stuck past the session timeout is not.
      p.startedAt = systemClock.nowMs();
    };
    let from = chunk.first;
    let single = false;
    for (;;) {
      const until = single ? from : undefined;
      const { out, attempts } = await this.attempt(executor, chunk, id, from, until, signal, progress);
      if (out.kind === 'stopped') {
        p.next = out.next;
        return;
      }
      if (out.kind === 'done') {
        const end = until ?? chunk.last;
        p.next = end + 1;
        if (end >= chunk.last) return;
        // One at a time until the record that fails alone is found.
        from = end + 1;
        continue;
      }
      p.next = out.offset;
      if (this.plan.mode === 'batch' && !single && out.offset < chunk.last) {
        from = out.offset;
        single = true;
        continue;
      }
      const error = toError(out.error);
      const deadLetterTopic = this.plan.onError.deadLetterTopic;
      if (deadLetterTopic === undefined) {
        this.stopPartition(p, out.offset, error);
        return;
      }
      try {
        await this.deps.deadLetter(
          deadLetterTopic,
          out.record,
          { topic: p.topic, partition: p.partition, offset: out.offset, group: this.deps.group },
          error,
          attempts,
        );
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        this.stopPartition(
          p,
          out.offset,
          new SamsaError(
            'INTERNAL_ERROR',
            `the handler failed (${error.message}) and the record could not be dead-lettered to ${deadLetterTopic}: ${why}`,
            { cause: err },
          ),
        );
        return;
      }
      p.next = out.offset + 1;
      if (out.offset >= chunk.last) return;
      from = out.offset + 1;
      single = false;
    }
  }

  /**
   * Runs the chunk's records in [from, until] and retries a failing record per the policy. Resolves
   * with 'done', 'stopped' (closing or taken away, also mid-retry), or the failure that outlasted
   * its retries, with how many times that record was tried.
   */
  private async attempt(
    executor: Executor,
    chunk: RecordChunk,
    id: number,
    from: number,
    until: number | undefined,
    signal: AbortSignal,
    progress: (next: number) => void,
  ): Promise<{ out: Outcome; attempts: number }> {
    let out: Outcome = await executor.run(chunk, id, from, signal, progress, until);
    for (;;) {
      if (out.kind !== 'failed') return { out, attempts: 1 };
      let failure = out;
      let attempts = 1;
      let broken: unknown;
      try {
        out = await retry(
          async (n) => {
            if (n === 0) throw toError(failure.error);
            attempts++;
            let again: Outcome;
            try {
              again = await executor.run(chunk, id, failure.offset, signal, progress, until);
            } catch (err) {
              broken = err;
              throw err;
            }
            if (again.kind === 'failed' && again.offset === failure.offset) {
              failure = again;
              throw toError(again.error);
            }
            return again;
          },
          this.plan.onError.retry ?? { retries: 0 },
          { isRetriable: () => !signal.aborted && broken === undefined, signal },
        );
        // Past the failed record: done, stopped, or a new failure further on (retried afresh).
        continue;
      } catch {
        if (broken !== undefined) throw broken;
        // Closing or taken away mid-retry: the failed record stays uncommitted.
        if (signal.aborted) return { out: { kind: 'stopped', next: failure.offset }, attempts };
      }
      return { out: failure, attempts };
    }
  }

  private stopPartition(p: Part, offset: number, error: Error): void {
    p.stopped = { topic: p.topic, partition: p.partition, offset, error };
    p.queue = [];
    this.plan.onPartitionStopped?.(p.stopped);
  }
}
