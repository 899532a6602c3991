/**
 * A broker's metrics, as OpenTelemetry instruments (served at /metrics by prometheus-endpoint.ts:
 * dots become underscores, the unit a suffix, counters get `_total`). docs/metrics.md lists them all.
 *
 *   samsa.broker.produced.bytes / .records   counter   {topic}   appended by Produce on this leader
 *   samsa.broker.fetched.bytes / .records    counter   {topic}   returned by Fetch and sent by Consume
 *   samsa.broker.produce.duration           histogram s {topic, acks: all|1|0, outcome}  Produce as answered
 *   samsa.broker.fetch.duration             histogram s {outcome}  Fetch incl. its long poll
 *   samsa.broker.open_streams               gauge     {kind}    Consume streams served (local / proxied)
 *   samsa.partition.log.size                gauge     By {topic, partition}  bytes on disk, every hosted replica
 *   samsa.partition.log.segments            gauge     {topic, partition}  segment files, every hosted replica
 *   samsa.partition.log_end_offset          gauge     {topic, partition}
 *   samsa.partition.high_watermark          gauge     {topic, partition}  leaders only
 *   samsa.partition.isr_size                gauge     {topic, partition}  leaders only
 *   samsa.broker.under_replicated_partitions gauge    partitions led here whose ISR is smaller than their replica set
 *   samsa.broker.under_min_isr_partitions   gauge     partitions led here whose ISR is below min.insync.replicas (acks=all fails)
 *   samsa.broker.partitions                 gauge     {role}    hosted replicas by role (role="leader": the leader count)
 *   samsa.broker.open_replica_logs          gauge     hosted replicas whose log files are open (the rest answer from a summary, ADR 0051)
 *   samsa.broker.isr.shrinks / .expands     counter   ISR changes this broker made as leader (isrChanged)
 *   samsa.broker.tail_cache.reads           counter   {result: hit|miss}  reads at an active segment's end, answered from memory or the file
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
  /** Segment files of the log; undefined when the replica does not say. */
  readonly segmentCount?: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly closed: boolean;
  /** Whether the replica's log files are open now (false: hosted from a summary, ADR 0051); undefined when the replica does not say. */
  readonly logOpen?: boolean;
}

export interface BrokerMetricsSource {
  partitions(): Iterable<ObservedPartition>;
  /** The number of assigned replicas of a partition, from the cluster metadata; undefined when unknown. */
  replicationFactor(topic: string, partition: number): number | undefined;
  /** The topic's min.insync.replicas; undefined when unknown. */
  minInsyncReplicas?(topic: string): number | undefined;
  /** Bytes copied into replicas a reassignment is adding here (the throttled ones), since start. */
  reassignmentBytes?(): number;
  /** Reads at active segments answered from the tail cache (hits) or the file (misses), since start. */
  tailCacheReads?(): { hits: number; misses: number };
}

