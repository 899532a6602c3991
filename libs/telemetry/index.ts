export { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger.js';
export { shutdownTelemetry } from './shutdown.js';
export { tracer, meter, withSpan } from './spans.js';
export { telemetrySettings, resourceAttributes, type TelemetrySettings } from './settings.js';
