/**
 * Samsa's own spans and instruments, on top of the automatic gRPC client/server spans. Without the
 * SDK loaded (unit tests), the @opentelemetry/api calls are no-ops.
 */
import { trace, metrics, SpanStatusCode, type Span, type Attributes } from '@opentelemetry/api';

export const tracer = trace.getTracer('samsa');
export const meter = metrics.getMeter('samsa');

/** Runs `fn` inside a span named `name`; records an exception and ERROR status when it throws. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}
