/**
 * A broker's metrics, as OpenTelemetry instruments (served by the Prometheus exporter at
 * /metrics; dots become underscores there and counters get `_total`):
 *
 *   samsa.broker.bytes_in / records_in      counter   {topic}   appended by Produce on this leader
 *   samsa.broker.bytes_out / records_out    counter   {topic}   returned by Fetch and sent by Consume
 *   samsa.broker.produce.duration           histogram {acks, outcome}  seconds, Produce as answered
 *   samsa.broker.fetch.duration             histogram {outcome}        seconds, Fetch incl. its long poll
 *   samsa.broker.open_streams               gauge     {kind}    Consume streams served (local / proxied)
 *   samsa.partition.log_size                gauge     {topic, partition}  bytes on disk, every hosted replica
 *   samsa.partition.log_end_offset          gauge     {topic, partition}
 *   samsa.partition.high_watermark          gauge     {topic, partition}  leaders only
 *   samsa.partition.isr_size                gauge     {topic, partition}  leaders only
 *   samsa.broker.under_replicated_partitions gauge    partitions led here whose ISR is smaller than their replica set
 *   samsa.broker.partitions                 gauge     {role}    hosted replicas by role
 *
 * Records are counted from batch headers (libs/record countRecords), never by decoding. The
 * gauges are read from the source at scrape time only, so they cost nothing between scrapes.
 * Owned by the broker's main; `close()` detaches the gauge callbacks.
 */
import type { Attributes, BatchObservableResult, Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { meter as samsaMeter } from './spans.js';

/** What the gauges read of one hosted replica (libs/replica's Partition satisfies it). */
export interface ObservedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly role: 'leader' | 'follower';
  readonly isr: readonly number[];
  readonly sizeInBytes: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly closed: boolean;
}

export interface BrokerMetricsSource {
  partitions(): Iterable<ObservedPartition>;
  /** The number of assigned replicas of a partition, from the cluster metadata; undefined when unknown. */
  replicationFactor(topic: string, partition: number): number | undefined;
}

export type StreamKind = 'local' | 'proxied';

/** Latency buckets in seconds: sub-millisecond appends up to 30 s long polls. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class BrokerMetrics {
  private readonly bytesIn: Counter;
  private readonly recordsIn: Counter;
  private readonly bytesOut: Counter;
  private readonly recordsOut: Counter;
  private readonly produceDuration: Histogram;
  private readonly fetchDuration: Histogram;
  private readonly openStreams: UpDownCounter;
  private readonly detach: () => void;

  constructor(source: BrokerMetricsSource, meter: Meter = samsaMeter) {
    this.bytesIn = meter.createCounter('samsa.broker.bytes_in', { unit: 'By', description: 'Record batch bytes appended by Produce on this broker (as leader)' });
    this.recordsIn = meter.createCounter('samsa.broker.records_in', { description: 'Records appended by Produce on this broker (as leader)' });
    this.bytesOut = meter.createCounter('samsa.broker.bytes_out', { unit: 'By', description: 'Record batch bytes read by Fetch and Consume on this broker' });
    this.recordsOut = meter.createCounter('samsa.broker.records_out', { description: 'Records read by Fetch and Consume on this broker' });
    this.produceDuration = meter.createHistogram('samsa.broker.produce.duration', {
      unit: 's',
      description: 'Produce requests, from arrival to answer (acks=all includes waiting for the ISR)',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
    });
    this.fetchDuration = meter.createHistogram('samsa.broker.fetch.duration', {
      unit: 's',
      description: 'Fetch requests, from arrival to answer (includes the long poll)',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
    });
    this.openStreams = meter.createUpDownCounter('samsa.broker.open_streams', { description: 'Consume streams open on this broker' });

    const logSize = meter.createObservableGauge('samsa.partition.log_size', { unit: 'By', description: 'Bytes of the partition log on disk' });
    const logEnd = meter.createObservableGauge('samsa.partition.log_end_offset', { description: 'Offset the next appended record gets' });
    const hw = meter.createObservableGauge('samsa.partition.high_watermark', { description: 'Committed offset (leaders only)' });
    const isrSize = meter.createObservableGauge('samsa.partition.isr_size', { description: 'In-sync replicas of a partition led here' });
    const underReplicated = meter.createObservableGauge('samsa.broker.under_replicated_partitions', {
      description: 'Partitions led here whose ISR is smaller than their replica set',
    });
    const byRole = meter.createObservableGauge('samsa.broker.partitions', { description: 'Partition replicas hosted here, by role' });
    const observables = [logSize, logEnd, hw, isrSize, underReplicated, byRole];
    const callback = (r: BatchObservableResult): void => {
      let under = 0;
      const roles = { leader: 0, follower: 0 };
      for (const p of source.partitions()) {
        if (p.closed) continue;
        const attrs: Attributes = { topic: p.topic, partition: p.partition };
        roles[p.role]++;
        r.observe(logSize, p.sizeInBytes, attrs);
        r.observe(logEnd, p.logEndOffset, attrs);
        if (p.role !== 'leader') continue;
        r.observe(hw, p.highWatermark, attrs);
        r.observe(isrSize, p.isr.length, attrs);
        const rf = source.replicationFactor(p.topic, p.partition);
        if (rf !== undefined && p.isr.length < rf) under++;
      }
      r.observe(underReplicated, under);
      r.observe(byRole, roles.leader, { role: 'leader' });
      r.observe(byRole, roles.follower, { role: 'follower' });
    };
    meter.addBatchObservableCallback(callback, observables);
    this.detach = () => meter.removeBatchObservableCallback(callback, observables);
  }
  /** A leader appended `bytes` of batches holding `records` records to `topic`. */
  produced(topic: string, bytes: number, records: number): void {
    this.bytesIn.add(bytes, { topic });
    this.recordsIn.add(records, { topic });
  }

  /** Fetch or Consume returned `bytes` of batches holding `records` records of `topic`. */
  fetched(topic: string, bytes: number, records: number): void {
    if (bytes === 0) return;
    this.bytesOut.add(bytes, { topic });
    this.recordsOut.add(records, { topic });
  }

  /** A Produce (one topic per request) answered after `seconds`; `outcome` is 'ok' or the error reason. */
  produceDone(seconds: number, topic: string, acks: string, outcome: string): void {
    this.produceDuration.record(seconds, { topic, acks, outcome });
  }

  fetchDone(seconds: number, outcome: string): void {
    this.fetchDuration.record(seconds, { outcome });
  }

  /** Counts a Consume stream as open until the returned function is called (idempotent). */
  streamOpened(kind: StreamKind): () => void {
    this.openStreams.add(1, { kind });
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.openStreams.add(-1, { kind });
    };
  }

  /** Detaches the gauge callbacks. */
  close(): void {
    this.detach();
  }
}
