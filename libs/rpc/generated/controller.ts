import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AlterTopicConfigRequest as _samsa_v1_AlterTopicConfigRequest, AlterTopicConfigRequest__Output as _samsa_v1_AlterTopicConfigRequest__Output } from './samsa/v1/AlterTopicConfigRequest.js';
import type { AlterTopicConfigResponse as _samsa_v1_AlterTopicConfigResponse, AlterTopicConfigResponse__Output as _samsa_v1_AlterTopicConfigResponse__Output } from './samsa/v1/AlterTopicConfigResponse.js';
import type { BrokerInfo as _samsa_v1_BrokerInfo, BrokerInfo__Output as _samsa_v1_BrokerInfo__Output } from './samsa/v1/BrokerInfo.js';
import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from './samsa/v1/ConsumedRecord.js';
import type { ControllerServiceClient as _samsa_v1_ControllerServiceClient, ControllerServiceDefinition as _samsa_v1_ControllerServiceDefinition } from './samsa/v1/ControllerService.js';
import type { CreateInternalTopicRequest as _samsa_v1_CreateInternalTopicRequest, CreateInternalTopicRequest__Output as _samsa_v1_CreateInternalTopicRequest__Output } from './samsa/v1/CreateInternalTopicRequest.js';
import type { CreateInternalTopicResponse as _samsa_v1_CreateInternalTopicResponse, CreateInternalTopicResponse__Output as _samsa_v1_CreateInternalTopicResponse__Output } from './samsa/v1/CreateInternalTopicResponse.js';
import type { CreatePartitionsRequest as _samsa_v1_CreatePartitionsRequest, CreatePartitionsRequest__Output as _samsa_v1_CreatePartitionsRequest__Output } from './samsa/v1/CreatePartitionsRequest.js';
import type { CreatePartitionsResponse as _samsa_v1_CreatePartitionsResponse, CreatePartitionsResponse__Output as _samsa_v1_CreatePartitionsResponse__Output } from './samsa/v1/CreatePartitionsResponse.js';
import type { CreateTopicRequest as _samsa_v1_CreateTopicRequest, CreateTopicRequest__Output as _samsa_v1_CreateTopicRequest__Output } from './samsa/v1/CreateTopicRequest.js';
import type { CreateTopicResponse as _samsa_v1_CreateTopicResponse, CreateTopicResponse__Output as _samsa_v1_CreateTopicResponse__Output } from './samsa/v1/CreateTopicResponse.js';
import type { DeleteTopicRequest as _samsa_v1_DeleteTopicRequest, DeleteTopicRequest__Output as _samsa_v1_DeleteTopicRequest__Output } from './samsa/v1/DeleteTopicRequest.js';
import type { DeleteTopicResponse as _samsa_v1_DeleteTopicResponse, DeleteTopicResponse__Output as _samsa_v1_DeleteTopicResponse__Output } from './samsa/v1/DeleteTopicResponse.js';
import type { DescribeTopicsRequest as _samsa_v1_DescribeTopicsRequest, DescribeTopicsRequest__Output as _samsa_v1_DescribeTopicsRequest__Output } from './samsa/v1/DescribeTopicsRequest.js';
import type { DescribeTopicsResponse as _samsa_v1_DescribeTopicsResponse, DescribeTopicsResponse__Output as _samsa_v1_DescribeTopicsResponse__Output } from './samsa/v1/DescribeTopicsResponse.js';
import type { GetMetadataRequest as _samsa_v1_GetMetadataRequest, GetMetadataRequest__Output as _samsa_v1_GetMetadataRequest__Output } from './samsa/v1/GetMetadataRequest.js';
import type { GetMetadataResponse as _samsa_v1_GetMetadataResponse, GetMetadataResponse__Output as _samsa_v1_GetMetadataResponse__Output } from './samsa/v1/GetMetadataResponse.js';
import type { ListTopicsRequest as _samsa_v1_ListTopicsRequest, ListTopicsRequest__Output as _samsa_v1_ListTopicsRequest__Output } from './samsa/v1/ListTopicsRequest.js';
import type { ListTopicsResponse as _samsa_v1_ListTopicsResponse, ListTopicsResponse__Output as _samsa_v1_ListTopicsResponse__Output } from './samsa/v1/ListTopicsResponse.js';
import type { OffsetSpec as _samsa_v1_OffsetSpec, OffsetSpec__Output as _samsa_v1_OffsetSpec__Output } from './samsa/v1/OffsetSpec.js';
import type { PartitionInfo as _samsa_v1_PartitionInfo, PartitionInfo__Output as _samsa_v1_PartitionInfo__Output } from './samsa/v1/PartitionInfo.js';
import type { Record as _samsa_v1_Record, Record__Output as _samsa_v1_Record__Output } from './samsa/v1/Record.js';
import type { RecordHeader as _samsa_v1_RecordHeader, RecordHeader__Output as _samsa_v1_RecordHeader__Output } from './samsa/v1/RecordHeader.js';
import type { TopicConfig as _samsa_v1_TopicConfig, TopicConfig__Output as _samsa_v1_TopicConfig__Output } from './samsa/v1/TopicConfig.js';
import type { TopicInfo as _samsa_v1_TopicInfo, TopicInfo__Output as _samsa_v1_TopicInfo__Output } from './samsa/v1/TopicInfo.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  samsa: {
    v1: {
      Acks: EnumTypeDefinition
      AlterTopicConfigRequest: MessageTypeDefinition<_samsa_v1_AlterTopicConfigRequest, _samsa_v1_AlterTopicConfigRequest__Output>
      AlterTopicConfigResponse: MessageTypeDefinition<_samsa_v1_AlterTopicConfigResponse, _samsa_v1_AlterTopicConfigResponse__Output>
      BrokerInfo: MessageTypeDefinition<_samsa_v1_BrokerInfo, _samsa_v1_BrokerInfo__Output>
      ConsumedRecord: MessageTypeDefinition<_samsa_v1_ConsumedRecord, _samsa_v1_ConsumedRecord__Output>
      ControllerService: SubtypeConstructor<typeof grpc.Client, _samsa_v1_ControllerServiceClient> & { service: _samsa_v1_ControllerServiceDefinition }
      CreateInternalTopicRequest: MessageTypeDefinition<_samsa_v1_CreateInternalTopicRequest, _samsa_v1_CreateInternalTopicRequest__Output>
      CreateInternalTopicResponse: MessageTypeDefinition<_samsa_v1_CreateInternalTopicResponse, _samsa_v1_CreateInternalTopicResponse__Output>
      CreatePartitionsRequest: MessageTypeDefinition<_samsa_v1_CreatePartitionsRequest, _samsa_v1_CreatePartitionsRequest__Output>
      CreatePartitionsResponse: MessageTypeDefinition<_samsa_v1_CreatePartitionsResponse, _samsa_v1_CreatePartitionsResponse__Output>
      CreateTopicRequest: MessageTypeDefinition<_samsa_v1_CreateTopicRequest, _samsa_v1_CreateTopicRequest__Output>
      CreateTopicResponse: MessageTypeDefinition<_samsa_v1_CreateTopicResponse, _samsa_v1_CreateTopicResponse__Output>
      DeleteTopicRequest: MessageTypeDefinition<_samsa_v1_DeleteTopicRequest, _samsa_v1_DeleteTopicRequest__Output>
      DeleteTopicResponse: MessageTypeDefinition<_samsa_v1_DeleteTopicResponse, _samsa_v1_DeleteTopicResponse__Output>
      DescribeTopicsRequest: MessageTypeDefinition<_samsa_v1_DescribeTopicsRequest, _samsa_v1_DescribeTopicsRequest__Output>
      DescribeTopicsResponse: MessageTypeDefinition<_samsa_v1_DescribeTopicsResponse, _samsa_v1_DescribeTopicsResponse__Output>
      ErrorReason: EnumTypeDefinition
      GetMetadataRequest: MessageTypeDefinition<_samsa_v1_GetMetadataRequest, _samsa_v1_GetMetadataRequest__Output>
      GetMetadataResponse: MessageTypeDefinition<_samsa_v1_GetMetadataResponse, _samsa_v1_GetMetadataResponse__Output>
      ListTopicsRequest: MessageTypeDefinition<_samsa_v1_ListTopicsRequest, _samsa_v1_ListTopicsRequest__Output>
      ListTopicsResponse: MessageTypeDefinition<_samsa_v1_ListTopicsResponse, _samsa_v1_ListTopicsResponse__Output>
      OffsetPosition: EnumTypeDefinition
      OffsetSpec: MessageTypeDefinition<_samsa_v1_OffsetSpec, _samsa_v1_OffsetSpec__Output>
      PartitionInfo: MessageTypeDefinition<_samsa_v1_PartitionInfo, _samsa_v1_PartitionInfo__Output>
      Record: MessageTypeDefinition<_samsa_v1_Record, _samsa_v1_Record__Output>
      RecordFormat: EnumTypeDefinition
      RecordHeader: MessageTypeDefinition<_samsa_v1_RecordHeader, _samsa_v1_RecordHeader__Output>
      TopicConfig: MessageTypeDefinition<_samsa_v1_TopicConfig, _samsa_v1_TopicConfig__Output>
      TopicInfo: MessageTypeDefinition<_samsa_v1_TopicInfo, _samsa_v1_TopicInfo__Output>
    }
  }
}

