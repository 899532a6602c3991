/**
 * The partition logs' fsync time, one histogram for the process (a broker):
 *
 *   samsa.log.fsync.duration  histogram  s  {reason: append|interval|roll}
 *
 * `append` is fsync=batch's per-append fsync (on the produce's path), `interval` the periodic flush
 * of fsync=interval:<ms> (and explicit flushes), `roll` the fsync that makes a full segment final.
 * The instrument is made on first use, after the SDK started (a meter taken earlier is a no-op).
 */
import { metrics, type Histogram } from '@opentelemetry/api';

export type FsyncReason = 'append' | 'interval' | 'roll';

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

let histogram: Histogram | undefined;

/** Runs `sync` and records how long it took. */
export async function timedFsync<T>(reason: FsyncReason, sync: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await sync();
  } finally {
    histogram ??= metrics.getMeter('samsa').createHistogram('samsa.log.fsync.duration', {
      unit: 's',
      description: 'fsync of partition log segments',
      advice: { explicitBucketBoundaries: BUCKETS },
    });
    histogram.record((performance.now() - started) / 1000, { reason });
  }
}
