import { describe, expect, it } from 'vitest';
import { metrics as sdk } from '@opentelemetry/sdk-node';
import { LeaseMetrics } from '../../../libs/telemetry/index.js';

/** A pull reader, as Prometheus is: collect() reads every instrument now. */
class TestReader extends sdk.MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function stallRevocations(reader: TestReader): Promise<unknown[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === 'samsa.lease.stall_revocations')
    .flatMap((m) => m.dataPoints.map((d) => d.value));
}

describe('LeaseMetrics', () => {
  it('counts the leases revoked for a stall, from 0 (present before the first, so an increase over it is defined)', async () => {
    const reader = new TestReader();
    const provider = new sdk.MeterProvider({ readers: [reader] });
    const metrics = new LeaseMetrics(provider.getMeter('test'));
    expect(await stallRevocations(reader)).toEqual([0]);
    metrics.stallRevoked();
    metrics.stallRevoked();
    expect(await stallRevocations(reader)).toEqual([2]);
  });
});
