/**
 * The broker's background compaction (Kafka's LogCleaner thread, one here): every `backoffMs`
 * it asks each compacted replica whether cleaning is due (cleaner.ts: dirty ratio or max
 * compaction lag), cleans the dirtiest one, and repeats until none is due, then sleeps. One log
 * at a time, with one offset map (the memory bound, `dedupeBufferBytes`) and one throttler (the
 * I/O bound, `ioMaxBytesPerSecond` of reads plus writes), so cleaning never takes more than that
 * from the produce path, whatever the number of compacted partitions.
 *
 * A replica whose pass fails is logged and skipped until the next round. `close()` stops the
 * timer and waits for the pass in flight (its throttle sleeps end at once).
 */
import type { Clock } from '../runtime/index.js';
import type { CleanStats, DirtyState } from './cleaner.js';
import { OffsetMap } from './offset-map.js';
import { Throttler } from './throttler.js';

/** What the cleaner needs of a replica: the replica supplies its own upper bound (high watermark). */
export interface CleanableReplica {
  readonly name: string;
  cleaningDue(): Promise<DirtyState | undefined>;
  clean(resources: { map: OffsetMap; throttler: Throttler }): Promise<CleanStats | undefined>;
}

export interface LogCleanerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LogCleanerOptions {
  /** Memory of the offset map; 24 bytes per key at 90% load (offset-map.ts). */
  dedupeBufferBytes: number;
  /** Bytes read plus written per second; Infinity for no limit. */
  ioMaxBytesPerSecond: number;
  /** Pause between rounds when nothing is due. */
  backoffMs: number;
  clock: Clock;
  logger: LogCleanerLogger;
  replicas: () => Iterable<CleanableReplica>;
}

export interface LogCleanerTotals {
  passes: number;
  failures: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsKept: number;
  /** Wall-clock ms spent in passes (throttle sleeps included). */
  busyMs: number;
}

export class LogCleaner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private map: OffsetMap | undefined;
  private readonly abort = new AbortController();
  readonly totals: LogCleanerTotals = { passes: 0, failures: 0, bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsKept: 0, busyMs: 0 };

  constructor(private readonly options: LogCleanerOptions) {}

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.runRound(), this.options.backoffMs);
    this.timer.unref();
  }

  /** Runs a round now (or joins the one running); resolves when it ends. */
  runRound(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const skipped = new Set<string>();
    while (!this.closed) {
      let best: { replica: CleanableReplica; state: DirtyState } | undefined;
      for (const replica of this.options.replicas()) {
        if (skipped.has(replica.name)) continue;
        try {
          const state = await replica.cleaningDue();
          if (state && (!best || state.ratio > best.state.ratio)) best = { replica, state };
        } catch (err) {
          skipped.add(replica.name);
          this.options.logger.warn({ err, replica: replica.name }, 'could not measure a log for cleaning');
        }
      }
      if (!best || this.closed) return;
      skipped.add(best.replica.name);
      await this.cleanOne(best.replica, best.state);
    }
  }

  private async cleanOne(replica: CleanableReplica, state: DirtyState): Promise<void> {
    this.map ??= new OffsetMap(this.options.dedupeBufferBytes);
    const throttler = new Throttler(this.options.ioMaxBytesPerSecond, this.options.clock, undefined, this.abort.signal);
    const started = this.options.clock.nowMs();
    try {
      const stats = await replica.clean({ map: this.map, throttler });
      const ms = this.options.clock.nowMs() - started;
      this.totals.busyMs += ms;
      if (!stats) return;
      this.totals.passes++;
      this.totals.bytesRead += stats.bytesRead;
      this.totals.bytesWritten += stats.bytesWritten;
      this.totals.recordsRead += stats.recordsRead;
      this.totals.recordsKept += stats.recordsKept;
      this.options.logger.info(
        { replica: replica.name, dirtyRatio: Number(state.ratio.toFixed(3)), ...stats, ms, throttledMs: throttler.sleptMs },
        'cleaned a log',
      );
    } catch (err) {
      this.totals.failures++;
      this.totals.busyMs += this.options.clock.nowMs() - started;
      if (!this.closed) this.options.logger.warn({ err, replica: replica.name }, 'cleaning a log failed; it is tried again next round');
    }
  }

  /** Stops the timer and waits for the pass in flight. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.running;
  }
}
