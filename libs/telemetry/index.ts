/**
 * The public face of libs/telemetry: structured logs, Samsa's own spans and metrics, and the trace
 * context carried as data (record headers, replication messages), the gRPC interceptors that make
 * RPC spans and metrics. The SDK is started by start.ts: for services through instrumentation.ts
 * (loaded with `node --import`), for clients by the SDK's Samsa constructor (startClientTelemetry).
 */
export { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger.js';
export { shutdownTelemetry, flushTelemetry } from './shutdown.js';
export {
  tracer,
  meter,
  withSpan,
  withSyncSpan,
  withChildSpan,
  withLinkedRoot,
  SessionSpan,
  activeSpanContext,
  outsideTrace,
  recordFailure,
  ATTR,
} from './spans.js';
export {
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  injectTraceContext,
  extractTraceContext,
  traceHeaders,
  spanContextFromHeaders,
  linksFromRecords,
  traceReceived,
  withRemoteParent,
  AppendTraceIndex,
  MAX_LINKS_PER_SPAN,
  type TraceHeader,
  type TraceCarrier,
} from './trace-context.js';
export { telemetrySettings, resourceAttributes, type TelemetrySettings } from './settings.js';
export { SpanKind } from '@opentelemetry/api';
export { BrokerMetrics, acksLabel, type BrokerMetricsSource, type ObservedPartition, type StreamKind } from './broker-metrics.js';
export { timedFsync, type FsyncReason } from './log-metrics.js';
export { LeaseMetrics } from './lease-metrics.js';
export { startClientTelemetry } from './start.js';
export { activeTelemetry } from './active.js';
export { telemetryServerInterceptor } from './grpc/server-interceptor.js';
export { telemetryClientInterceptor } from './grpc/client-interceptor.js';
export { ControllerMetrics, type ControllerMetricsSource, type ObservedPartitionState } from './controller-metrics.js';
