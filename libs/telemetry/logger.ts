/**
 * Structured JSON logs (pino) to stdout, one line per event, with the service name and instance on
 * every line. Level from config (SAMSA_LOG_LEVEL). A line written inside a traced request carries
 * that request's trace_id and span_id, so logs and Jaeger traces can be joined.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import { trace, isSpanContextValid } from '@opentelemetry/api';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(service: string, instance: string, level: LogLevel = 'info'): Logger {
  return pino({
    level,
    base: { service, instance, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const ctx = trace.getActiveSpan()?.spanContext();
      return ctx && isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
    },
  });
}
