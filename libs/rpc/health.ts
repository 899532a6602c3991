/**
 * The standard grpc.health.v1 service plus server reflection, added to every Samsa server.
 * Health is NOT_SERVING until the process has joined the cluster, and again while it shuts down.
 */
import * as grpcJs from '@grpc/grpc-js';
import { deadlineIn } from './call.js';
import { healthPackage } from './packages.js';
import { addReflection } from './reflection.js';
import { defaultChannelCredentials } from './transport.js';

export type ServingStatus = 'SERVING' | 'NOT_SERVING';

export class HealthReporter {
  private readonly impl = new (healthPackage().HealthImplementation)({ '': 'NOT_SERVING' });
  private readonly services: string[];

  /**
   * `services` are the fully-qualified names also reported individually, e.g. samsa.v1.BrokerService:
   * exactly the services the server serves, which reflection then lists (with Health).
   */
  constructor(server: grpcJs.Server, services: string[]) {
    this.services = services;
    for (const name of services) this.impl.setStatus(name, 'NOT_SERVING');
    this.impl.addToServer(server);
    addReflection(server, services);
  }

  set(status: ServingStatus): void {
    this.impl.setStatus('', status);
    for (const name of this.services) this.impl.setStatus(name, status);
  }
}

let healthClient: grpcJs.ServiceClientConstructor | undefined;

/**
 * Asks `address` for grpc.health.v1 status of `service` ('' = the whole server). Resolves to
 * 'SERVING', 'NOT_SERVING', 'UNKNOWN', or 'UNREACHABLE' when the call fails; never rejects.
 */
export function checkHealth(
  address: string,
  service = '',
  timeoutMs = 2000,
  credentials: grpcJs.ChannelCredentials = defaultChannelCredentials(),
): Promise<'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'UNREACHABLE'> {
  const healthServiceDefinition = healthPackage().service;
  healthClient ??= grpcJs.makeGenericClientConstructor(healthServiceDefinition, 'Health');
  const client = new healthClient(address, credentials);
  return new Promise((resolve) => {
    const deadline = deadlineIn(timeoutMs);
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (arg: { service: string }) => Buffer.from(healthServiceDefinition.Check!.requestSerialize(arg)),
      (buf: Buffer) => healthServiceDefinition.Check!.responseDeserialize(buf) as { status: string },
      { service },
      { deadline },
      (err: grpcJs.ServiceError | null, res?: { status: string }) => {
        client.close();
        if (err || !res) resolve('UNREACHABLE');
        else if (res.status === 'SERVING' || res.status === 'NOT_SERVING') resolve(res.status);
        else resolve('UNKNOWN');
      },
    );
  });
}
