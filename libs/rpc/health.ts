/**
 * The standard grpc.health.v1 service plus server reflection, added to every Samsa server.
 * Health is NOT_SERVING until the process has joined the cluster, and again while it shuts down.
 */
import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { addReflection } from './reflection.js';

export type ServingStatus = 'SERVING' | 'NOT_SERVING';

export class HealthReporter {
  private readonly impl = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly services: string[];

  /**
   * `services` are the fully-qualified names also reported individually, e.g. samsa.v1.BrokerService:
   * exactly the services the server serves, which reflection then lists (with Health).
   */
  constructor(server: grpc.Server, services: string[]) {
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

import * as grpcJs from '@grpc/grpc-js';
import { service as healthServiceDefinition } from 'grpc-health-check';
import { defaultChannelCredentials } from './transport.js';

const HealthClient = grpcJs.makeGenericClientConstructor(healthServiceDefinition, 'Health');

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
  const client = new HealthClient(address, credentials);
  return new Promise((resolve) => {
    const deadline = new Date(Date.now() + timeoutMs);
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
