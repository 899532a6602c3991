/**
 * Structured JSON logs (pino) to stdout, one line per event, with the service name and instance on
 * every line. Level from config (SAMSA_LOG_LEVEL). Trace ids are added by the telemetry setup when
 * tracing is on (see issue "Observe and run it like production").
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(service: string, instance: string, level: LogLevel = 'info'): Logger {
  return pino({
    level,
    base: { service, instance, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
