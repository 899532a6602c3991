/**
 * RPC metrics of OpenTelemetry's conventions, recorded by the gRPC interceptors:
 *
 *   rpc.server.call.duration  histogram  s  {rpc.system, rpc.service, rpc.method, rpc.response.status_code}
 *   rpc.client.call.duration  histogram  s  the same, for calls this process makes
 *
 * Its count is the number of calls (Prometheus: rpc_server_call_duration_seconds_count), so a rate
 * by method and status needs no second instrument. A stream's duration is its whole life.
 * Instruments are made on first use, after the SDK started (a meter taken earlier is a no-op).
 */
import { metrics, type Histogram } from '@opentelemetry/api';
import { rpcMethod, statusName } from './method.js';

/** From a sub-millisecond call to a stream open for hours. */
export const RPC_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600,
];

let server: Histogram | undefined;
let client: Histogram | undefined;

function histogram(side: 'server' | 'client'): Histogram {
  return metrics.getMeter('samsa').createHistogram(`rpc.${side}.call.duration`, {
    unit: 's',
    description:
      side === 'server' ? 'gRPC calls served, from arrival to status (a stream: its whole life)' : 'gRPC calls made, from start to status',
    advice: { explicitBucketBoundaries: RPC_DURATION_BUCKETS },
  });
}

export function recordRpc(side: 'server' | 'client', path: string, code: number, seconds: number): void {
  const instrument = side === 'server' ? (server ??= histogram('server')) : (client ??= histogram('client'));
  instrument.record(seconds, { ...rpcMethod(path).attributes, 'rpc.response.status_code': statusName(code) });
}
