/**
 * What the gRPC interceptors read off a method path, and how a status reads on spans and metrics.
 *
 * Names follow OpenTelemetry's RPC conventions: a span is named `<package>.<Service>/<Method>`
 * (`samsa.v1.BrokerService/Produce`), with `rpc.system=grpc`, `rpc.service`, `rpc.method`, and the
 * status as `rpc.grpc.status_code` (its number) on spans and `rpc.response.status_code` (its name,
 * "OK", "CANCELLED") on metrics, so a dashboard's label reads as a word.
 */
import { status as Status } from '@grpc/grpc-js';
import type { Attributes } from '@opentelemetry/api';

export interface RpcMethod {
  /** `samsa.v1.BrokerService/Produce` */
  name: string;
  service: string;
  method: string;
  /** Attributes every span and measurement of this method carries. */
  attributes: Attributes;
}

const cache = new Map<string, RpcMethod>();

/** Parses `/samsa.v1.BrokerService/Produce`; cached, as a process has a few dozen methods. */
export function rpcMethod(path: string): RpcMethod {
  let found = cache.get(path);
  if (found) return found;
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  const slash = trimmed.lastIndexOf('/');
  const service = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  const method = slash >= 0 ? trimmed.slice(slash + 1) : '';
  found = { name: trimmed, service, method, attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method } };
  cache.set(path, found);
  return found;
}

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

/** "OK", "CANCELLED", ...; the number as text for a code gRPC does not define. */
export function statusName(code: number): string {
  return NAMES[code] ?? String(code);
}

/**
 * Server spans are ERROR only for what is the server's fault (OpenTelemetry's RPC conventions):
 * a client's bad request, missing topic or cancel is a normal answer, not a failing server.
 */
const SERVER_ERRORS: ReadonlySet<number> = new Set([
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.UNIMPLEMENTED,
  Status.INTERNAL,
  Status.UNAVAILABLE,
  Status.DATA_LOSS,
]);

export function isServerError(code: number): boolean {
  return SERVER_ERRORS.has(code);
}

/**
 * Calls not worth a span: health checks and reflection are asked every few seconds by probes and
 * would bury the requests worth looking at. They are still counted in the RPC metrics.
 */
export function isUntraced(service: string): boolean {
  return service === 'grpc.health.v1.Health' || service.startsWith('grpc.reflection.');
}
