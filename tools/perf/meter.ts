/**
 * Counts what a perf run moved and how long it took, and reports progress once a second. The
 * meter owns its interval timer: start() starts it, stop() stops it (idempotent), and the run
 * function that made the meter calls stop() in a finally block.
 */
import { LatencyHistogram } from './histogram.js';

/** What a run moved, from its first record to its last. */
export interface PerfReport {
  records: number;
  /** Value bytes (keys and framing not counted, as Kafka's perf tools count). */
  bytes: number;
  seconds: number;
  /** Latency in microseconds; what is timed depends on the workload (see `latencyOf`). */
  latency: LatencyHistogram;
  /** What one latency sample is, in words ("send", "chunk wait", "produce to receipt"). */
  latencyOf: string;
}

/** One progress report: totals so far and the rate over the last interval. */
export interface PerfProgress {
  elapsedSeconds: number;
  records: number;
  bytes: number;
  /** Records/s and value MB/s over the last interval. */
  recordsPerSecond: number;
  megabytesPerSecond: number;
  /** Latency samples of the last interval, in microseconds. */
  latency: LatencyHistogram;
}

export type ProgressListener = (progress: PerfProgress) => void;

export class Meter {
  readonly latency = new LatencyHistogram();
  private readonly intervalLatency = new LatencyHistogram();
  private records = 0;
  private bytes = 0;
  private startedAt = 0;
  private endedAt: number | undefined;
  private last = { at: 0, records: 0, bytes: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly latencyOf: string,
    private readonly onProgress?: ProgressListener,
    private readonly everyMs = 1000,
  ) {}

  /** Starts the clock (and the progress timer, when there is a listener). */
  start(): void {
    this.startedAt = performance.now();
    this.last = { at: this.startedAt, records: 0, bytes: 0 };
    if (this.onProgress && !this.timer) this.timer = setInterval(() => this.report(), this.everyMs);
  }

  /** `records` records of `bytes` value bytes are done. */
  add(records: number, bytes: number): void {
    this.records += records;
    this.bytes += bytes;
  }

  /** One latency sample in microseconds, standing for `count` records. */
  sample(micros: number, count = 1): void {
    this.latency.record(micros, count);
    this.intervalLatency.record(micros, count);
  }

  get recordCount(): number {
    return this.records;
  }

  /** Stops the clock and the timer; the report covers start() to the first stop(). */
  stop(): PerfReport {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.endedAt ??= performance.now();
    return {
      records: this.records,
      bytes: this.bytes,
      seconds: (this.endedAt - this.startedAt) / 1000,
      latency: this.latency,
      latencyOf: this.latencyOf,
    };
  }

  private report(): void {
    const now = performance.now();
    const dt = (now - this.last.at) / 1000;
    const progress: PerfProgress = {
      elapsedSeconds: (now - this.startedAt) / 1000,
      records: this.records,
      bytes: this.bytes,
      recordsPerSecond: dt > 0 ? (this.records - this.last.records) / dt : 0,
      megabytesPerSecond: dt > 0 ? (this.bytes - this.last.bytes) / dt / 1e6 : 0,
      latency: this.intervalLatency,
    };
    this.last = { at: now, records: this.records, bytes: this.bytes };
    this.onProgress?.(progress);
    this.intervalLatency.reset();
  }
}
