import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ReplicaFetchRequest as _samsa_v1_ReplicaFetchRequest, ReplicaFetchRequest__Output as _samsa_v1_ReplicaFetchRequest__Output } from './samsa/v1/ReplicaFetchRequest.js';
import type { ReplicaFetchResponse as _samsa_v1_ReplicaFetchResponse, ReplicaFetchResponse__Output as _samsa_v1_ReplicaFetchResponse__Output } from './samsa/v1/ReplicaFetchResponse.js';
import type { ReplicaPartitionData as _samsa_v1_ReplicaPartitionData, ReplicaPartitionData__Output as _samsa_v1_ReplicaPartitionData__Output } from './samsa/v1/ReplicaPartitionData.js';
import type { ReplicaPartitionPosition as _samsa_v1_ReplicaPartitionPosition, ReplicaPartitionPosition__Output as _samsa_v1_ReplicaPartitionPosition__Output } from './samsa/v1/ReplicaPartitionPosition.js';
import type { ReplicaPartitionRef as _samsa_v1_ReplicaPartitionRef, ReplicaPartitionRef__Output as _samsa_v1_ReplicaPartitionRef__Output } from './samsa/v1/ReplicaPartitionRef.js';
import type { ReplicationServiceClient as _samsa_v1_ReplicationServiceClient, ReplicationServiceDefinition as _samsa_v1_ReplicationServiceDefinition } from './samsa/v1/ReplicationService.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  samsa: {
    v1: {
      ReplicaFetchRequest: MessageTypeDefinition<_samsa_v1_ReplicaFetchRequest, _samsa_v1_ReplicaFetchRequest__Output>
      ReplicaFetchResponse: MessageTypeDefinition<_samsa_v1_ReplicaFetchResponse, _samsa_v1_ReplicaFetchResponse__Output>
      ReplicaPartitionData: MessageTypeDefinition<_samsa_v1_ReplicaPartitionData, _samsa_v1_ReplicaPartitionData__Output>
      ReplicaPartitionPosition: MessageTypeDefinition<_samsa_v1_ReplicaPartitionPosition, _samsa_v1_ReplicaPartitionPosition__Output>
      ReplicaPartitionRef: MessageTypeDefinition<_samsa_v1_ReplicaPartitionRef, _samsa_v1_ReplicaPartitionRef__Output>
      ReplicationService: SubtypeConstructor<typeof grpc.Client, _samsa_v1_ReplicationServiceClient> & { service: _samsa_v1_ReplicationServiceDefinition }
    }
  }
}

