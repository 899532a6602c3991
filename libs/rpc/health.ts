/**
 * The standard grpc.health.v1 service plus server reflection, added to every Samsa server.
 * Health is NOT_SERVING until the process has joined the cluster, and again while it shuts down.
 */
import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import { loadSamsaProto } from './proto.js';

export type ServingStatus = 'SERVING' | 'NOT_SERVING';

export class HealthReporter {
  private readonly impl = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly services: string[];

  /** `services` are the fully-qualified names also reported individually, e.g. samsa.v1.BrokerService. */
  constructor(server: grpc.Server, services: string[]) {
    this.services = services;
    for (const name of services) this.impl.setStatus(name, 'NOT_SERVING');
    this.impl.addToServer(server);
    new ReflectionService(loadSamsaProto().definition).addToServer(server);
  }

  set(status: ServingStatus): void {
    this.impl.setStatus('', status);
    for (const name of this.services) this.impl.setStatus(name, status);
  }
}
