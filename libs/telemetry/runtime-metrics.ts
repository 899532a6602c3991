/**
 * Process and Node runtime metrics, named as OpenTelemetry's conventions name them (the units
 * become Prometheus suffixes in prometheus-endpoint.ts):
 *
 *   process.cpu.time               counter    s   {cpu.mode: user|system}
 *   process.memory.usage           gauge      By  resident set size
 *   process.uptime                 gauge      s
 *   v8js.memory.heap.used          gauge      By  {v8js.heap.space.name}
 *   v8js.memory.heap.limit         gauge      By  the heap's size limit
 *   v8js.gc.duration               histogram  s   {v8js.gc.type: major|minor|incremental|weakcb}
 *   nodejs.eventloop.delay.p50 / .p99 / .max   gauge  s  event-loop delay since the last scrape (one that read >= 1 s of samples)
 *   nodejs.eventloop.utilization   gauge      1   share of time the loop was busy since the last scrape
 *
 * Read at scrape time (the event-loop delay histogram samples every 20 ms in the background, a
 * libuv timer that costs next to nothing; GC durations arrive from a PerformanceObserver). Owned by
 * start.ts, which calls close() at shutdown.
 */
import {
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  constants as perfConstants,
  type EventLoopUtilization,
} from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import type { BatchObservableResult, Meter } from '@opentelemetry/api';

const GC_KINDS: Readonly<Record<number, string>> = {
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const MIN_DELAY_SAMPLES = 50;

export class RuntimeMetrics {
  private readonly delay = monitorEventLoopDelay({ resolution: 20 });
  private readonly gcObserver: PerformanceObserver;
  private readonly detach: () => void;
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();

  constructor(meter: Meter) {
    this.delay.enable();
    const gc = meter.createHistogram('v8js.gc.duration', {
      unit: 's',
      description: 'Garbage collection pauses',
      advice: { explicitBucketBoundaries: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] },
    });
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind;
        gc.record(entry.duration / 1000, { 'v8js.gc.type': (kind !== undefined ? GC_KINDS[kind] : undefined) ?? 'other' });
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });

    const cpu = meter.createObservableCounter('process.cpu.time', { unit: 's', description: 'CPU time used by this process' });
    const rss = meter.createObservableGauge('process.memory.usage', { unit: 'By', description: 'Resident set size of this process' });
    const uptime = meter.createObservableGauge('process.uptime', { unit: 's', description: 'Seconds since this process started' });
    const heapUsed = meter.createObservableGauge('v8js.memory.heap.used', {
      unit: 'By',
      description: 'V8 heap bytes in use, by heap space',
    });
    const heapLimit = meter.createObservableGauge('v8js.memory.heap.limit', { unit: 'By', description: 'V8 heap size limit' });
    const p50 = meter.createObservableGauge('nodejs.eventloop.delay.p50', {
      unit: 's',
      description: 'Median event-loop delay since the last scrape',
    });
    const p99 = meter.createObservableGauge('nodejs.eventloop.delay.p99', {
      unit: 's',
      description: '99th percentile event-loop delay since the last scrape',
    });
    const max = meter.createObservableGauge('nodejs.eventloop.delay.max', {
      unit: 's',
      description: 'Largest event-loop delay since the last scrape',
    });
    const utilization = meter.createObservableGauge('nodejs.eventloop.utilization', {
      unit: '1',
      description: 'Share of time the event loop was busy since the last scrape',
    });
    const observables = [cpu, rss, uptime, heapUsed, heapLimit, p50, p99, max, utilization];
    const callback = (r: BatchObservableResult): void => {
      const usage = process.cpuUsage();
      r.observe(cpu, usage.user / 1e6, { 'cpu.mode': 'user' });
      r.observe(cpu, usage.system / 1e6, { 'cpu.mode': 'system' });
      r.observe(rss, process.memoryUsage.rss());
      r.observe(uptime, process.uptime());
      for (const space of getHeapSpaceStatistics())
        r.observe(heapUsed, space.space_used_size, { 'v8js.heap.space.name': space.space_name });
      r.observe(heapLimit, getHeapStatistics().heap_size_limit);
      // The histogram is in nanoseconds. It starts over after a scrape that read at least
      // MIN_DELAY_SAMPLES samples (one sample per 20 ms): two scrapes close together still read
      // figures, the second from the samples since before the first.
      if (this.delay.count > 0) {
        r.observe(p50, this.delay.percentile(50) / 1e9);
        r.observe(p99, this.delay.percentile(99) / 1e9);
        r.observe(max, this.delay.max / 1e9);
      }
      if (this.delay.count >= MIN_DELAY_SAMPLES) this.delay.reset();
      const now = performance.eventLoopUtilization();
      r.observe(utilization, performance.eventLoopUtilization(now, this.lastUtilization).utilization);
      this.lastUtilization = now;
    };
    meter.addBatchObservableCallback(callback, observables);
    this.detach = () => meter.removeBatchObservableCallback(callback, observables);
  }

  close(): void {
    this.detach();
    this.gcObserver.disconnect();
    this.delay.disable();
  }
}
