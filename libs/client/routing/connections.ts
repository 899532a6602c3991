/**
 * One gRPC channel per address, shared by every producer, consumer and admin of one Samsa client,
 * and closed by that client's close(). Nothing else in the SDK constructs gRPC clients.
 */
import type * as grpc from '@grpc/grpc-js';
import { brokerClient, controllerClient, coordinatorClient, deadlineIn, DEFAULT_RPC_LIMITS, type v1 } from '../../rpc/index.js';
import { callError } from '../errors.js';

export class ConnectionPool {
  private readonly brokers = new Map<string, v1.BrokerServiceClient>();
  private readonly controllers = new Map<string, v1.ControllerServiceClient>();
  private readonly coordinators = new Map<string, v1.CoordinatorServiceClient>();
  private closed = false;

  /** `credentials` of every channel; undefined: the process's default transport (libs/rpc). */
  constructor(private readonly credentials?: grpc.ChannelCredentials) {}

  broker(address: string): v1.BrokerServiceClient {
    this.assertOpen();
    let client = this.brokers.get(address);
    if (!client) {
      client = brokerClient(address, DEFAULT_RPC_LIMITS, this.credentials);
      this.brokers.set(address, client);
    }
    return client;
  }

  controller(address: string): v1.ControllerServiceClient {
    this.assertOpen();
    let client = this.controllers.get(address);
    if (!client) {
      client = controllerClient(address, DEFAULT_RPC_LIMITS, this.credentials);
      this.controllers.set(address, client);
    }
    return client;
  }

  /** A CoordinatorService stub: a group coordinator's, or a broker's (which answers FindCoordinator only). */
  coordinator(address: string): v1.CoordinatorServiceClient {
    this.assertOpen();
    let client = this.coordinators.get(address);
    if (!client) {
      client = coordinatorClient(address, DEFAULT_RPC_LIMITS, this.credentials);
      this.coordinators.set(address, client);
    }
    return client;
  }

  /** Closes every channel; in-flight calls fail with CANCELLED. Idempotent. */
  close(): void {
    this.closed = true;
    for (const c of this.brokers.values()) c.close();
    for (const c of this.controllers.values()) c.close();
    for (const c of this.coordinators.values()) c.close();
    this.brokers.clear();
    this.controllers.clear();
    this.coordinators.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the Samsa client is closed');
  }
}

/**
 * Promise form of one unary call to `address` with a deadline; failures become SamsaErrors
 * (BrokerUnreachableError when nothing answered).
 */
export function unary<Res>(
  address: string,
  timeoutMs: number,
  invoke: (options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    invoke({ deadline: deadlineIn(timeoutMs) }, (err, res) => {
      if (err) reject(callError(err, address));
      else if (res === undefined) reject(callError(new Error(`empty response from ${address}`), address));
      else resolve(res);
    });
  });
}
