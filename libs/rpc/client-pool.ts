/**
 * One gRPC client per (service, address) for whoever makes outgoing calls: the SDK's Cluster, a
 * broker forwarding to leaders, the coordinator asking brokers and peers, the controller
 * forwarding to the active one, the Kafka gateway. One policy for all of them:
 * - channel options: clientOptions(limits) (options.ts), the same limits for every channel;
 * - credentials: the pool's, or else the process's transport as it is when the channel is made
 *   (transport.ts: TLS and the service's certificate once the service set them up);
 * - idle and broken channels are closed: a channel whose peer has been unreachable
 *   (TRANSIENT_FAILURE) or which grpc-js has put to sleep (IDLE: no call for its idle timeout),
 *   and which nobody asked the pool for during `idleMs`, is closed and forgotten, so an address
 *   that left the cluster (a broker removed, a controller or coordinator replaced) does not keep a
 *   channel reconnecting every 2 s for the life of the process. A channel carrying calls (READY)
 *   or connecting is never closed by the pool. A client closed by someone else (SHUTDOWN) is
 *   replaced on the next ask. The next ask for a forgotten address makes a new channel.
 * - close(): by the pool's creator, once; every channel closed (calls already started run on,
 *   grpc-js semantics), further asks throw `closedError()` (default NOT_READY).
 *
 * Callers ask the pool for a client at each call instead of keeping one: what they were handed may
 * be closed by the sweep once they stop asking.
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../errors/index.js';
import { systemClock, type Clock } from '../runtime/index.js';
import { brokerClient, controllerClient, coordinatorClient, replicationClient } from './clients.js';
import { DEFAULT_RPC_LIMITS, type RpcLimits } from './options.js';
import { defaultChannelCredentials } from './transport.js';
import type { BrokerServiceClient } from './generated/samsa/v1/BrokerService.js';
import type { ControllerServiceClient } from './generated/samsa/v1/ControllerService.js';
import type { ReplicationServiceClient } from './generated/samsa/v1/ReplicationService.js';
import type { CoordinatorServiceClient } from './generated/samsa/v1/CoordinatorService.js';

export interface ClientPoolOptions {
  /** Message limits of every channel. Default DEFAULT_RPC_LIMITS. */
  limits?: RpcLimits;
  /** Credentials of every channel; undefined: the process's default transport at channel creation. */
  credentials?: grpc.ChannelCredentials;
  /** Reads "when was this address last asked for". Default systemClock. */
  clock?: Clock;
  /** A failing or sleeping channel nobody asked for during this long is closed. Default 60 s. */
  idleMs?: number;
  /** How often the pool looks for such channels; 0: never on its own (sweep() by hand). Default idleMs / 2. */
  sweepEveryMs?: number;
  /** What an ask after close() throws. Default NOT_READY (the process is shutting down). */
  closedError?: () => Error;
}

export const DEFAULT_CLIENT_IDLE_MS = 60_000;

type Kind = 'broker' | 'controller' | 'coordinator' | 'replication';

interface Entry {
  client: grpc.Client;
  lastAskedMs: number;
}

const MAKERS: Record<Kind, (address: string, limits: RpcLimits, credentials: grpc.ChannelCredentials) => grpc.Client> = {
  broker: brokerClient,
  controller: controllerClient,
  coordinator: coordinatorClient,
  replication: replicationClient,
};

export class ClientPool {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: RpcLimits;
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: ClientPoolOptions = {}) {
    this.limits = o.limits ?? DEFAULT_RPC_LIMITS;
    this.clock = o.clock ?? systemClock;
    this.idleMs = o.idleMs ?? DEFAULT_CLIENT_IDLE_MS;
    const every = o.sweepEveryMs ?? this.idleMs / 2;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      // The pool's timer never keeps a process alive: its creator's close() clears it.
      this.timer.unref();
    }
  }

  broker(address: string): BrokerServiceClient {
    return this.get('broker', address) as BrokerServiceClient;
  }

  controller(address: string): ControllerServiceClient {
    return this.get('controller', address) as ControllerServiceClient;
  }

  /** A CoordinatorService client: a group coordinator's, or a broker's (which answers FindCoordinator only). */
  coordinator(address: string): CoordinatorServiceClient {
    return this.get('coordinator', address) as CoordinatorServiceClient;
  }

  replication(address: string): ReplicationServiceClient {
    return this.get('replication', address) as ReplicationServiceClient;
  }

  /**
   * Closes and forgets every channel that is in TRANSIENT_FAILURE or IDLE and was not asked for
   * during idleMs, and every client closed by someone else; returns how many. Run by the pool's
   * timer; callable by hand (tests, with a ManualClock).
   */
  sweep(): number {
    const now = this.clock.nowMs();
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      const state = entry.client.getChannel().getConnectivityState(false);
      const unused = now - entry.lastAskedMs >= this.idleMs;
      const quiet = state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.IDLE;
      if (state === grpc.connectivityState.SHUTDOWN || (unused && quiet)) {
        entry.client.close();
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Channels held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every channel and the sweep timer; later asks throw. Idempotent. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const entry of this.entries.values()) entry.client.close();
    this.entries.clear();
  }

  private get(kind: Kind, address: string): grpc.Client {
    if (this.closed) throw this.o.closedError?.() ?? new SamsaError('NOT_READY', `not calling ${address}: this process is shutting down`);
    const key = `${kind} ${address}`;
    const now = this.clock.nowMs();
    const entry = this.entries.get(key);
    if (entry && entry.client.getChannel().getConnectivityState(false) !== grpc.connectivityState.SHUTDOWN) {
      entry.lastAskedMs = now;
      return entry.client;
    }
    const client = MAKERS[kind](address, this.limits, this.o.credentials ?? defaultChannelCredentials());
    this.entries.set(key, { client, lastAskedMs: now });
    return client;
  }
}
