/**
 * The server side of every Samsa gRPC call: a SERVER span (when traces are on) and the
 * rpc.server.call.duration measurement (when metrics are on), for unary calls and streams alike.
 *
 * Why our own and not @opentelemetry/instrumentation-grpc (docs/adr/0031-rpc-telemetry.md): that
 * instrumentation ended a streaming call's span only on 'finish' or 'error', so a Consume stream
 * the client cancelled (how every consume ends) was never exported, and each partition.consume
 * span pointed at a parent that never arrived; it also needed `node --import` to patch grpc-js.
 * An interceptor sees every way a call ends: the status the server sends, or the client's cancel.
 *
 * Span: named `samsa.v1.BrokerService/Consume`, child of the caller's `traceparent` (or a root),
 * active while the handler runs (each listener callback runs in its context, so the handler and
 * everything it awaits are its children). Ended once, by whichever comes first:
 *   - the status sent: ERROR only for the server's own failures (method.ts isServerError);
 *   - the client's cancel: status CANCELLED, not an error (a consumer that has read enough ends
 *     its stream this way).
 * Health checks and reflection get no span (method.ts isUntraced).
 */
import * as grpc from '@grpc/grpc-js';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { activeTelemetry } from '../active.js';
import { isServerError, isUntraced, rpcMethod, statusName } from './method.js';
import { recordRpc } from './metrics.js';

export const metadataGetter: TextMapGetter<grpc.Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key);
    return values.length === 0 ? undefined : values.map(String);
  },
};

const tracer = trace.getTracer('samsa');

class TelemetryServerCall extends grpc.ServerInterceptingCall {
  constructor(path: string, call: grpc.ServerInterceptingCallInterface, traces: boolean, measure: boolean) {
    const started = performance.now();
    const method = rpcMethod(path);
    const traced = traces && !isUntraced(method.service);
    let span: Span | undefined;
    let ctx: Context = ROOT_CONTEXT;
    let ended = false;
    const end = (code: number, details: string | undefined, cancelled: boolean): void => {
      if (ended) return;
      ended = true;
      if (measure) recordRpc('server', path, code, (performance.now() - started) / 1000);
      if (!span) return;
      span.setAttribute('rpc.grpc.status_code', code);
      if (cancelled) span.setAttribute('samsa.cancelled_by_client', true);
      if (isServerError(code))
        span.setStatus({ code: SpanStatusCode.ERROR, message: details ? `${statusName(code)}: ${details}` : statusName(code) });
      span.end();
    };
    const inSpan = <T>(fn: () => T): T => (span ? context.with(ctx, fn) : fn());
    super(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            if (traced) {
              const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
              span = tracer.startSpan(method.name, { kind: SpanKind.SERVER, attributes: method.attributes }, parent);
              ctx = trace.setSpan(parent, span);
            }
            inSpan(() => pass(metadata));
          },
          onReceiveMessage: (message, pass) => inSpan(() => pass(message)),
          onReceiveHalfClose: (pass) => inSpan(() => pass()),
          onCancel: () => end(grpc.status.CANCELLED, 'cancelled by the client', true),
        }),
      sendStatus: (status, pass) => {
        end(status.code, status.details, false);
        pass(status);
      },
    });
  }
}

/**
 * The interceptor every Samsa server carries first (libs/rpc/options.ts) when this process has
 * traces or metrics on; undefined when it has neither.
 */
export function telemetryServerInterceptor(): grpc.ServerInterceptor | undefined {
  const { traces, metrics } = activeTelemetry();
  if (!traces && !metrics) return undefined;
  return (method, call) => new TelemetryServerCall(method.path, call, traces, metrics);
}
