import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BrokerInfo as _samsa_v1_BrokerInfo, BrokerInfo__Output as _samsa_v1_BrokerInfo__Output } from './samsa/v1/BrokerInfo.js';
import type { BrokerServiceClient as _samsa_v1_BrokerServiceClient, BrokerServiceDefinition as _samsa_v1_BrokerServiceDefinition } from './samsa/v1/BrokerService.js';
import type { ConsumeRequest as _samsa_v1_ConsumeRequest, ConsumeRequest__Output as _samsa_v1_ConsumeRequest__Output } from './samsa/v1/ConsumeRequest.js';
import type { ConsumeResponse as _samsa_v1_ConsumeResponse, ConsumeResponse__Output as _samsa_v1_ConsumeResponse__Output } from './samsa/v1/ConsumeResponse.js';
import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from './samsa/v1/ConsumedRecord.js';
import type { DescribeReplicasRequest as _samsa_v1_DescribeReplicasRequest, DescribeReplicasRequest__Output as _samsa_v1_DescribeReplicasRequest__Output } from './samsa/v1/DescribeReplicasRequest.js';
import type { DescribeReplicasResponse as _samsa_v1_DescribeReplicasResponse, DescribeReplicasResponse__Output as _samsa_v1_DescribeReplicasResponse__Output } from './samsa/v1/DescribeReplicasResponse.js';
import type { FetchRequest as _samsa_v1_FetchRequest, FetchRequest__Output as _samsa_v1_FetchRequest__Output } from './samsa/v1/FetchRequest.js';
import type { FetchResponse as _samsa_v1_FetchResponse, FetchResponse__Output as _samsa_v1_FetchResponse__Output } from './samsa/v1/FetchResponse.js';
import type { GetMetadataRequest as _samsa_v1_GetMetadataRequest, GetMetadataRequest__Output as _samsa_v1_GetMetadataRequest__Output } from './samsa/v1/GetMetadataRequest.js';
import type { GetMetadataResponse as _samsa_v1_GetMetadataResponse, GetMetadataResponse__Output as _samsa_v1_GetMetadataResponse__Output } from './samsa/v1/GetMetadataResponse.js';
import type { InitProducerIdRequest as _samsa_v1_InitProducerIdRequest, InitProducerIdRequest__Output as _samsa_v1_InitProducerIdRequest__Output } from './samsa/v1/InitProducerIdRequest.js';
import type { InitProducerIdResponse as _samsa_v1_InitProducerIdResponse, InitProducerIdResponse__Output as _samsa_v1_InitProducerIdResponse__Output } from './samsa/v1/InitProducerIdResponse.js';
import type { ListOffsetsRequest as _samsa_v1_ListOffsetsRequest, ListOffsetsRequest__Output as _samsa_v1_ListOffsetsRequest__Output } from './samsa/v1/ListOffsetsRequest.js';
import type { ListOffsetsResponse as _samsa_v1_ListOffsetsResponse, ListOffsetsResponse__Output as _samsa_v1_ListOffsetsResponse__Output } from './samsa/v1/ListOffsetsResponse.js';
import type { OffsetSpec as _samsa_v1_OffsetSpec, OffsetSpec__Output as _samsa_v1_OffsetSpec__Output } from './samsa/v1/OffsetSpec.js';
import type { PartitionBatch as _samsa_v1_PartitionBatch, PartitionBatch__Output as _samsa_v1_PartitionBatch__Output } from './samsa/v1/PartitionBatch.js';
import type { PartitionInfo as _samsa_v1_PartitionInfo, PartitionInfo__Output as _samsa_v1_PartitionInfo__Output } from './samsa/v1/PartitionInfo.js';
import type { PartitionProduceResult as _samsa_v1_PartitionProduceResult, PartitionProduceResult__Output as _samsa_v1_PartitionProduceResult__Output } from './samsa/v1/PartitionProduceResult.js';
import type { ProduceRequest as _samsa_v1_ProduceRequest, ProduceRequest__Output as _samsa_v1_ProduceRequest__Output } from './samsa/v1/ProduceRequest.js';
import type { ProduceResponse as _samsa_v1_ProduceResponse, ProduceResponse__Output as _samsa_v1_ProduceResponse__Output } from './samsa/v1/ProduceResponse.js';
import type { Record as _samsa_v1_Record, Record__Output as _samsa_v1_Record__Output } from './samsa/v1/Record.js';
import type { RecordHeader as _samsa_v1_RecordHeader, RecordHeader__Output as _samsa_v1_RecordHeader__Output } from './samsa/v1/RecordHeader.js';
import type { ReplicaDescription as _samsa_v1_ReplicaDescription, ReplicaDescription__Output as _samsa_v1_ReplicaDescription__Output } from './samsa/v1/ReplicaDescription.js';
import type { ReplicaSelection as _samsa_v1_ReplicaSelection, ReplicaSelection__Output as _samsa_v1_ReplicaSelection__Output } from './samsa/v1/ReplicaSelection.js';
import type { TopicConfig as _samsa_v1_TopicConfig, TopicConfig__Output as _samsa_v1_TopicConfig__Output } from './samsa/v1/TopicConfig.js';
import type { TopicInfo as _samsa_v1_TopicInfo, TopicInfo__Output as _samsa_v1_TopicInfo__Output } from './samsa/v1/TopicInfo.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  samsa: {
    v1: {
      Acks: EnumTypeDefinition
      BrokerInfo: MessageTypeDefinition<_samsa_v1_BrokerInfo, _samsa_v1_BrokerInfo__Output>
      BrokerService: SubtypeConstructor<typeof grpc.Client, _samsa_v1_BrokerServiceClient> & { service: _samsa_v1_BrokerServiceDefinition }
      ConsumeRequest: MessageTypeDefinition<_samsa_v1_ConsumeRequest, _samsa_v1_ConsumeRequest__Output>
      ConsumeResponse: MessageTypeDefinition<_samsa_v1_ConsumeResponse, _samsa_v1_ConsumeResponse__Output>
      ConsumedRecord: MessageTypeDefinition<_samsa_v1_ConsumedRecord, _samsa_v1_ConsumedRecord__Output>
      DescribeReplicasRequest: MessageTypeDefinition<_samsa_v1_DescribeReplicasRequest, _samsa_v1_DescribeReplicasRequest__Output>
      DescribeReplicasResponse: MessageTypeDefinition<_samsa_v1_DescribeReplicasResponse, _samsa_v1_DescribeReplicasResponse__Output>
      ErrorReason: EnumTypeDefinition
      FetchRequest: MessageTypeDefinition<_samsa_v1_FetchRequest, _samsa_v1_FetchRequest__Output>
      FetchResponse: MessageTypeDefinition<_samsa_v1_FetchResponse, _samsa_v1_FetchResponse__Output>
      GetMetadataRequest: MessageTypeDefinition<_samsa_v1_GetMetadataRequest, _samsa_v1_GetMetadataRequest__Output>
      GetMetadataResponse: MessageTypeDefinition<_samsa_v1_GetMetadataResponse, _samsa_v1_GetMetadataResponse__Output>
      InitProducerIdRequest: MessageTypeDefinition<_samsa_v1_InitProducerIdRequest, _samsa_v1_InitProducerIdRequest__Output>
      InitProducerIdResponse: MessageTypeDefinition<_samsa_v1_InitProducerIdResponse, _samsa_v1_InitProducerIdResponse__Output>
      ListOffsetsRequest: MessageTypeDefinition<_samsa_v1_ListOffsetsRequest, _samsa_v1_ListOffsetsRequest__Output>
      ListOffsetsResponse: MessageTypeDefinition<_samsa_v1_ListOffsetsResponse, _samsa_v1_ListOffsetsResponse__Output>
      OffsetPosition: EnumTypeDefinition
      OffsetSpec: MessageTypeDefinition<_samsa_v1_OffsetSpec, _samsa_v1_OffsetSpec__Output>
      PartitionBatch: MessageTypeDefinition<_samsa_v1_PartitionBatch, _samsa_v1_PartitionBatch__Output>
      PartitionInfo: MessageTypeDefinition<_samsa_v1_PartitionInfo, _samsa_v1_PartitionInfo__Output>
      PartitionProduceResult: MessageTypeDefinition<_samsa_v1_PartitionProduceResult, _samsa_v1_PartitionProduceResult__Output>
      ProduceRequest: MessageTypeDefinition<_samsa_v1_ProduceRequest, _samsa_v1_ProduceRequest__Output>
      ProduceResponse: MessageTypeDefinition<_samsa_v1_ProduceResponse, _samsa_v1_ProduceResponse__Output>
      Record: MessageTypeDefinition<_samsa_v1_Record, _samsa_v1_Record__Output>
      RecordFormat: EnumTypeDefinition
      RecordHeader: MessageTypeDefinition<_samsa_v1_RecordHeader, _samsa_v1_RecordHeader__Output>
      ReplicaDescription: MessageTypeDefinition<_samsa_v1_ReplicaDescription, _samsa_v1_ReplicaDescription__Output>
      ReplicaSelection: MessageTypeDefinition<_samsa_v1_ReplicaSelection, _samsa_v1_ReplicaSelection__Output>
      TopicConfig: MessageTypeDefinition<_samsa_v1_TopicConfig, _samsa_v1_TopicConfig__Output>
      TopicInfo: MessageTypeDefinition<_samsa_v1_TopicInfo, _samsa_v1_TopicInfo__Output>
    }
  }
}

