/**
 * OpenTelemetry bootstrap, loaded before anything else with
 * `node --import ./dist/libs/telemetry/instrumentation.js <service main>` (the launcher and the
 * Dockerfile do this). It must run before @grpc/grpc-js is loaded so the gRPC instrumentation can
 * patch it; that is why it is a separate entry and not a call inside main().
 *
 * Configuration is the standard OTEL_* environment:
 * - Traces go out over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT or
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (or OTEL_TRACES_EXPORTER names an exporter);
 *   otherwise tracing is off, so a dev machine without a collector logs no export errors.
 * - Service name from OTEL_SERVICE_NAME, else SAMSA_SERVICE_NAME (set by the launcher).
 * - SAMSA_METRICS_PORT (when set and not 0) serves Prometheus metrics at
 *   http://SAMSA_METRICS_HOST:PORT/metrics.
 */
import { register } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { setTelemetryShutdown } from './shutdown.js';

// Lets the instrumentation see modules loaded through ESM `import` as well as `require`.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const env = process.env;
const tracesOn =
  Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ||
  (env.OTEL_TRACES_EXPORTER !== undefined && env.OTEL_TRACES_EXPORTER !== 'none');
if (!tracesOn) env.OTEL_TRACES_EXPORTER = 'none';
if (!env.OTEL_SERVICE_NAME && env.SAMSA_SERVICE_NAME) env.OTEL_SERVICE_NAME = env.SAMSA_SERVICE_NAME;
// Metrics are served by Prometheus pull below, logs by pino: no OTLP push for those by default.
env.OTEL_METRICS_EXPORTER ??= 'none';
env.OTEL_LOGS_EXPORTER ??= 'none';

const metricsPort = Number(env.SAMSA_METRICS_PORT ?? '0');
const metricReaders =
  Number.isInteger(metricsPort) && metricsPort > 0
    ? [new PrometheusExporter({ port: metricsPort, host: env.SAMSA_METRICS_HOST ?? '127.0.0.1' })]
    : [];

const sdk = new NodeSDK({
  instrumentations: [new GrpcInstrumentation()],
  metricReaders,
});
sdk.start();
setTelemetryShutdown(() => sdk.shutdown());
