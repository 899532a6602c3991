// Original file: proto/samsa/v1/replication.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ReplicaFetchRequest as _samsa_v1_ReplicaFetchRequest, ReplicaFetchRequest__Output as _samsa_v1_ReplicaFetchRequest__Output } from '../../samsa/v1/ReplicaFetchRequest.js';
import type { ReplicaFetchResponse as _samsa_v1_ReplicaFetchResponse, ReplicaFetchResponse__Output as _samsa_v1_ReplicaFetchResponse__Output } from '../../samsa/v1/ReplicaFetchResponse.js';

export interface ReplicationServiceClient extends grpc.Client {
  Replicate(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse__Output>;
  Replicate(options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse__Output>;
  replicate(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse__Output>;
  replicate(options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse__Output>;
  
}

export interface ReplicationServiceHandlers extends grpc.UntypedServiceImplementation {
  Replicate: grpc.handleBidiStreamingCall<_samsa_v1_ReplicaFetchRequest__Output, _samsa_v1_ReplicaFetchResponse>;
  
}

export interface ReplicationServiceDefinition extends grpc.ServiceDefinition {
  Replicate: MethodDefinition<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchResponse, _samsa_v1_ReplicaFetchRequest__Output, _samsa_v1_ReplicaFetchResponse__Output>
}
