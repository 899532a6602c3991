/**
 * Request routing between brokers. Any broker answers any request: when the partition's leader is
 * another broker, the request is forwarded to it with the metadata header `samsa-forwarded: 1`.
 * A forwarded request that lands on a broker that does not lead the partition either (metadata
 * moved in between) is NOT forwarded again: it fails with NOT_LEADER_OR_FOLLOWER and the leader
 * this broker knows in `samsa-leader-id` / `samsa-leader-address`, so a loop is impossible and the
 * client refreshes its metadata. No leader at all -> LEADER_NOT_AVAILABLE.
 *
 * One BrokerService client per leader address, in this forwarder's ClientPool, closed by `close()`.
 * Forwarded calls inherit the caller's deadline (capped) and are cancelled when the caller goes
 * away. Errors from the leader come back with its reason and details; a leader that cannot be
 * reached becomes NOT_LEADER_OR_FOLLOWER with its address (retriable).
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../libs/errors/index.js';
import {
  callUnary,
  ClientPool,
  onShutdown,
  fromServiceError,
  isServiceError,
  WriteBudget,
  REASON_TRAILER,
  type RpcLimits,
  type v1,
} from '../../libs/rpc/index.js';
import type { ClusterView } from '../../libs/cluster/index.js';
import { ATTR, withSpan } from '../../libs/telemetry/index.js';

export const FORWARDED_HEADER = 'samsa-forwarded';

/** Where a partition's requests go. */
export type Route = { kind: 'local' } | { kind: 'remote'; leaderId: number; address: string };

/** True when the call was forwarded by another broker already. */
export function isForwarded(call: { metadata: grpc.Metadata }): boolean {
  return call.metadata.get(FORWARDED_HEADER).some((v) => String(v) === '1');
}

type CancellableCall = {
  on(event: 'cancelled', listener: () => void): unknown;
  off(event: 'cancelled', listener: () => void): unknown;
  getDeadline(): grpc.Deadline;
};

export class Forwarder {
  private readonly clients: ClientPool;

  constructor(
    private readonly brokerId: number,
    private readonly view: Pick<ClusterView, 'confirmTopic' | 'partition' | 'broker'>,
    limits: RpcLimits,
  ) {
    this.clients = new ClientPool({ limits, closedError: () => new SamsaError('NOT_READY', `broker ${brokerId} is shutting down`) });
  }

