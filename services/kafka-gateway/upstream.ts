/**
 * The gateway's side facing Samsa: one gRPC channel per Samsa address, shared by every Kafka
 * connection, and each call made as the Kafka client's principal: in secure mode the bearer token
 * the client gave in SASL PLAIN goes out as per-call credentials (`authorization: Bearer`), over a
 * TLS channel that presents no certificate of the gateway's own. The gateway thus has no identity
 * in the cluster: every ACL check is the client's (docs/adr/0047).
 *
 * Routing: partition leaders come from GetMetadata (asked with the caller's credentials) and are
 * cached per topic for ROUTE_TTL_MS, dropped when a broker answers NOT_LEADER_OR_FOLLOWER or the
 * like, so the next request asks again.
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../libs/errors/index.js';
import { REASON_TRAILER, ClientPool, callUnary, fromServiceError, isServiceError, type v1 } from '../../libs/rpc/index.js';
import { systemClock, type Clock } from '../../libs/runtime/index.js';

/** Who a Kafka connection acts as towards Samsa. */
export interface Caller {
  /** Per-call credentials (the client's token), or undefined in insecure mode. */
  readonly credentials: grpc.CallCredentials | undefined;
  /** For log lines and spans only. */
  readonly principal: string;
}

export function callerWithToken(token: string, principal: string): Caller {
  const credentials = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${token}`);
    callback(null, md);
  });
  return { credentials, principal };
}

export const ANONYMOUS_CALLER: Caller = { credentials: undefined, principal: 'User:ANONYMOUS' };

const ROUTE_TTL_MS = 5_000;

type Invoke<Res> = (options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => unknown;

export class Upstream {
  private readonly clients: ClientPool;
  private readonly routes = new Map<string, { topic: v1.TopicInfo__Output; atMs: number }>();
  private known: v1.BrokerInfo__Output[] = [];
  private controller: v1.BrokerInfo__Output | undefined;

  constructor(
    private readonly bootstrap: readonly string[],
    channel: grpc.ChannelCredentials,
    readonly timeoutMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.clients = new ClientPool({ credentials: channel, clock });
  }

  broker(address: string): v1.BrokerServiceClient {
    return this.clients.broker(address);
  }

  coordinator(address: string): v1.CoordinatorServiceClient {
    return this.clients.coordinator(address);
  }

  /** One unary call as `caller`, failures as SamsaError (a connection failure: NOT_READY). */
  call<Res>(caller: Caller, address: string, invoke: Invoke<Res>, timeoutMs = this.timeoutMs, signal?: AbortSignal): Promise<Res> {
    return callUnary<Res>(address, { timeoutMs, credentials: caller.credentials, signal, toError: toSamsaError }, invoke);
  }

  private candidates(): string[] {
    return [...new Set([...this.known.map((b) => `${b.host}:${b.port}`), ...this.bootstrap])];
  }

  /** Cluster metadata as `caller` may see it (topics: all when empty), from the first broker that answers. */
  async metadata(caller: Caller, topics: readonly string[]): Promise<v1.GetMetadataResponse__Output> {
    let last: unknown;
    for (const address of this.candidates()) {
      try {
        const md = await this.call<v1.GetMetadataResponse__Output>(caller, address, (o, cb) =>
          this.broker(address).getMetadata({ topics: [...topics] }, o, cb),
        );
        if (md.brokers.length > 0) this.known = md.brokers;
        this.controller = md.controller ?? undefined;
        const now = this.clock.nowMs();
        for (const t of md.topics) this.routes.set(t.name, { topic: t, atMs: now });
        return md;
      } catch (err) {
        last = err;
        // An answer, not an unreachable broker: do not ask the next one.
        if (err instanceof SamsaError && err.reason !== 'NOT_READY') throw err;
      }
    }
    throw last instanceof Error ? last : new SamsaError('NOT_READY', 'no Samsa broker answered');
  }

  /** A topic's partitions and leaders, cached for ROUTE_TTL_MS; UNKNOWN_TOPIC_OR_PARTITION when absent. */
  async topic(caller: Caller, name: string): Promise<v1.TopicInfo__Output> {
    const cached = this.routes.get(name);
    if (cached && this.clock.nowMs() - cached.atMs < ROUTE_TTL_MS) return cached.topic;
    const md = await this.metadata(caller, [name]);
    const t = md.topics.find((x) => x.name === name);
    if (!t) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
    return t;
  }

  /** The address of the leader of `topic`/`partition`. */
  async leader(caller: Caller, topic: string, partition: number): Promise<string> {
    const t = await this.topic(caller, topic);
    const p = t.partitions.find((x) => x.partition === partition);
    if (!p) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${topic}" has no partition ${partition}`);
    const b = this.known.find((x) => x.id === p.leaderId);
    if (!b) {
      this.routes.delete(topic);
      throw new SamsaError('LEADER_NOT_AVAILABLE', `partition ${topic}/${partition} has no live leader right now`);
    }
    return `${b.host}:${b.port}`;
  }

  /** Forget the cached route of `topic` (a broker said it moved). */
  invalidate(topic: string): void {
    this.routes.delete(topic);
  }

  /** A call to the active controller (asked of metadata when unknown). */
  async controllerCall<Res>(caller: Caller, invoke: (c: v1.ControllerServiceClient) => Invoke<Res>): Promise<Res> {
    if (!this.controller) await this.metadata(caller, []);
    const c = this.controller;
    if (!c) throw new SamsaError('NOT_CONTROLLER', 'no active Samsa controller right now (an election may be under way)');
    const address = `${c.host}:${c.port}`;
    try {
      return await this.call(caller, address, invoke(this.clients.controller(address)));
    } catch (err) {
      if (err instanceof SamsaError && (err.reason === 'NOT_CONTROLLER' || err.reason === 'NOT_READY')) this.controller = undefined;
      throw err;
    }
  }

  /** Any broker's address (for requests any broker answers). */
  anyBroker(): string {
    return this.candidates()[0] as string;
  }

  close(): void {
    this.clients.close();
  }
}

function toSamsaError(err: unknown, address: string): SamsaError {
  if (isServiceError(err) && err.code === grpc.status.UNAVAILABLE && err.metadata?.get(REASON_TRAILER).length === 0)
    return new SamsaError('NOT_READY', `cannot reach Samsa at ${address}: ${err.details}`, { cause: err });
  if (isServiceError(err) && err.code === grpc.status.UNAUTHENTICATED && err.metadata?.get(REASON_TRAILER).length === 0)
    return new SamsaError('AUTHENTICATION_FAILED', err.details, { cause: err });
  return fromServiceError(err, address);
}
