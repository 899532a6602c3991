// Original file: /work/wt-bench/proto/samsa/v1/replication.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { OffsetForLeaderEpochRequest as _samsa_v1_OffsetForLeaderEpochRequest, OffsetForLeaderEpochRequest__Output as _samsa_v1_OffsetForLeaderEpochRequest__Output } from '../../samsa/v1/OffsetForLeaderEpochRequest.js';
import type { OffsetForLeaderEpochResponse as _samsa_v1_OffsetForLeaderEpochResponse, OffsetForLeaderEpochResponse__Output as _samsa_v1_OffsetForLeaderEpochResponse__Output } from '../../samsa/v1/OffsetForLeaderEpochResponse.js';
import type { ReplicaFetchRequest as _samsa_v1_ReplicaFetchRequest, ReplicaFetchRequest__Output as _samsa_v1_ReplicaFetchRequest__Output } from '../../samsa/v1/ReplicaFetchRequest.js';
import type { ReplicaFetchResponse as _samsa_v1_ReplicaFetchResponse, ReplicaFetchResponse__Output as _samsa_v1_ReplicaFetchResponse__Output } from '../../samsa/v1/ReplicaFetchResponse.js';

export interface ReplicationServiceClient extends grpc.Client {
  OffsetForLeaderEpoch(argument: _samsa_v1_OffsetForLeaderEpochRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  OffsetForLeaderEpoch(argument: _samsa_v1_OffsetForLeaderEpochRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  OffsetForLeaderEpoch(argument: _samsa_v1_OffsetForLeaderEpochRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  OffsetForLeaderEpoch(argument: _samsa_v1_OffsetForLeaderEpochRequest, callback: grpc.requestCallback<_samsa_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  offsetForLeaderEpoch(argument: _samsa_v1_OffsetForLeaderEpochRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  offsetForLeaderEpoch(argument: _samsa_v1_OffsetForLeaderEpochRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  offsetForLeaderEpoch(argument: _samsa_v1_OffsetForLeaderEpochRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  offsetForLeaderEpoch(argument: _samsa_v1_OffsetForLeaderEpochRequest, callback: grpc.requestCallback<_samsa_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  
  Replicate(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse__Output>;
  Replicate(options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse__Output>;
  replicate(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse__Output>;
  replicate(options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse__Output>;
  
}

export interface ReplicationServiceHandlers extends grpc.UntypedServiceImplementation {
  OffsetForLeaderEpoch: grpc.handleUnaryCall<_samsa_v1_OffsetForLeaderEpochRequest__Output, _samsa_v1_OffsetForLeaderEpochResponse>;
  
  Replicate: grpc.handleBidiStreamingCall<_samsa_v1_ReplicaFetchRequest__Output, _samsa_v1_ReplicaFetchResponse>;
  
}

export interface ReplicationServiceDefinition extends grpc.ServiceDefinition {
  OffsetForLeaderEpoch: MethodDefinition<_samsa_v1_OffsetForLeaderEpochRequest, _samsa_v1_OffsetForLeaderEpochResponse, _samsa_v1_OffsetForLeaderEpochRequest__Output, _samsa_v1_OffsetForLeaderEpochResponse__Output>
  Replicate: MethodDefinition<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse, _samsa_v1_ReplicaFetchRequest__Output, _samsa_v1_ReplicaFetchResponse__Output>
}
