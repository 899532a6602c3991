/**
 * Loads proto/samsa/v1 at run time with @grpc/proto-loader. The loader options here must match
 * the flags in scripts/gen-proto-types.mjs, which generates the types in ./generated/.
 *
 * int64 fields load as JS numbers (`longs: Number`): Samsa keeps offsets below 2^53 and checks that
 * at the wire edge (see checkedOffset in ./wire.ts) — see docs/adr/0003-offsets-are-numbers.md.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as BrokerProto } from './generated/broker.js';
import type { ProtoGrpcType as ControllerProto } from './generated/controller.js';
import type { ProtoGrpcType as ReplicationProto } from './generated/replication.js';
import type { ProtoGrpcType as CoordinatorProto } from './generated/coordinator.js';
import { strictDeserializers } from './strict-requests.js';
import { scratchResponseSerializers } from './response-encoding.js';

export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** proto/ of this checkout, found from both the sources (libs/rpc) and the build (dist/libs/rpc). */
export function protoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'samsa/v1/common.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find proto/samsa/v1 above ' + fileURLToPath(import.meta.url));
}

export const PROTO_FILES = [
  'samsa/v1/common.proto',
  'samsa/v1/broker.proto',
  'samsa/v1/controller.proto',
  'samsa/v1/replication.proto',
  'samsa/v1/coordinator.proto',
] as const;

export type SamsaProto = BrokerProto & ControllerProto & ReplicationProto & CoordinatorProto;

let cached: { proto: SamsaProto; definition: protoLoader.PackageDefinition } | undefined;

/**
 * The package definition (for reflection) and the loaded gRPC object, loaded once per process.
 * Servers decode requests strictly (strict-requests.ts): a request that is not valid protobuf, or
 * breaks a limit of limits.ts, never reaches a handler; and encode responses into one reused buffer
 * (response-encoding.ts), the same bytes without a fresh buffer per response.
 */
export function loadSamsaProto(): { proto: SamsaProto; definition: protoLoader.PackageDefinition } {
  if (!cached) {
    const definition = protoLoader.loadSync([...PROTO_FILES], {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [protoRoot()],
    });
    strictDeserializers(definition);
    scratchResponseSerializers(definition, PROTO_FILES, protoRoot(), PROTO_LOADER_OPTIONS);
    const proto = grpc.loadPackageDefinition(definition) as unknown as SamsaProto;
    cached = { proto, definition };
  }
  return cached;
}