/** Produce's acks as Kafka writes them, for a label a person reads ("all", not "ACKS_ALL"). */
export function acksLabel(acks: string): string {
  switch (acks) {
    case 'ACKS_ALL':
    case 'ACKS_UNSPECIFIED': // treated as all (common.proto)
    case 'all':
      return 'all';
    case 'ACKS_LEADER':
    case 'ACKS_ONE':
    case '1':
      return '1';
    case 'ACKS_NONE':
    case '0':
      return '0';
    default:
      return acks.replace(/^ACKS_/, '').toLowerCase();
  }
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
  private readonly isrShrinks: Counter;
  private readonly isrExpands: Counter;
  private readonly detach: () => void;

  constructor(source: BrokerMetricsSource, meter: Meter = samsaMeter) {
    this.bytesIn = meter.createCounter('samsa.broker.produced.bytes', {
      unit: 'By',
      description: 'Record batch bytes appended by Produce on this broker (as leader)',
    });
    this.recordsIn = meter.createCounter('samsa.broker.produced.records', {
      unit: '{record}',
      description: 'Records appended by Produce on this broker (as leader)',
    });
    this.bytesOut = meter.createCounter('samsa.broker.fetched.bytes', {
      unit: 'By',
      description: 'Record batch bytes read by Fetch and Consume on this broker',
    });
    this.recordsOut = meter.createCounter('samsa.broker.fetched.records', {
      unit: '{record}',
      description: 'Records read by Fetch and Consume on this broker',
    });
    this.isrShrinks = meter.createCounter('samsa.broker.isr.shrinks', {
      unit: '{change}',
      description: 'ISR shrinks made by this broker as leader (a follower fell behind)',
    });
    this.isrExpands = meter.createCounter('samsa.broker.isr.expands', {
      unit: '{change}',
      description: 'ISR expands made by this broker as leader (a follower caught up)',
    });
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

    const logSize = meter.createObservableGauge('samsa.partition.log.size', {
      unit: 'By',
      description: 'Bytes of the partition log on disk',
    });
    const segments = meter.createObservableGauge('samsa.partition.log.segments', { description: 'Segment files of the partition log' });
    const underMinIsr = meter.createObservableGauge('samsa.broker.under_min_isr_partitions', {
      description: 'Partitions led here whose ISR is smaller than min.insync.replicas (acks=all produces fail)',
    });
    const logEnd = meter.createObservableGauge('samsa.partition.log_end_offset', { description: 'Offset the next appended record gets' });
    const hw = meter.createObservableGauge('samsa.partition.high_watermark', { description: 'Committed offset (leaders only)' });
    const isrSize = meter.createObservableGauge('samsa.partition.isr_size', { description: 'In-sync replicas of a partition led here' });
    const underReplicated = meter.createObservableGauge('samsa.broker.under_replicated_partitions', {
      description: 'Partitions led here whose ISR is smaller than their replica set',
    });
    const byRole = meter.createObservableGauge('samsa.broker.partitions', { description: 'Partition replicas hosted here, by role' });
    const openLogs = meter.createObservableGauge('samsa.broker.open_replica_logs', {
      description: 'Replicas hosted here whose log files are open (the others answer from a summary until their next use, ADR 0051)',
    });
    const reassignmentBytes = meter.createObservableCounter('samsa.replication.reassignment.bytes', {
      unit: 'By',
      description: 'Bytes copied into replicas a reassignment is adding to this broker (throttled)',
    });
    const tailReads = meter.createObservableCounter('samsa.broker.tail_cache.reads', {
      description: "Reads at an active segment's end: answered from the tail cache (hit) or the file (miss; SAMSA_TAIL_CACHE_BYTES)",
    });
    const observables = [
      logSize,
      segments,
      logEnd,
      hw,
      isrSize,
      underReplicated,
      underMinIsr,
      byRole,
      openLogs,
      reassignmentBytes,
      tailReads,
    ];
    const callback = (r: BatchObservableResult): void => {
      let under = 0;
      let belowMin = 0;
      const roles = { leader: 0, follower: 0 };
      let open = 0;
      for (const p of source.partitions()) {
        if (p.closed) continue;
        const attrs: Attributes = { topic: p.topic, partition: p.partition };
        roles[p.role]++;
        if (p.logOpen !== false) open++;
        r.observe(logSize, p.sizeInBytes, attrs);
        if (p.segmentCount !== undefined) r.observe(segments, p.segmentCount, attrs);
        r.observe(logEnd, p.logEndOffset, attrs);
        if (p.role !== 'leader') continue;
        r.observe(hw, p.highWatermark, attrs);
        r.observe(isrSize, p.isr.length, attrs);
        const rf = source.replicationFactor(p.topic, p.partition);
        if (rf !== undefined && p.isr.length < rf) under++;
        const minIsr = source.minInsyncReplicas?.(p.topic);
        if (minIsr !== undefined && p.isr.length < minIsr) belowMin++;
      }
      r.observe(underReplicated, under);
      r.observe(underMinIsr, belowMin);
      r.observe(byRole, roles.leader, { role: 'leader' });
      r.observe(byRole, roles.follower, { role: 'follower' });
      r.observe(openLogs, open);
      r.observe(reassignmentBytes, source.reassignmentBytes?.() ?? 0);
      const tail = source.tailCacheReads?.();
      if (tail) {
        r.observe(tailReads, tail.hits, { result: 'hit' });
        r.observe(tailReads, tail.misses, { result: 'miss' });
      }
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
    this.produceDuration.record(seconds, { topic, acks: acksLabel(acks), outcome });
  }

  /** This broker, as leader, changed a partition's ISR from `before` to `after` members. */
  isrChanged(topic: string, partition: number, before: number, after: number): void {
    if (after < before) this.isrShrinks.add(1, { topic, partition });
    else if (after > before) this.isrExpands.add(1, { topic, partition });
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
