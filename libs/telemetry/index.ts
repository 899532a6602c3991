/**
 * The public face of libs/telemetry: structured logs, Samsa's own spans and metrics, and the trace
 * context carried as data (record headers, replication messages). The SDK itself is started by
 * instrumentation.ts, loaded with `node --import` before anything else, never imported from here.
 */
export { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger.js';
export { shutdownTelemetry } from './shutdown.js';
export { tracer, meter, withSpan, withSyncSpan, withChildSpan, recordFailure, ATTR } from './spans.js';
export {
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  injectTraceContext,
  extractTraceContext,
  traceHeaders,
  spanContextFromHeaders,
  linksFromRecords,
  withRemoteParent,
  AppendTraceIndex,
  MAX_LINKS_PER_SPAN,
  type TraceHeader,
  type TraceCarrier,
} from './trace-context.js';
export { telemetrySettings, resourceAttributes, type TelemetrySettings } from './settings.js';
export { SpanKind } from '@opentelemetry/api';
export { BrokerMetrics, type BrokerMetricsSource, type ObservedPartition, type StreamKind } from './broker-metrics.js';
