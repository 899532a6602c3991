/**
 * /metrics in Prometheus text format, with units in names as Prometheus expects.
 *
 * The OpenTelemetry Prometheus exporter serves `samsa.broker.produce.duration` (unit s) as
 * `samsa_broker_produce_duration`; Prometheus's conventions (and OpenTelemetry's own
 * Prometheus-compatibility rules) want the unit as a suffix: `..._duration_seconds`. This serves the
 * exporter's collection with the suffix added from each instrument's unit (UNIT_SUFFIXES), so an
 * instrument is named once, without its unit, as OpenTelemetry's naming rules say, and Prometheus
 * still reads `_seconds` and `_bytes`. Counters get `_total` after it, from the serializer.
 *
 * Owned by start.ts: `close()` stops the HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type * as PrometheusPackage from '@opentelemetry/exporter-prometheus';
import type { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { lazyPackage } from '../runtime/index.js';

/** Loaded when a process serves /metrics (services), not when a client imports libs/telemetry. */
const prometheusPackage = lazyPackage<typeof PrometheusPackage>('@opentelemetry/exporter-prometheus');

/** OpenTelemetry (UCUM) units and their Prometheus suffixes; other units ({record}, 1) add none. */
const UNIT_SUFFIXES: Readonly<Record<string, string>> = {
  s: 'seconds',
  ms: 'milliseconds',
  By: 'bytes',
};

/** `samsa.log.fsync.duration` with unit s -> `samsa.log.fsync.duration.seconds` (the serializer makes dots underscores). */
export function withUnitSuffix(name: string, unit: string): string {
  const suffix = UNIT_SUFFIXES[unit];
  if (!suffix || name.endsWith(`.${suffix}`) || name.endsWith(`_${suffix}`)) return name;
  return `${name}.${suffix}`;
}

function withUnits(metrics: ResourceMetrics): ResourceMetrics {
  return {
    ...metrics,
    scopeMetrics: metrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map((m) => ({
        ...m,
        descriptor: { ...m.descriptor, name: withUnitSuffix(m.descriptor.name, m.descriptor.unit) },
      })),
    })),
  };
}

export class PrometheusEndpoint {
  /** The metric reader to give the SDK. */
  readonly reader: PrometheusExporter = new (prometheusPackage().PrometheusExporter)({ preventServerStart: true });
  private readonly serializer: PrometheusSerializer = new (prometheusPackage().PrometheusSerializer)();
  private readonly server: Server;

  constructor(host: string, port: number, onError: (err: Error) => void) {
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.reader.collect().then(
        ({ resourceMetrics }) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
          res.end(this.serializer.serialize(withUnits(resourceMetrics)));
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`# failed to collect metrics: ${String(err)}\n`);
        },
      );
    });
    this.server.on('error', onError);
    this.server.listen(port, host);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
