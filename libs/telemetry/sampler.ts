/**
 * Which traces a Samsa process starts (docs/adr/0031-rpc-telemetry.md).
 *
 * A trace begins with a request from outside, and everything a request causes is in its trace
 * (parent-based: a span whose caller sampled is sampled, one whose caller did not is not). What a
 * service does on its own (a timer's lag refresh asking brokers for high watermarks, a follower's
 * replication stream, a reconnect) has no request to belong to: in a service, a root span of kind
 * CLIENT is background work and is sampled at `backgroundRatio` (SAMSA_TRACE_BACKGROUND_RATIO,
 * default 0). Before this an idle 3-broker cluster exported about 55 root traces every 30 s. Roots
 * of other kinds (a request arriving, a leader election, a group member's commit) are kept: they
 * are events a person looks for. Clients (the SDK, the CLI) keep every root: their calls are the
 * requests.
 *
 * The OTEL_TRACES_SAMPLER variable, when set, replaces this sampler altogether (the SDK reads it).
 */
import { SpanKind, type Attributes, type Context, type Link } from '@opentelemetry/api';
import type * as SdkTraceBasePackage from '@opentelemetry/sdk-trace-base';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { lazyPackage } from '../runtime/index.js';

/** Loaded when telemetry starts, with the SDK (start.ts), not when libs/telemetry is imported. */
const sdkTraceBase = lazyPackage<typeof SdkTraceBasePackage>('@opentelemetry/sdk-trace-base');

class ServiceRootSampler implements Sampler {
  private readonly background: Sampler;

  constructor(private readonly backgroundRatio: number) {
    this.background = new (sdkTraceBase().TraceIdRatioBasedSampler)(backgroundRatio);
  }

  shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (kind !== SpanKind.CLIENT) return { decision: sdkTraceBase().SamplingDecision.RECORD_AND_SAMPLED };
    return this.background.shouldSample(ctx, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `ServiceRootSampler{background=${this.backgroundRatio}}`;
  }
}

export type ProcessRole = 'service' | 'client';

export function samsaSampler(role: ProcessRole, backgroundRatio = 0): Sampler {
  const { ParentBasedSampler, AlwaysOnSampler } = sdkTraceBase();
  return new ParentBasedSampler({ root: role === 'service' ? new ServiceRootSampler(backgroundRatio) : new AlwaysOnSampler() });
}
