/** How perf results read on a terminal: one progress line a second, a two-line summary at the end. */
import type { PerfProgress, PerfReport } from './meter.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (micros: number): string => (micros / 1000).toFixed(2);

/** e.g. "3.0 s: 1,204,000 records, 401,233 records/s, 40.1 MB/s, p50 1.20 ms, p99 3.10 ms (last 1 s)". */
export function formatProgress(label: string, p: PerfProgress): string {
  const lat = p.latency.count > 0 ? `, p50 ${ms(p.latency.percentile(50))} ms, p99 ${ms(p.latency.percentile(99))} ms` : '';
  return `${label} ${p.elapsedSeconds.toFixed(1)} s: ${int(p.records)} records, ${int(p.recordsPerSecond)} records/s, ${p.megabytesPerSecond.toFixed(1)} MB/s${lat} (last 1 s)`;
}

/**
 * Two lines:
 *   produce: 100,000 records in 1.23 s: 81,301 records/s, 8.13 MB/s (100-byte records, acks=all)
 *   latency (send) ms: p50 1.20 p95 2.30 p99 3.10 p99.9 4.00 max 5.00 mean 1.30
 */
export function formatSummary(label: string, r: PerfReport, detail: string): string {
  const rate = r.seconds > 0 ? r.records / r.seconds : 0;
  const mbps = r.seconds > 0 ? r.bytes / r.seconds / 1e6 : 0;
  const l = r.latency;
  return (
    `${label}: ${int(r.records)} records in ${r.seconds.toFixed(2)} s: ${int(rate)} records/s, ${mbps.toFixed(2)} MB/s (${detail})\n` +
    `latency (${r.latencyOf}) ms: p50 ${ms(l.percentile(50))} p95 ${ms(l.percentile(95))} p99 ${ms(l.percentile(99))} p99.9 ${ms(l.percentile(99.9))} max ${ms(l.max)} mean ${ms(l.mean)}`
  );
}
