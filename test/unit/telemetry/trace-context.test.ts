import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import {
  AppendTraceIndex,
  linksFromRecords,
  spanContextFromHeaders,
  traceHeaders,
  withChildSpan,
  withRemoteParent,
  withSpan,
  injectTraceContext,
  MAX_LINKS_PER_SPAN,
  type TraceHeader,
} from '../../../libs/telemetry/index.js';

// A real tracer provider with the W3C propagator and an in-memory exporter, registered globally
// for this file (unit files run in their own workers).
const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });

beforeAll(() => provider.register());
afterAll(() => provider.shutdown());
beforeEach(() => exporter.reset());

const spans = (): tracing.ReadableSpan[] => exporter.getFinishedSpans();
const byName = (name: string): tracing.ReadableSpan => {
  const found = spans().find((s) => s.name === name);
  if (!found)
    throw new Error(
      `no span ${name}; have ${spans()
        .map((s) => s.name)
        .join(', ')}`,
    );
  return found;
};

describe('trace context in record headers', () => {
  it('outside a trace adds no header', () => {
    expect(traceHeaders()).toEqual([]);
  });

  it('a producer span becomes a traceparent header that a consumer reads back as a link', async () => {
    let headers: TraceHeader[] = [];
    await withSpan('send', {}, async () => {
      headers = traceHeaders();
    });
    const send = byName('send');
    expect(headers.map((h) => h.key)).toEqual(['traceparent']);
    expect(headers[0]?.value.toString()).toBe(`00-${send.spanContext().traceId}-${send.spanContext().spanId}-01`);
    const ctx = spanContextFromHeaders([{ key: 'other', value: Buffer.from('x') }, ...headers]);
    expect(ctx).toMatchObject({ traceId: send.spanContext().traceId, spanId: send.spanContext().spanId, isRemote: true });
  });

  it('ignores records without or with a malformed traceparent', () => {
    expect(spanContextFromHeaders([])).toBeUndefined();
    expect(spanContextFromHeaders([{ key: 'traceparent', value: Buffer.from('00-garbage') }])).toBeUndefined();
  });

  it('links each distinct producer context once, and at most MAX_LINKS_PER_SPAN', () => {
    const header = (i: number): TraceHeader[] => [
      { key: 'traceparent', value: Buffer.from(`00-${'a'.repeat(31)}${(i % 16).toString(16)}-${i.toString(16).padStart(16, '0')}-01`) },
    ];
    const records = [{ headers: header(1) }, { headers: header(1) }, { headers: [] }, { headers: header(2) }];
    expect(linksFromRecords(records).map((l) => l.context.spanId)).toEqual(['0000000000000001', '0000000000000002']);
    const many = Array.from({ length: 100 }, (_, i) => ({ headers: header(i + 1) }));
    expect(linksFromRecords(many)).toHaveLength(MAX_LINKS_PER_SPAN);
  });
});

describe('spans', () => {
  it('withChildSpan makes a child inside a trace and nothing outside one', async () => {
    await withChildSpan('orphan', {}, async () => undefined);
    expect(spans()).toHaveLength(0);
    await withSpan('parent', {}, () => withChildSpan('child', { 'samsa.topic': 't' }, async () => undefined));
    expect(byName('child').parentSpanContext?.spanId).toBe(byName('parent').spanContext().spanId);
    expect(byName('child').attributes['samsa.topic']).toBe('t');
  });

  it('withSpan marks a failure and rethrows it', async () => {
    await expect(withSpan('fails', {}, async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(byName('fails').status).toMatchObject({ code: 2, message: 'disk full' });
    expect(byName('fails').events.map((e) => e.name)).toContain('exception');
  });

  it('withRemoteParent continues the trace a carrier came from', async () => {
    let carrier: Record<string, string> = {};
    await withSpan('leader.send', {}, async () => {
      carrier = injectTraceContext();
    });
    await withRemoteParent('follower.receive', carrier, { 'samsa.partition': 0 }, async () => undefined);
    const send = byName('leader.send');
    const receive = byName('follower.receive');
    expect(receive.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(receive.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
  });
});

describe('AppendTraceIndex', () => {
  it('finds the trace of the append a sent range holds, forgets truncated and old ones', async () => {
    const index = new AppendTraceIndex(2);
    index.remember(4); // outside a trace: nothing to remember
    expect(index.find(0, 5)).toEqual({});
    const ids: string[] = [];
    for (const last of [9, 19, 29]) {
      await withSpan('append', {}, async () => {
        index.remember(last);
        ids.push(trace.getActiveSpan()?.spanContext().spanId ?? '');
      });
    }
    expect(index.find(0, 10)).toEqual({}); // the oldest fell out (capacity 2)
    expect(index.find(10, 20).traceparent).toContain(ids[1]);
    expect(index.find(20, 40).traceparent).toContain(ids[2]);
    expect(index.find(30, 40)).toEqual({});
    // capture(): the context of now, remembered when the offsets are known.
    let remember: (base: number, last: number) => void = () => undefined;
    await withSpan('append', {}, async () => {
      remember = index.capture();
      ids.push(trace.getActiveSpan()?.spanContext().spanId ?? '');
    });
    remember(30, 39);
    expect(index.find(30, 40).traceparent).toContain(ids[3]);
    expect(index.find(10, 20)).toEqual({}); // fell out when 39 came in
    index.truncateTo(30);
    expect(index.find(30, 40)).toEqual({});
    expect(index.find(20, 30).traceparent).toContain(ids[2]);
  });
});
