import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { samsaSampler } from '../../../libs/telemetry/sampler.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const parent = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: 'b7ad6b7169203331',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });

describe('samsaSampler', () => {
  it('in a service, drops root CLIENT spans (background work) and keeps every other root', () => {
    const s = samsaSampler('service');
    expect(s.shouldSample(ROOT_CONTEXT, TRACE_ID, 'samsa.v1.BrokerService/ListOffsets', SpanKind.CLIENT, {}, []).decision).toBe(
      SamplingDecision.NOT_RECORD,
    );
    for (const kind of [SpanKind.SERVER, SpanKind.INTERNAL, SpanKind.CONSUMER, SpanKind.PRODUCER]) {
      expect(s.shouldSample(ROOT_CONTEXT, TRACE_ID, 'x', kind, {}, []).decision, SpanKind[kind]).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    }
  });

  it('follows the parent: a call made inside a sampled request is sampled, one inside a dropped one is not', () => {
    const s = samsaSampler('service');
    expect(s.shouldSample(parent(true), TRACE_ID, 'c', SpanKind.CLIENT, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(s.shouldSample(parent(false), TRACE_ID, 's', SpanKind.SERVER, {}, []).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  it('keeps background roots at ratio 1, and every root in a client', () => {
    expect(samsaSampler('service', 1).shouldSample(ROOT_CONTEXT, TRACE_ID, 'c', SpanKind.CLIENT, {}, []).decision).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
    expect(samsaSampler('client').shouldSample(ROOT_CONTEXT, TRACE_ID, 'c', SpanKind.CLIENT, {}, []).decision).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });
});
