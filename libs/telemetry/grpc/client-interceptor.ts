/**
 * The client side of every Samsa gRPC call: a CLIENT span (when traces are on) whose context goes
 * to the server in `traceparent`, and the rpc.client.call.duration measurement (when metrics are on).
 *
 * The span is a child of whatever is active when the call is made, and ends with the call's status:
 * ERROR for any status but OK, except CANCELLED after this side cancelled (a consumer closing its
 * stream is a normal end). It is deliberately not made active for what the call delivers: every
 * message and the status are handed on in the caller's context, so a long stream's messages do not
 * become children of it, and work started from them (a group member's reads, say) begins traces of
 * its own instead of growing one without end. Binding to the caller's context also keeps the
 * context of whichever call happened to open the HTTP/2 connection from leaking into later calls.
 *
 * Root calls in a service (a lag refresh, a follower's replication stream) are sampled apart:
 * see sampler.ts.
 */
import * as grpc from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, context, propagation, trace, type Span, type TextMapSetter } from '@opentelemetry/api';
import { activeTelemetry } from '../active.js';
import { rpcMethod, statusName } from './method.js';
import { recordRpc } from './metrics.js';

const metadataSetter: TextMapSetter<grpc.Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

const tracer = trace.getTracer('samsa');

function endSpan(span: Span, code: number, details: string, cancelledHere: boolean): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (code !== grpc.status.OK && !(cancelledHere && code === grpc.status.CANCELLED)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: details ? `${statusName(code)}: ${details}` : statusName(code) });
  }
  span.end();
}

/**
 * The interceptor every Samsa channel carries first (libs/rpc/options.ts) when this process has
 * traces or metrics on; undefined when it has neither.
 */
export function telemetryClientInterceptor(): grpc.Interceptor | undefined {
  const { traces, metrics } = activeTelemetry();
  if (!traces && !metrics) return undefined;
  return (options, nextCall) => {
    const path = options.method_definition.path;
    const started = performance.now();
    const caller = context.active();
    const method = rpcMethod(path);
    const span = traces ? tracer.startSpan(method.name, { kind: SpanKind.CLIENT, attributes: method.attributes }, caller) : undefined;
    const inCaller = <T>(fn: () => T): T => (traces ? context.with(caller, fn) : fn());
    let cancelledHere = false;
    let ended = false;
    return new grpc.InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        if (span) propagation.inject(trace.setSpan(caller, span), metadata, metadataSetter);
        next(metadata, {
          onReceiveMetadata: (md, pass) => inCaller(() => pass(md)),
          onReceiveMessage: (message, pass) => inCaller(() => pass(message)),
          onReceiveStatus: (status, pass) => {
            if (!ended) {
              ended = true;
              if (metrics) recordRpc('client', path, status.code, (performance.now() - started) / 1000);
              if (span) endSpan(span, status.code, status.details, cancelledHere);
            }
            inCaller(() => pass(status));
          },
        });
      },
      cancel(next) {
        cancelledHere = true;
        next();
      },
    });
  };
}
