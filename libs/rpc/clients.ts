/** Typed gRPC clients for Samsa's services, built with Samsa's channel options. */
import type * as grpc from '@grpc/grpc-js';
import { loadSamsaProto } from './proto.js';
import { clientOptions, type RpcLimits, DEFAULT_RPC_LIMITS } from './options.js';
import { defaultChannelCredentials } from './transport.js';
import type { BrokerServiceClient } from './generated/samsa/v1/BrokerService.js';
import type { ControllerServiceClient } from './generated/samsa/v1/ControllerService.js';
import type { ReplicationServiceClient } from './generated/samsa/v1/ReplicationService.js';
import type { CoordinatorServiceClient } from './generated/samsa/v1/CoordinatorService.js';

/** Without `credentials`, the process's transport (transport.ts: TLS when the process set it up). */
export function brokerClient(
  address: string,
  limits: RpcLimits = DEFAULT_RPC_LIMITS,
  credentials: grpc.ChannelCredentials = defaultChannelCredentials(),
): BrokerServiceClient {
  return new (loadSamsaProto().proto.samsa.v1.BrokerService)(address, credentials, clientOptions(limits));
}

export function controllerClient(
  address: string,
  limits: RpcLimits = DEFAULT_RPC_LIMITS,
  credentials: grpc.ChannelCredentials = defaultChannelCredentials(),
): ControllerServiceClient {
  return new (loadSamsaProto().proto.samsa.v1.ControllerService)(address, credentials, clientOptions(limits));
}

export function replicationClient(
  address: string,
  limits: RpcLimits = DEFAULT_RPC_LIMITS,
  credentials: grpc.ChannelCredentials = defaultChannelCredentials(),
): ReplicationServiceClient {
  return new (loadSamsaProto().proto.samsa.v1.ReplicationService)(address, credentials, clientOptions(limits));
}

export function coordinatorClient(
  address: string,
  limits: RpcLimits = DEFAULT_RPC_LIMITS,
  credentials: grpc.ChannelCredentials = defaultChannelCredentials(),
): CoordinatorServiceClient {
  return new (loadSamsaProto().proto.samsa.v1.CoordinatorService)(address, credentials, clientOptions(limits));
}
