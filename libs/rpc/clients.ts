/** Typed gRPC clients for Samsa's services, built with Samsa's channel options. */
import * as grpc from '@grpc/grpc-js';
import { loadSamsaProto } from './proto.js';
import { clientOptions, type RpcLimits, DEFAULT_RPC_LIMITS } from './options.js';
import type { BrokerServiceClient } from './generated/samsa/v1/BrokerService.js';
import type { ControllerServiceClient } from './generated/samsa/v1/ControllerService.js';
import type { ReplicationServiceClient } from './generated/samsa/v1/ReplicationService.js';
import type { CoordinatorServiceClient } from './generated/samsa/v1/CoordinatorService.js';

const creds = (): grpc.ChannelCredentials => grpc.credentials.createInsecure();

export function brokerClient(address: string, limits: RpcLimits = DEFAULT_RPC_LIMITS): BrokerServiceClient {
  return new (loadSamsaProto().proto.samsa.v1.BrokerService)(address, creds(), clientOptions(limits));
}

export function controllerClient(address: string, limits: RpcLimits = DEFAULT_RPC_LIMITS): ControllerServiceClient {
  return new (loadSamsaProto().proto.samsa.v1.ControllerService)(address, creds(), clientOptions(limits));
}

export function replicationClient(address: string, limits: RpcLimits = DEFAULT_RPC_LIMITS): ReplicationServiceClient {
  return new (loadSamsaProto().proto.samsa.v1.ReplicationService)(address, creds(), clientOptions(limits));
}

export function coordinatorClient(address: string, limits: RpcLimits = DEFAULT_RPC_LIMITS): CoordinatorServiceClient {
  return new (loadSamsaProto().proto.samsa.v1.CoordinatorService)(address, creds(), clientOptions(limits));
}

