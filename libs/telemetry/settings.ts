/**
 * What the telemetry bootstrap (instrumentation.ts) reads from the environment, as one typed value.
 * Kept apart from the bootstrap so it can be tested without starting an SDK.
 *
 * Traces follow the standard OTEL_* variables only: they are exported over OTLP when
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, or when
 * OTEL_TRACES_EXPORTER names an exporter; otherwise no trace pipeline is built at all (spans are
 * no-ops and nothing tries to reach a collector). The protocol is OTEL_EXPORTER_OTLP_PROTOCOL /
 * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL (http/protobuf by default, http/json, grpc).
 *
 * Resource attributes: service.name from OTEL_SERVICE_NAME, else SAMSA_SERVICE_NAME (the launcher
 * and docker-compose set it), else "samsa"; service.instance.id from SAMSA_INSTANCE_ID (e.g.
 * "broker-2"), else "<hostname>-<pid>"; service.version from SAMSA_VERSION, else the version in
 * the checkout's package.json. OTEL_RESOURCE_ATTRIBUTES, read by the SDK, overrides all three.
 *
 * SAMSA_TRACE_BACKGROUND_RATIO (default 0): the share of a service's own background work (root
 * CLIENT spans: timers, replication streams) that is traced; see sampler.ts.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TelemetrySettings {
  serviceName: string;
  instanceId: string;
  version: string;
  /** True when an OTLP endpoint or a trace exporter is configured. */
  tracesOn: boolean;
  /** Prometheus /metrics port; 0 = off. */
  metricsPort: number;
  metricsHost: string;
  /** Share of a service's background root traces kept (SAMSA_TRACE_BACKGROUND_RATIO, 0..1; sampler.ts). */
  backgroundTraceRatio: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Throws a plain Error naming the variable when SAMSA_METRICS_PORT is not a port number. */
export function telemetrySettings(env: Env, fallbackVersion: () => string = packageVersion): TelemetrySettings {
  const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const exporter = nonEmpty(env.OTEL_TRACES_EXPORTER);
  const tracesOn =
    nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) !== undefined ||
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) !== undefined ||
    (exporter !== undefined && exporter !== 'none');
  const rawPort = nonEmpty(env.SAMSA_METRICS_PORT) ?? '0';
  const metricsPort = Number(rawPort);
  if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) {
    throw new Error(`SAMSA_METRICS_PORT must be a port number (0 turns /metrics off), got "${rawPort}"`);
  }
  const rawRatio = nonEmpty(env.SAMSA_TRACE_BACKGROUND_RATIO) ?? '0';
  const backgroundTraceRatio = Number(rawRatio);
  if (!Number.isFinite(backgroundTraceRatio) || backgroundTraceRatio < 0 || backgroundTraceRatio > 1) {
    throw new Error(`SAMSA_TRACE_BACKGROUND_RATIO must be a number from 0 to 1, got "${rawRatio}"`);
  }
  return {
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? nonEmpty(env.SAMSA_SERVICE_NAME) ?? 'samsa',
    instanceId: nonEmpty(env.SAMSA_INSTANCE_ID) ?? `${hostname()}-${process.pid}`,
    version: nonEmpty(env.SAMSA_VERSION) ?? fallbackVersion(),
    tracesOn: tracesOn && exporter !== 'none',
    metricsPort,
    metricsHost: nonEmpty(env.SAMSA_METRICS_HOST) ?? '127.0.0.1',
    backgroundTraceRatio,
  };
}

/** The resource attributes every span and metric of this process carries. */
export function resourceAttributes(settings: TelemetrySettings): Record<string, string> {
  return {
    'service.name': settings.serviceName,
    'service.namespace': 'samsa',
    'service.instance.id': settings.instanceId,
    'service.version': settings.version,
  };
}

/** The "version" of the nearest package.json above this file (the Samsa checkout or image); "unknown" if none. */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'samsa' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
