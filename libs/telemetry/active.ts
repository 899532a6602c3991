/**
 * What the telemetry SDK of this process was started with (start.ts sets it once). The gRPC
 * interceptors read it when a channel or server is built: with neither traces nor metrics on they
 * are not installed at all, so an untraced, unscraped process pays nothing per call.
 */
export interface ActiveTelemetry {
  /** A trace pipeline exists: spans are recorded and context is carried. */
  traces: boolean;
  /** A metric reader exists (Prometheus /metrics): instruments record. */
  metrics: boolean;
}

let active: ActiveTelemetry = { traces: false, metrics: false };

export function activeTelemetry(): ActiveTelemetry {
  return active;
}

export function setActiveTelemetry(next: ActiveTelemetry): void {
  active = next;
}
