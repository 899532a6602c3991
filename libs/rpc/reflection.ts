/**
 * Server reflection that lists exactly what a port serves: the Samsa services its process added
 * plus grpc.health.v1.Health (so `grpcurl -plaintext HOST:PORT list` shows the health service and
 * `grpcurl ... grpc.health.v1.Health/Check` can find its schema). Before, every port listed all
 * four Samsa services whatever it served.
 */
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { healthPackage, reflectionPackage } from './packages.js';
import { loadSamsaProto, PROTO_LOADER_OPTIONS } from './proto.js';

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

let withHealth: protoLoader.PackageDefinition | undefined;

/** Samsa's package definition plus grpc.health.v1's, for reflection (loaded once per process). */
function reflectedDefinition(): protoLoader.PackageDefinition {
  withHealth ??= { ...loadSamsaProto().definition, ...protoLoader.loadSync(healthPackage().protoPath, PROTO_LOADER_OPTIONS) };
  return withHealth;
}

/** Adds reflection listing `services` (fully-qualified names, e.g. samsa.v1.BrokerService) and Health. */
export function addReflection(server: grpc.Server, services: readonly string[]): void {
  const definition = reflectedDefinition();
  for (const name of services) {
    if (!definition[name]) throw new Error(`reflection: no service ${name} in proto/samsa/v1`);
  }
  new (reflectionPackage().ReflectionService)(definition, { services: [...services, HEALTH_SERVICE_NAME] }).addToServer(server);
}
