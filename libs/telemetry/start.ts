/**
 * Starts this process's OpenTelemetry SDK from the standard OTEL_* variables (settings.ts), once.
 *
 *   - services: instrumentation.ts calls startTelemetry('service') (loaded with `node --import`
 *     by the launcher and the images, so it runs before main; nothing is patched any more, so
 *     order matters only in that the SDK is up before the first channel and server are built);
 *   - clients: the SDK's Samsa constructor calls startClientTelemetry(), which starts it only
 *     when OTEL_* asks for traces and no other OpenTelemetry SDK is registered in the process, so
 *     `OTEL_EXPORTER_OTLP_ENDPOINT=... samsa produce ...` traces with no `node --import`, and an
 *     application with its own SDK keeps it.
 *
 * Traces: OTLP when configured, sampled by sampler.ts (or OTEL_TRACES_SAMPLER); spans of gRPC calls
 * come from Samsa's own interceptors (grpc/), which libs/rpc installs when this says telemetry is on.
 * Metrics: Prometheus /metrics on SAMSA_METRICS_HOST:SAMSA_METRICS_PORT when the port is set,
 * with process and Node runtime metrics (runtime-metrics.ts). Without traces, no context manager
 * is installed: the AsyncLocalStorage one runs a hook on every promise for spans nobody records
 * (measured on a 3-broker cluster: e2e p50 at 10,000/s RF=3 acks=all 5.4 -> 4.7 ms without it).
 * shutdownTelemetry (shutdown.ts) flushes and stops it.
 */
import { ROOT_CONTEXT, metrics, trace, ProxyTracerProvider, type Context, type ContextManager } from '@opentelemetry/api';
import type * as SdkNodePackage from '@opentelemetry/sdk-node';
import { lazyPackage } from '../runtime/index.js';
import { setActiveTelemetry, activeTelemetry } from './active.js';
import { PrometheusEndpoint } from './prometheus-endpoint.js';
import { RuntimeMetrics } from './runtime-metrics.js';
import { samsaSampler, type ProcessRole } from './sampler.js';
import { resourceAttributes, telemetrySettings, type Env } from './settings.js';
import { setTelemetryShutdown } from './shutdown.js';
import { sleep } from '../runtime/index.js';

/** The API's no-op context manager (the API does not export one; the SDK needs one to be told "none"). */
class NoContextManager implements ContextManager {
  active(): Context {
    return ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    _context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return fn.call(thisArg, ...args);
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

/** Loaded when telemetry starts (services; clients with OTEL_* tracing), not when libs/telemetry is imported. */
const sdkNode = lazyPackage<typeof SdkNodePackage>('@opentelemetry/sdk-node');

let started = false;

/** Starts the SDK for a process of `role`; a second call does nothing. Throws on a bad SAMSA_METRICS_PORT. */
export function startTelemetry(role: ProcessRole, env: Env = process.env): void {
  if (started) return;
  started = true;
  const settings = telemetrySettings(env);
  // The SDK builds its trace pipeline from OTEL_TRACES_EXPORTER; 'none' means none at all.
  const sdkEnv = process.env;
  if (!settings.tracesOn) sdkEnv.OTEL_TRACES_EXPORTER = 'none';
  // Metrics are served by Prometheus pull below, logs by pino: no OTLP push for those by default.
  sdkEnv.OTEL_METRICS_EXPORTER ??= 'none';
  sdkEnv.OTEL_LOGS_EXPORTER ??= 'none';
  const endpoint =
    settings.metricsPort > 0
      ? new PrometheusEndpoint(settings.metricsHost, settings.metricsPort, (err) => {
          process.emitWarning(`cannot serve /metrics on ${settings.metricsHost}:${settings.metricsPort}: ${err.message}`);
        })
      : undefined;
  const ownSampler = env.OTEL_TRACES_SAMPLER === undefined || env.OTEL_TRACES_SAMPLER.trim() === '';
  const { NodeSDK, resources } = sdkNode();
  const sdk = new NodeSDK({
    resource: resources.resourceFromAttributes(resourceAttributes(settings)),
    autoDetectResources: false,
    instrumentations: [],
    ...(settings.tracesOn && ownSampler ? { sampler: samsaSampler(role, settings.backgroundTraceRatio) } : {}),
    ...(settings.tracesOn ? {} : { contextManager: new NoContextManager() }),
    metricReaders: endpoint ? [endpoint.reader] : [],
  });
  sdk.start();
  const runtime = endpoint ? new RuntimeMetrics(metrics.getMeter('samsa')) : undefined;
  setActiveTelemetry({ traces: settings.tracesOn, metrics: endpoint !== undefined });
  // Give calls cancelled just before shutdown a turn of the loop to receive their status (it ends their span).
  setTelemetryShutdown(
    async () => {
      await sleep(10);
      runtime?.close();
      await sdk.shutdown();
      await endpoint?.close();
    },
    async () => {
      const provider = trace.getTracerProvider();
      const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
      if ('forceFlush' in delegate && typeof delegate.forceFlush === 'function')
        await (delegate.forceFlush as () => Promise<void>).call(delegate);
    },
  );
}

/**
 * For the client SDK: starts telemetry as a client when OTEL_* asks for traces and this process
 * has no tracer provider of its own yet (an application that set up OpenTelemetry keeps its own,
 * and Samsa's spans go to it). Safe to call on every client construction.
 */
export function startClientTelemetry(env: Env = process.env): void {
  if (started || activeTelemetry().traces) return;
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  if (delegate.constructor.name !== 'NoopTracerProvider') {
    // The application runs its own SDK: Samsa's calls become spans of it.
    setActiveTelemetry({ ...activeTelemetry(), traces: true });
    return;
  }
  if (!telemetrySettings({ ...env, SAMSA_METRICS_PORT: undefined }).tracesOn) return;
  startTelemetry('client', { ...env, SAMSA_METRICS_PORT: undefined });
}