  /**
   * Where to send a request for topic/partition. Throws UNKNOWN_TOPIC_OR_PARTITION for a topic or
   * partition the metadata does not have, LEADER_NOT_AVAILABLE when it has no live leader, and
   * NOT_LEADER_OR_FOLLOWER when the request was already forwarded once. A topic or partition this
   * broker's view lacks is checked against etcd first (ClusterView.confirmTopic).
   */
  async route(topic: string, partition: number, forwarded: boolean): Promise<Route> {
    const record = await this.view.confirmTopic(topic, partition);
    if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} does not exist`);
    if (!Number.isInteger(partition) || partition < 0 || partition >= record.partitions) {
      throw new SamsaError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `topic ${topic} has partitions 0 to ${record.partitions - 1}; there is no partition ${partition}`,
      );
    }
    const state = this.view.partition(topic, partition);
    if (!state || state.leader < 0) {
      throw new SamsaError('LEADER_NOT_AVAILABLE', `${topic}-${partition} has no live leader right now`);
    }
    if (state.leader === this.brokerId) return { kind: 'local' };
    const leader = this.view.broker(state.leader);
    const details: Record<string, string> = { 'leader-id': String(state.leader) };
    if (leader) details['leader-address'] = `${leader.host}:${leader.port}`;
    if (forwarded) {
      throw new SamsaError(
        'NOT_LEADER_OR_FOLLOWER',
        `${topic}-${partition}: broker ${this.brokerId} is not the leader (broker ${state.leader} is) and does not forward a forwarded request`,
        { details },
      );
    }
    if (!leader) {
      throw new SamsaError('LEADER_NOT_AVAILABLE', `${topic}-${partition}: leader broker ${state.leader} is not registered (down?)`, {
        details,
      });
    }
    return { kind: 'remote', leaderId: state.leader, address: `${leader.host}:${leader.port}` };
  }

  /**
   * Sends a unary request to the leader and returns its answer. `invoke` calls the generated
   * method with the metadata, options and callback it is given. Traced as `broker.forward` (the
   * gRPC client span to the leader is its child).
   */
  unary<Res>(
    route: Extract<Route, { kind: 'remote' }>,
    caller: CancellableCall,
    capMs: number,
    invoke: (
      client: v1.BrokerServiceClient,
      metadata: grpc.Metadata,
      options: grpc.CallOptions,
      callback: grpc.requestCallback<Res>,
    ) => grpc.ClientUnaryCall,
  ): Promise<Res> {
    const client = this.client(route.address);
    return withSpan('broker.forward', this.spanAttributes(route), async () => {
      // The caller going away cancels the call to the leader.
      const cancelled = new AbortController();
      const onCancelled = (): void => cancelled.abort();
      caller.on('cancelled', onCancelled);
      try {
        return await callUnary<Res>(
          route.address,
          { timeoutMs: capMs, deadline: callerDeadline(caller), signal: cancelled.signal, toError: (err) => this.translate(err, route) },
          (options, callback) => invoke(client, forwardedMetadata(), options, callback),
        );
      } finally {
        caller.off('cancelled', onCancelled);
      }
    });
  }

  /**
   * Proxies the leader's Consume stream to `call` (proxyConsume), with at most `unsentBytes`
   * written to the client and not yet sent: a stalled client stalls the leader's stream instead of
   * filling this broker's memory. Traced as `broker.forward_stream` for the stream's life.
   */
  consume(
    route: Extract<Route, { kind: 'remote' }>,
    request: v1.ConsumeRequest__Output,
    call: grpc.ServerWritableStream<v1.ConsumeRequest__Output, v1.ConsumeResponse>,
    stop: AbortSignal,
    unsentBytes: number,
  ): Promise<void> {
    const client = this.client(route.address);
    return withSpan('broker.forward_stream', this.spanAttributes(route), () =>
      proxyConsume(client.consume(request, forwardedMetadata()), call, stop, unsentBytes, {
        shutdown: () => new SamsaError('NOT_READY', `broker ${this.brokerId} is shutting down`),
        translate: (err) => this.translate(err, route),
      }),
    );
  }

  /** Closes every client. */
  close(): void {
    this.clients.close();
  }

  private client(address: string): v1.BrokerServiceClient {
    return this.clients.broker(address);
  }

  private spanAttributes(route: Extract<Route, { kind: 'remote' }>): Record<string, string | number> {
    return { [ATTR.brokerId]: this.brokerId, [ATTR.leaderId]: route.leaderId, 'server.address': route.address };
  }

  /** The leader's own error as is; a transport failure as a retriable NOT_LEADER_OR_FOLLOWER naming the leader. */
  private translate(err: unknown, route: Extract<Route, { kind: 'remote' }>): SamsaError {
    const hasReason = isServiceError(err) && (err.metadata?.get(REASON_TRAILER).length ?? 0) > 0;
    if (hasReason || !isServiceError(err) || err.code === grpc.status.DEADLINE_EXCEEDED) return fromServiceError(err, route.address);
    return new SamsaError(
      'NOT_LEADER_OR_FOLLOWER',
      `could not forward to the leader, broker ${route.leaderId} at ${route.address}: ${err.details || err.message}`,
      { details: { 'leader-id': String(route.leaderId), 'leader-address': route.address }, cause: err },
    );
  }
}

/** The leader's Consume stream as proxyConsume uses it (grpc-js' ClientReadableStream). */
export interface ConsumeUpstream {
  on(event: 'data', listener: (message: v1.ConsumeResponse__Output) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
  cancel(): void;
}

/** The bytes a Consume message holds: its batches, or its records' keys, values and headers. */
export function consumeMessageBytes(message: v1.ConsumeResponse__Output): number {
  let bytes = message.batches.length;
  for (const r of message.records) {
    bytes += (r.key?.length ?? 0) + r.value.length;
    for (const h of r.headers) bytes += h.key.length + h.value.length;
  }
  return bytes;
}

/**
 * Proxies `upstream` (the leader's Consume stream) to `call`, message by message, with
 * back-pressure both ways: the upstream is paused while the downstream holds `unsentBytes` or more
 * written and not yet sent (WriteBudget, as a local Consume stream; grpc-js' own queue would hold
 * 16 messages of up to a MiB each for a client that stopped reading). Resolves when the upstream
 * ends or the client goes away (the upstream is then cancelled); rejects with `errors.translate`
 * of the leader's error. `stop` cancels the upstream and rejects with `errors.shutdown()`.
 */
export function proxyConsume(
  upstream: ConsumeUpstream,
  call: grpc.ServerWritableStream<v1.ConsumeRequest__Output, v1.ConsumeResponse>,
  stop: AbortSignal,
  unsentBytes: number,
  errors: { shutdown: () => SamsaError; translate: (err: unknown) => SamsaError },
): Promise<void> {
  const out = new WriteBudget(call, unsentBytes);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let offStop = (): void => undefined;
    const finish = (err?: SamsaError): void => {
      if (settled) return;
      settled = true;
      call.off('cancelled', onGone);
      offStop();
      upstream.cancel();
      if (err) reject(err);
      else resolve();
    };
    const onGone = (): void => finish();
    const onStop = (): void => finish(errors.shutdown());
    upstream.on('data', (message: v1.ConsumeResponse__Output) => {
      upstream.pause();
      out.write(message, consumeMessageBytes(message)).then(
        (ok) => (ok ? upstream.resume() : finish()),
        () => finish(),
      );
    });
    upstream.on('error', (err: unknown) => {
      if (isServiceError(err) && err.code === grpc.status.CANCELLED) finish();
      else finish(errors.translate(err));
    });
    upstream.on('end', () => finish());
    call.on('cancelled', onGone);
    // One listener on the shared signal however many streams are proxied (onShutdown).
    offStop = onShutdown(stop, onStop);
  });
}

function forwardedMetadata(): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(FORWARDED_HEADER, '1');
  return md;
}

/** The deadline the forwarded call's own client set, if any (callUnary caps it). */
function callerDeadline(caller: CancellableCall): Date | undefined {
  const raw = caller.getDeadline();
  const ms = raw instanceof Date ? raw.getTime() : raw;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}
