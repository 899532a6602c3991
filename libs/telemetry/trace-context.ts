/**
 * W3C trace context carried outside gRPC metadata: in record headers (producer -> consumer) and in
 * plain string maps (for replication messages, or anything else that crosses a hop as data).
 *
 * Record headers: a producer that runs under a span adds a `traceparent` header (and `tracestate`
 * when there is one) to each record, as OpenTelemetry's Kafka instrumentations do; a consumer
 * starts a span *linked* to it (a link, not a parent: the read happens later, maybe much later,
 * and in a trace of its own). Without an SDK loaded, nothing is injected and nothing is linked.
 */
import {
  context,
  propagation,
  trace,
  ROOT_CONTEXT,
  isSpanContextValid,
  SpanKind,
  type Context,
  type Link,
  type Span,
  type Attributes,
  type SpanContext,
  type TextMapGetter,
} from '@opentelemetry/api';
import { ATTR, tracer, withSpan } from './spans.js';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** A record header as the SDK and the codec carry it. */
export interface TraceHeader {
  key: string;
  value: Buffer;
}

/** Context fields as strings, e.g. { traceparent: '00-...-...-01' }; empty when there is no trace. */
export type TraceCarrier = Record<string, string>;

/** The active (or given) trace context as a carrier; {} outside a trace or without an SDK. */
export function injectTraceContext(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The context a carrier describes, ready to be a parent (see withRemoteParent). */
export function extractTraceContext(carrier: Readonly<TraceCarrier>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Record headers for the active trace context: [] outside a trace or without an SDK. */
export function traceHeaders(ctx: Context = context.active()): TraceHeader[] {
  return Object.entries(injectTraceContext(ctx))
    .filter(([key]) => key === TRACEPARENT_HEADER || key === TRACESTATE_HEADER)
    .map(([key, value]) => ({ key, value: Buffer.from(value, 'latin1') }));
}

const headerGetter: TextMapGetter<readonly TraceHeader[]> = {
  keys: (headers) => headers.map((h) => h.key),
  get: (headers, key) => headers.find((h) => h.key === key)?.value.toString('latin1'),
};

/** The producer's span context from a record's headers; undefined when it has none (or a malformed one). */
export function spanContextFromHeaders(headers: readonly TraceHeader[]): SpanContext | undefined {
  if (!headers.some((h) => h.key === TRACEPARENT_HEADER)) return undefined;
  const found = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers, headerGetter));
  return found && isSpanContextValid(found) ? found : undefined;
}

/** Most links one consumer span carries; a chunk from one producer send has one anyway. */
export const MAX_LINKS_PER_SPAN = 32;

/**
 * Links to the distinct producer span contexts found in `records`' headers (at most
 * MAX_LINKS_PER_SPAN, first ones first). Reads header bytes only; records without a trace header
 * cost one scan of their header keys.
 */
export function linksFromRecords(records: Iterable<{ headers: readonly TraceHeader[] }>): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (r.headers.length === 0) continue;
    const ctx = spanContextFromHeaders(r.headers);
    if (!ctx) continue;
    const id = `${ctx.traceId}/${ctx.spanId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    links.push({ context: ctx });
    if (links.length >= MAX_LINKS_PER_SPAN) break;
  }
  return links;
}

/**
 * Runs `fn` in a span that is a child of the context in `carrier` (a root span when the carrier is
 * empty). For the receiving side of a hop that carries trace context as data, e.g. a follower
 * appending batches a leader sent with `injectTraceContext()` beside them:
 *
 *   // leader, per message sent:   { ..., trace: injectTraceContext() }
 *   // follower, per message:      await withRemoteParent('replication.receive', msg.trace, attrs, () => log.appendAsFollower(...))
 */
export function withRemoteParent<T>(
  name: string,
  carrier: Readonly<TraceCarrier>,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.CONSUMER,
): Promise<T> {
  return withSpan(name, attributes, fn, { kind, parent: extractTraceContext(carrier) });
}

/**
 * The trace contexts of a partition's latest appends, by offset, so the leader can send each
 * batch to its followers inside the trace of the produce that wrote it. Bounded: it keeps the last
 * `capacity` appends (older ones are simply not traced further). Not thread-safe; one per
 * partition, used on the event loop.
 *
 *   // leader, after an append inside the produce's span:  index.remember(info.lastOffset)
 *   // leader, sending [from, to) to a follower:           const carrier = index.find(from, to)
 *   //   await withRemoteParent('replication.send', carrier, attrs, () => ...)  // and send injectTraceContext() along
 */
export class AppendTraceIndex {
  private readonly lastOffsets: number[] = [];
  private readonly carriers: TraceCarrier[] = [];

  constructor(private readonly capacity = 256) {}

  /**
   * Captures the active trace context now, to be remembered for an append whose offsets are known
   * later: call the returned function with them (e.g. as PartitionLog's `onOffsets`).
   */
  capture(ctx: Context = context.active()): (baseOffset: number, lastOffset: number) => void {
    return (_baseOffset, lastOffset) => this.remember(lastOffset, ctx);
  }

  /** Records the active trace context for the append that ended at `lastOffset`; a no-op outside a trace. */
  remember(lastOffset: number, ctx: Context = context.active()): void {
    const carrier = injectTraceContext(ctx);
    if (carrier[TRACEPARENT_HEADER] === undefined) return;
    this.lastOffsets.push(lastOffset);
    this.carriers.push(carrier);
    if (this.lastOffsets.length > this.capacity) {
      this.lastOffsets.shift();
      this.carriers.shift();
    }
  }

  /** The carrier of the first remembered append with an offset in [from, toExclusive); {} when none. */
  find(from: number, toExclusive: number): TraceCarrier {
    for (let i = 0; i < this.lastOffsets.length; i++) {
      const last = this.lastOffsets[i] as number;
      if (last >= from && last < toExclusive) return this.carriers[i] as TraceCarrier;
      // Ranges sent are whole batches, so a batch inside one ends inside it; offsets only grow.
      if (last >= toExclusive) break;
    }
    return {};
  }

  /** Forgets appends at offsets >= `offset` (the log was truncated). */
  truncateTo(offset: number): void {
    while (this.lastOffsets.length > 0 && (this.lastOffsets[this.lastOffsets.length - 1] as number) >= offset) {
      this.lastOffsets.pop();
      this.carriers.pop();
    }
  }
}

/**
 * One CONSUMER span `receive <topic>` for a chunk of records a consumer got, linked to the
 * producers' spans in their headers, and to `session` when given (a group member's connection,
 * SessionSpan): a trace of its own (a root), since a read is a request of its own and a consumer's
 * loop must not nest every chunk under whatever it started in. A no-op without an SDK (the tracer
 * is a no-op; header scanning is skipped when the span does not record).
 */
export function traceReceived(
  topic: string,
  partition: number,
  chunk: readonly { offset: number; headers: readonly TraceHeader[] }[],
  session?: SpanContext,
): void {
  const first = chunk[0];
  if (!first) return;
  const span = tracer.startSpan(`receive ${topic}`, {
    kind: SpanKind.CONSUMER,
    root: true,
    attributes: {
      'messaging.system': 'samsa',
      'messaging.operation.type': 'receive',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': String(partition),
      'messaging.batch.message_count': chunk.length,
      [ATTR.topic]: topic,
      [ATTR.partition]: partition,
      [ATTR.baseOffset]: first.offset,
    },
  });
  if (span.isRecording()) {
    if (session) span.addLink({ context: session });
    for (const link of linksFromRecords(chunk)) span.addLink(link);
  }
  span.end();
}
