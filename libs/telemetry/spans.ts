/**
 * Samsa's own spans and instruments, on top of the automatic gRPC client/server spans. Without the
 * SDK loaded (unit tests, a CLI run without `--import`), the @opentelemetry/api calls are no-ops.
 *
 * Span names are fixed strings (`log.append`, `partition.append`, ...); what varies goes in
 * attributes under `samsa.*` (see ATTR), so a trace backend can group them.
 */
import {
  ROOT_CONTEXT,
  context,
  trace,
  metrics,
  SpanStatusCode,
  type Context,
  type Link,
  type Span,
  type Attributes,
  type SpanContext,
  type SpanOptions,
} from '@opentelemetry/api';

export const tracer = trace.getTracer('samsa');
export const meter = metrics.getMeter('samsa');

/** Attribute keys of Samsa's own spans and metrics. */
export const ATTR = {
  topic: 'samsa.topic',
  partition: 'samsa.partition',
  acks: 'samsa.acks',
  batches: 'samsa.batches',
  records: 'samsa.records',
  bytes: 'samsa.bytes',
  baseOffset: 'samsa.base_offset',
  lastOffset: 'samsa.last_offset',
  leaderEpoch: 'samsa.leader_epoch',
  leaderId: 'samsa.leader_id',
  brokerId: 'samsa.broker_id',
  followerId: 'samsa.follower_id',
  outcome: 'samsa.outcome',
  group: 'samsa.group',
  memberId: 'samsa.member_id',
  generation: 'samsa.generation',
} as const;

/** Marks `span` failed with `err` (exception event + ERROR status). */
export function recordFailure(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * Runs `fn` inside a span named `name` (active while `fn` runs, so spans and gRPC calls it makes
 * are its children); records an exception and ERROR status when it throws. `parent` overrides the
 * active context as the parent (e.g. one extracted from a carrier).
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  options: SpanOptions & { parent?: Context } = {},
): Promise<T> {
  const { parent, ...spanOptions } = options;
  return tracer.startActiveSpan(
    name,
    { ...spanOptions, attributes: { ...spanOptions.attributes, ...attributes } },
    parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        recordFailure(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** withSpan for synchronous work (a decision taken in memory, such as a group join). */
export function withSyncSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T): T {
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    try {
      return fn(span);
    } catch (err) {
      recordFailure(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * As withSpan, but only inside a trace: with no active span (a periodic flush from a timer, say)
 * `fn` just runs. For work that is worth a span as a step of a request, and would be a stream of
 * meaningless root spans on its own.
 */
export function withChildSpan<T>(name: string, attributes: Attributes, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (trace.getActiveSpan() === undefined) return fn(undefined);
  return withSpan(name, attributes, fn);
}

/**
 * Runs `fn` in a span that starts a trace of its own, linked to `session` (and to `links`): for a
 * step of a long-lived stream (a group member's commit, a delivery of records) that would otherwise
 * make the stream's trace grow without end. See docs/adr/0031-rpc-telemetry.md.
 */
export function withLinkedRoot<T>(
  name: string,
  attributes: Attributes,
  session: SpanContext | undefined,
  fn: (span: Span) => Promise<T>,
  links: Link[] = [],
): Promise<T> {
  return withSpan(name, attributes, fn, { parent: ROOT_CONTEXT, links: session ? [{ context: session }, ...links] : links });
}

/** The span context of the active span (undefined outside a trace or without an SDK). */
export function activeSpanContext(): SpanContext | undefined {
  return trace.getActiveSpan()?.spanContext();
}

/** Runs `fn` outside any trace: what it starts is not part of the active one. */
export function outsideTrace<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, fn);
}

/**
 * A span for a connection a client keeps open (a group member's GroupConsume stream, for as long as
 * it lasts): a root, so the connection is one bounded trace whatever the caller had active; the
 * calls made in `run` are its children; what happens per message (each chunk received) is traced
 * apart and linked to it through `link`. Ended once, by end().
 */
export class SessionSpan {
  private readonly span: Span;
  private ended = false;

  constructor(name: string, attributes: Attributes) {
    this.span = tracer.startSpan(name, { root: true, attributes });
  }

  /** What per-message spans link to; undefined when the span is not recorded (no SDK, not sampled). */
  get link(): SpanContext | undefined {
    return this.span.isRecording() ? this.span.spanContext() : undefined;
  }

  /** Runs `fn` with the session as the active span (the calls it starts become its children). */
  run<T>(fn: () => T): T {
    return context.with(trace.setSpan(ROOT_CONTEXT, this.span), fn);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.end();
  }
}
