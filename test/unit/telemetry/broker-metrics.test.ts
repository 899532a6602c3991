import { describe, expect, it } from 'vitest';
import { metrics as sdk } from '@opentelemetry/sdk-node';
import { BrokerMetrics, type ObservedPartition } from '../../../libs/telemetry/index.js';

/** A pull reader, as Prometheus is: collect() reads every instrument now. */
class TestReader extends sdk.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Point {
  value: unknown;
  attributes: Record<string, unknown>;
}

function setup(
  partitions: ObservedPartition[],
  rf: Record<string, number>,
): { metrics: BrokerMetrics; read: () => Promise<Map<string, Point[]>> } {
  const reader = new TestReader();
  const provider = new sdk.MeterProvider({ readers: [reader] });
  const metrics = new BrokerMetrics(
    { partitions: () => partitions, replicationFactor: (t, p) => rf[`${t}-${p}`] },
    provider.getMeter('test'),
  );
  const read = async (): Promise<Map<string, Point[]>> => {
    const { resourceMetrics } = await reader.collect();
    const out = new Map<string, Point[]>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const m of scope.metrics)
        out.set(
          m.descriptor.name,
          m.dataPoints.map((d) => ({ value: d.value, attributes: d.attributes })),
        );
    }
    return out;
  };
  return { metrics, read };
}

const partition = (topic: string, p: number, role: 'leader' | 'follower', isr: number[], size: number): ObservedPartition => ({
  topic,
  partition: p,
  role,
  isr,
  sizeInBytes: size,
  logEndOffset: size / 10,
  highWatermark: size / 20,
  closed: false,
});

describe('BrokerMetrics', () => {
  it('counts bytes and records in and out per topic, and skips empty reads', async () => {
    const { metrics, read } = setup([], {});
    metrics.produced('a', 100, 3);
    metrics.produced('a', 50, 2);
    metrics.produced('b', 10, 1);
    metrics.fetched('a', 150, 5);
    metrics.fetched('a', 0, 0);
    const m = await read();
    expect(m.get('samsa.broker.produced.bytes')).toEqual(
      expect.arrayContaining([
        { value: 150, attributes: { topic: 'a' } },
        { value: 10, attributes: { topic: 'b' } },
      ]),
    );
    expect(m.get('samsa.broker.produced.records')).toContainEqual({ value: 5, attributes: { topic: 'a' } });
    expect(m.get('samsa.broker.fetched.bytes')).toEqual([{ value: 150, attributes: { topic: 'a' } }]);
    expect(m.get('samsa.broker.fetched.records')).toEqual([{ value: 5, attributes: { topic: 'a' } }]);
  });

  it('reads log size, ISR size and under-replicated partitions from the replicas at collection time', async () => {
    const hosted = [
      partition('t', 0, 'leader', [1, 2, 3], 1000),
      partition('t', 1, 'leader', [1], 400),
      partition('t', 2, 'follower', [2, 1], 200),
    ];
    const { read } = setup(hosted, { 't-0': 3, 't-1': 3, 't-2': 2 });
    const m = await read();
    expect(m.get('samsa.partition.log.size')).toHaveLength(3);
    expect(m.get('samsa.partition.log.size')).toContainEqual({ value: 400, attributes: { topic: 't', partition: 1 } });
    expect(m.get('samsa.partition.isr_size')).toEqual([
      { value: 3, attributes: { topic: 't', partition: 0 } },
      { value: 1, attributes: { topic: 't', partition: 1 } },
    ]);
    expect(m.get('samsa.broker.under_replicated_partitions')).toEqual([{ value: 1, attributes: {} }]);
    expect(m.get('samsa.broker.partitions')).toEqual([
      { value: 2, attributes: { role: 'leader' } },
      { value: 1, attributes: { role: 'follower' } },
    ]);
    hosted.pop();
    hosted[1] = partition('t', 1, 'leader', [1, 2, 3], 400);
    const later = await read();
    expect(later.get('samsa.broker.under_replicated_partitions')).toEqual([{ value: 0, attributes: {} }]);
    expect(later.get('samsa.broker.partitions')).toContainEqual({ value: 0, attributes: { role: 'follower' } });
  });

  it('counts the replicas whose log files are open apart from those hosted from a summary (ADR 0051)', async () => {
    const hosted: ObservedPartition[] = [
      { ...partition('t', 0, 'leader', [1], 10), logOpen: true },
      { ...partition('t', 1, 'follower', [2, 1], 10), logOpen: false },
      { ...partition('t', 2, 'follower', [2, 1], 10), logOpen: false },
      // A replica that does not say counts as open (a PartitionLog is always open).
      partition('t', 3, 'leader', [1], 10),
      { ...partition('t', 4, 'leader', [1], 10), logOpen: true, closed: true },
    ];
    const { read } = setup(hosted, {});
    expect((await read()).get('samsa.broker.open_replica_logs')).toEqual([{ value: 2, attributes: {} }]);
    hosted[1] = { ...partition('t', 1, 'follower', [2, 1], 10), logOpen: true };
    hosted[0] = { ...partition('t', 0, 'leader', [1], 10), logOpen: false };
    expect((await read()).get('samsa.broker.open_replica_logs')).toEqual([{ value: 2, attributes: {} }]);
    hosted[2] = { ...partition('t', 2, 'follower', [2, 1], 10), logOpen: true };
    expect((await read()).get('samsa.broker.open_replica_logs')).toEqual([{ value: 3, attributes: {} }]);
  });

  it('counts open streams until each is closed once', async () => {
    const { metrics, read } = setup([], {});
    const a = metrics.streamOpened('local');
    const b = metrics.streamOpened('local');
    metrics.streamOpened('proxied');
    a();
    a();
    const m = await read();
    expect(m.get('samsa.broker.open_streams')).toEqual(
      expect.arrayContaining([
        { value: 1, attributes: { kind: 'local' } },
        { value: 1, attributes: { kind: 'proxied' } },
      ]),
    );
    b();
    expect((await read()).get('samsa.broker.open_streams')).toContainEqual({ value: 0, attributes: { kind: 'local' } });
  });

  it('records produce and fetch latency by outcome; close() stops the gauges', async () => {
    const hosted = [partition('t', 0, 'leader', [1], 10)];
    const { metrics, read } = setup(hosted, {});
    metrics.produceDone(0.002, 't', 'ACKS_ALL', 'ok');
    metrics.produceDone(0.5, 't', 'ACKS_ALL', 'NOT_ENOUGH_REPLICAS');
    metrics.fetchDone(0.1, 'ok');
    const m = await read();
    const produce = m.get('samsa.broker.produce.duration') ?? [];
    expect(produce.map((p) => p.attributes.outcome).sort()).toEqual(['NOT_ENOUGH_REPLICAS', 'ok']);
    // Labels read as Kafka writes acks, not as the proto enum.
    expect(produce.map((p) => p.attributes.acks)).toEqual(['all', 'all']);
    expect(produce.find((p) => p.attributes.outcome === 'ok')?.value).toMatchObject({ count: 1, sum: 0.002 });
    expect(m.get('samsa.broker.fetch.duration')?.[0]?.value).toMatchObject({ count: 1 });
    metrics.close();
    hosted[0] = partition('t', 0, 'leader', [1], 999);
    // The callback is gone: the replica is no longer read (the SDK may repeat the last value seen).
    expect(((await read()).get('samsa.partition.log.size') ?? []).map((p) => p.value)).not.toContain(999);
  });
});
