/**
 * How a broker reports replicas whose idempotent producers were rebuilt without a producer
 * snapshot (ADR 0055; idempotent-appender.ts). After an upgrade every log with more than one
 * segment has none until its next roll, so each replica's rebuild used to warn: one identical
 * warning per partition, thousands on a large broker, for a known and expected state. Each
 * replica's line is now debug, and this counts them: one info line once start() has opened its
 * replicas, then, for replicas opened later (lazily, on first use), at most one a minute (logged at
 * the first rebuild after the minute; no timer), and what is left at close.
 */
import type { Clock } from '../runtime/index.js';

export const NO_SNAPSHOT_SUMMARY =
  'idempotent producers rebuilt from the active segment only (no producer snapshot: logs written before producer snapshots have none until their next roll); a retry of a batch older than that segment would be written again';

/** At most one summary line this often once the broker has started. */
const SUMMARY_INTERVAL_MS = 60_000;

export class NoSnapshotSummary {
  private pending = 0;
  private total = 0;
  /** Undefined while start() opens replicas: everything then goes into start's one line. */
  private lastMs: number | undefined;

  constructor(
    private readonly logger: { info(obj: object, msg: string): void },
    private readonly clock: Clock,
  ) {}

  /** One replica rebuilt without a snapshot. */
  add(): void {
    this.pending++;
    if (this.lastMs !== undefined && this.clock.nowMs() - this.lastMs >= SUMMARY_INTERVAL_MS) this.flush();
  }

  /** Logs what was counted since the last line (nothing when nothing was); start() ends with it, close() too. */
  flush(): void {
    this.lastMs = this.clock.nowMs();
    if (this.pending === 0) return;
    this.total += this.pending;
    this.logger.info({ replicas: this.pending, sinceStart: this.total }, NO_SNAPSHOT_SUMMARY);
    this.pending = 0;
  }
}
