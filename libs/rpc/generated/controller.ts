import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AclBinding as _samsa_v1_AclBinding, AclBinding__Output as _samsa_v1_AclBinding__Output } from './samsa/v1/AclBinding.js';
import type { AclBindingFilter as _samsa_v1_AclBindingFilter, AclBindingFilter__Output as _samsa_v1_AclBindingFilter__Output } from './samsa/v1/AclBindingFilter.js';
import type { AlterPartitionReassignmentsRequest as _samsa_v1_AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsRequest__Output as _samsa_v1_AlterPartitionReassignmentsRequest__Output } from './samsa/v1/AlterPartitionReassignmentsRequest.js';
import type { AlterPartitionReassignmentsResponse as _samsa_v1_AlterPartitionReassignmentsResponse, AlterPartitionReassignmentsResponse__Output as _samsa_v1_AlterPartitionReassignmentsResponse__Output } from './samsa/v1/AlterPartitionReassignmentsResponse.js';
import type { AlterQuotasRequest as _samsa_v1_AlterQuotasRequest, AlterQuotasRequest__Output as _samsa_v1_AlterQuotasRequest__Output } from './samsa/v1/AlterQuotasRequest.js';
import type { AlterQuotasResponse as _samsa_v1_AlterQuotasResponse, AlterQuotasResponse__Output as _samsa_v1_AlterQuotasResponse__Output } from './samsa/v1/AlterQuotasResponse.js';
import type { AlterTopicConfigRequest as _samsa_v1_AlterTopicConfigRequest, AlterTopicConfigRequest__Output as _samsa_v1_AlterTopicConfigRequest__Output } from './samsa/v1/AlterTopicConfigRequest.js';
import type { AlterTopicConfigResponse as _samsa_v1_AlterTopicConfigResponse, AlterTopicConfigResponse__Output as _samsa_v1_AlterTopicConfigResponse__Output } from './samsa/v1/AlterTopicConfigResponse.js';
import type { BrokerInfo as _samsa_v1_BrokerInfo, BrokerInfo__Output as _samsa_v1_BrokerInfo__Output } from './samsa/v1/BrokerInfo.js';
import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from './samsa/v1/ConsumedRecord.js';
import type { ControllerServiceClient as _samsa_v1_ControllerServiceClient, ControllerServiceDefinition as _samsa_v1_ControllerServiceDefinition } from './samsa/v1/ControllerService.js';
import type { CreateAclsRequest as _samsa_v1_CreateAclsRequest, CreateAclsRequest__Output as _samsa_v1_CreateAclsRequest__Output } from './samsa/v1/CreateAclsRequest.js';
import type { CreateAclsResponse as _samsa_v1_CreateAclsResponse, CreateAclsResponse__Output as _samsa_v1_CreateAclsResponse__Output } from './samsa/v1/CreateAclsResponse.js';
import type { CreateInternalTopicRequest as _samsa_v1_CreateInternalTopicRequest, CreateInternalTopicRequest__Output as _samsa_v1_CreateInternalTopicRequest__Output } from './samsa/v1/CreateInternalTopicRequest.js';
import type { CreateInternalTopicResponse as _samsa_v1_CreateInternalTopicResponse, CreateInternalTopicResponse__Output as _samsa_v1_CreateInternalTopicResponse__Output } from './samsa/v1/CreateInternalTopicResponse.js';
import type { CreatePartitionsRequest as _samsa_v1_CreatePartitionsRequest, CreatePartitionsRequest__Output as _samsa_v1_CreatePartitionsRequest__Output } from './samsa/v1/CreatePartitionsRequest.js';
import type { CreatePartitionsResponse as _samsa_v1_CreatePartitionsResponse, CreatePartitionsResponse__Output as _samsa_v1_CreatePartitionsResponse__Output } from './samsa/v1/CreatePartitionsResponse.js';
import type { CreateTopicRequest as _samsa_v1_CreateTopicRequest, CreateTopicRequest__Output as _samsa_v1_CreateTopicRequest__Output } from './samsa/v1/CreateTopicRequest.js';
import type { CreateTopicResponse as _samsa_v1_CreateTopicResponse, CreateTopicResponse__Output as _samsa_v1_CreateTopicResponse__Output } from './samsa/v1/CreateTopicResponse.js';
import type { DeleteAclsRequest as _samsa_v1_DeleteAclsRequest, DeleteAclsRequest__Output as _samsa_v1_DeleteAclsRequest__Output } from './samsa/v1/DeleteAclsRequest.js';
import type { DeleteAclsResponse as _samsa_v1_DeleteAclsResponse, DeleteAclsResponse__Output as _samsa_v1_DeleteAclsResponse__Output } from './samsa/v1/DeleteAclsResponse.js';
import type { DeleteTopicRequest as _samsa_v1_DeleteTopicRequest, DeleteTopicRequest__Output as _samsa_v1_DeleteTopicRequest__Output } from './samsa/v1/DeleteTopicRequest.js';
import type { DeleteTopicResponse as _samsa_v1_DeleteTopicResponse, DeleteTopicResponse__Output as _samsa_v1_DeleteTopicResponse__Output } from './samsa/v1/DeleteTopicResponse.js';
import type { DescribeAclsRequest as _samsa_v1_DescribeAclsRequest, DescribeAclsRequest__Output as _samsa_v1_DescribeAclsRequest__Output } from './samsa/v1/DescribeAclsRequest.js';
import type { DescribeAclsResponse as _samsa_v1_DescribeAclsResponse, DescribeAclsResponse__Output as _samsa_v1_DescribeAclsResponse__Output } from './samsa/v1/DescribeAclsResponse.js';
import type { DescribeQuotasRequest as _samsa_v1_DescribeQuotasRequest, DescribeQuotasRequest__Output as _samsa_v1_DescribeQuotasRequest__Output } from './samsa/v1/DescribeQuotasRequest.js';
import type { DescribeQuotasResponse as _samsa_v1_DescribeQuotasResponse, DescribeQuotasResponse__Output as _samsa_v1_DescribeQuotasResponse__Output } from './samsa/v1/DescribeQuotasResponse.js';
import type { DescribeTopicsRequest as _samsa_v1_DescribeTopicsRequest, DescribeTopicsRequest__Output as _samsa_v1_DescribeTopicsRequest__Output } from './samsa/v1/DescribeTopicsRequest.js';
import type { DescribeTopicsResponse as _samsa_v1_DescribeTopicsResponse, DescribeTopicsResponse__Output as _samsa_v1_DescribeTopicsResponse__Output } from './samsa/v1/DescribeTopicsResponse.js';
import type { DrainBrokersRequest as _samsa_v1_DrainBrokersRequest, DrainBrokersRequest__Output as _samsa_v1_DrainBrokersRequest__Output } from './samsa/v1/DrainBrokersRequest.js';
import type { DrainBrokersResponse as _samsa_v1_DrainBrokersResponse, DrainBrokersResponse__Output as _samsa_v1_DrainBrokersResponse__Output } from './samsa/v1/DrainBrokersResponse.js';
import type { ElectLeadersRequest as _samsa_v1_ElectLeadersRequest, ElectLeadersRequest__Output as _samsa_v1_ElectLeadersRequest__Output } from './samsa/v1/ElectLeadersRequest.js';
import type { ElectLeadersResponse as _samsa_v1_ElectLeadersResponse, ElectLeadersResponse__Output as _samsa_v1_ElectLeadersResponse__Output } from './samsa/v1/ElectLeadersResponse.js';
import type { ElectionResult as _samsa_v1_ElectionResult, ElectionResult__Output as _samsa_v1_ElectionResult__Output } from './samsa/v1/ElectionResult.js';
import type { GetMetadataRequest as _samsa_v1_GetMetadataRequest, GetMetadataRequest__Output as _samsa_v1_GetMetadataRequest__Output } from './samsa/v1/GetMetadataRequest.js';
import type { GetMetadataResponse as _samsa_v1_GetMetadataResponse, GetMetadataResponse__Output as _samsa_v1_GetMetadataResponse__Output } from './samsa/v1/GetMetadataResponse.js';
import type { ListPartitionReassignmentsRequest as _samsa_v1_ListPartitionReassignmentsRequest, ListPartitionReassignmentsRequest__Output as _samsa_v1_ListPartitionReassignmentsRequest__Output } from './samsa/v1/ListPartitionReassignmentsRequest.js';
import type { ListPartitionReassignmentsResponse as _samsa_v1_ListPartitionReassignmentsResponse, ListPartitionReassignmentsResponse__Output as _samsa_v1_ListPartitionReassignmentsResponse__Output } from './samsa/v1/ListPartitionReassignmentsResponse.js';
import type { ListTopicsRequest as _samsa_v1_ListTopicsRequest, ListTopicsRequest__Output as _samsa_v1_ListTopicsRequest__Output } from './samsa/v1/ListTopicsRequest.js';
import type { ListTopicsResponse as _samsa_v1_ListTopicsResponse, ListTopicsResponse__Output as _samsa_v1_ListTopicsResponse__Output } from './samsa/v1/ListTopicsResponse.js';
import type { OffsetSpec as _samsa_v1_OffsetSpec, OffsetSpec__Output as _samsa_v1_OffsetSpec__Output } from './samsa/v1/OffsetSpec.js';
import type { PartitionInfo as _samsa_v1_PartitionInfo, PartitionInfo__Output as _samsa_v1_PartitionInfo__Output } from './samsa/v1/PartitionInfo.js';
import type { PartitionReassignment as _samsa_v1_PartitionReassignment, PartitionReassignment__Output as _samsa_v1_PartitionReassignment__Output } from './samsa/v1/PartitionReassignment.js';
import type { PartitionSelection as _samsa_v1_PartitionSelection, PartitionSelection__Output as _samsa_v1_PartitionSelection__Output } from './samsa/v1/PartitionSelection.js';
import type { Quota as _samsa_v1_Quota, Quota__Output as _samsa_v1_Quota__Output } from './samsa/v1/Quota.js';
import type { QuotaEntity as _samsa_v1_QuotaEntity, QuotaEntity__Output as _samsa_v1_QuotaEntity__Output } from './samsa/v1/QuotaEntity.js';
import type { QuotaLimits as _samsa_v1_QuotaLimits, QuotaLimits__Output as _samsa_v1_QuotaLimits__Output } from './samsa/v1/QuotaLimits.js';
import type { Record as _samsa_v1_Record, Record__Output as _samsa_v1_Record__Output } from './samsa/v1/Record.js';
import type { RecordHeader as _samsa_v1_RecordHeader, RecordHeader__Output as _samsa_v1_RecordHeader__Output } from './samsa/v1/RecordHeader.js';
import type { ReplicaAssignment as _samsa_v1_ReplicaAssignment, ReplicaAssignment__Output as _samsa_v1_ReplicaAssignment__Output } from './samsa/v1/ReplicaAssignment.js';
import type { TopicConfig as _samsa_v1_TopicConfig, TopicConfig__Output as _samsa_v1_TopicConfig__Output } from './samsa/v1/TopicConfig.js';
import type { TopicInfo as _samsa_v1_TopicInfo, TopicInfo__Output as _samsa_v1_TopicInfo__Output } from './samsa/v1/TopicInfo.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  samsa: {
    v1: {
      Acks: EnumTypeDefinition
      AclBinding: MessageTypeDefinition<_samsa_v1_AclBinding, _samsa_v1_AclBinding__Output>
      AclBindingFilter: MessageTypeDefinition<_samsa_v1_AclBindingFilter, _samsa_v1_AclBindingFilter__Output>
      AclOperation: EnumTypeDefinition
      AclPatternType: EnumTypeDefinition
      AclPermission: EnumTypeDefinition
      AclResourceType: EnumTypeDefinition
      AlterPartitionReassignmentsRequest: MessageTypeDefinition<_samsa_v1_AlterPartitionReassignmentsRequest, _samsa_v1_AlterPartitionReassignmentsRequest__Output>
      AlterPartitionReassignmentsResponse: MessageTypeDefinition<_samsa_v1_AlterPartitionReassignmentsResponse, _samsa_v1_AlterPartitionReassignmentsResponse__Output>
      AlterQuotasRequest: MessageTypeDefinition<_samsa_v1_AlterQuotasRequest, _samsa_v1_AlterQuotasRequest__Output>
      AlterQuotasResponse: MessageTypeDefinition<_samsa_v1_AlterQuotasResponse, _samsa_v1_AlterQuotasResponse__Output>
      AlterTopicConfigRequest: MessageTypeDefinition<_samsa_v1_AlterTopicConfigRequest, _samsa_v1_AlterTopicConfigRequest__Output>
      AlterTopicConfigResponse: MessageTypeDefinition<_samsa_v1_AlterTopicConfigResponse, _samsa_v1_AlterTopicConfigResponse__Output>
      BrokerInfo: MessageTypeDefinition<_samsa_v1_BrokerInfo, _samsa_v1_BrokerInfo__Output>
      ConsumedRecord: MessageTypeDefinition<_samsa_v1_ConsumedRecord, _samsa_v1_ConsumedRecord__Output>
      ControllerService: SubtypeConstructor<typeof grpc.Client, _samsa_v1_ControllerServiceClient> & { service: _samsa_v1_ControllerServiceDefinition }
      CreateAclsRequest: MessageTypeDefinition<_samsa_v1_CreateAclsRequest, _samsa_v1_CreateAclsRequest__Output>
      CreateAclsResponse: MessageTypeDefinition<_samsa_v1_CreateAclsResponse, _samsa_v1_CreateAclsResponse__Output>
      CreateInternalTopicRequest: MessageTypeDefinition<_samsa_v1_CreateInternalTopicRequest, _samsa_v1_CreateInternalTopicRequest__Output>
      CreateInternalTopicResponse: MessageTypeDefinition<_samsa_v1_CreateInternalTopicResponse, _samsa_v1_CreateInternalTopicResponse__Output>
      CreatePartitionsRequest: MessageTypeDefinition<_samsa_v1_CreatePartitionsRequest, _samsa_v1_CreatePartitionsRequest__Output>
      CreatePartitionsResponse: MessageTypeDefinition<_samsa_v1_CreatePartitionsResponse, _samsa_v1_CreatePartitionsResponse__Output>
      CreateTopicRequest: MessageTypeDefinition<_samsa_v1_CreateTopicRequest, _samsa_v1_CreateTopicRequest__Output>
      CreateTopicResponse: MessageTypeDefinition<_samsa_v1_CreateTopicResponse, _samsa_v1_CreateTopicResponse__Output>
      DeleteAclsRequest: MessageTypeDefinition<_samsa_v1_DeleteAclsRequest, _samsa_v1_DeleteAclsRequest__Output>
      DeleteAclsResponse: MessageTypeDefinition<_samsa_v1_DeleteAclsResponse, _samsa_v1_DeleteAclsResponse__Output>
      DeleteTopicRequest: MessageTypeDefinition<_samsa_v1_DeleteTopicRequest, _samsa_v1_DeleteTopicRequest__Output>
      DeleteTopicResponse: MessageTypeDefinition<_samsa_v1_DeleteTopicResponse, _samsa_v1_DeleteTopicResponse__Output>
      DescribeAclsRequest: MessageTypeDefinition<_samsa_v1_DescribeAclsRequest, _samsa_v1_DescribeAclsRequest__Output>
      DescribeAclsResponse: MessageTypeDefinition<_samsa_v1_DescribeAclsResponse, _samsa_v1_DescribeAclsResponse__Output>
      DescribeQuotasRequest: MessageTypeDefinition<_samsa_v1_DescribeQuotasRequest, _samsa_v1_DescribeQuotasRequest__Output>
      DescribeQuotasResponse: MessageTypeDefinition<_samsa_v1_DescribeQuotasResponse, _samsa_v1_DescribeQuotasResponse__Output>
      DescribeTopicsRequest: MessageTypeDefinition<_samsa_v1_DescribeTopicsRequest, _samsa_v1_DescribeTopicsRequest__Output>
      DescribeTopicsResponse: MessageTypeDefinition<_samsa_v1_DescribeTopicsResponse, _samsa_v1_DescribeTopicsResponse__Output>
      DrainBrokersRequest: MessageTypeDefinition<_samsa_v1_DrainBrokersRequest, _samsa_v1_DrainBrokersRequest__Output>
      DrainBrokersResponse: MessageTypeDefinition<_samsa_v1_DrainBrokersResponse, _samsa_v1_DrainBrokersResponse__Output>
      ElectLeadersRequest: MessageTypeDefinition<_samsa_v1_ElectLeadersRequest, _samsa_v1_ElectLeadersRequest__Output>
      ElectLeadersResponse: MessageTypeDefinition<_samsa_v1_ElectLeadersResponse, _samsa_v1_ElectLeadersResponse__Output>
      ElectionOutcome: EnumTypeDefinition
      ElectionResult: MessageTypeDefinition<_samsa_v1_ElectionResult, _samsa_v1_ElectionResult__Output>
      ElectionType: EnumTypeDefinition
      ErrorReason: EnumTypeDefinition
      GetMetadataRequest: MessageTypeDefinition<_samsa_v1_GetMetadataRequest, _samsa_v1_GetMetadataRequest__Output>
      GetMetadataResponse: MessageTypeDefinition<_samsa_v1_GetMetadataResponse, _samsa_v1_GetMetadataResponse__Output>
      ListPartitionReassignmentsRequest: MessageTypeDefinition<_samsa_v1_ListPartitionReassignmentsRequest, _samsa_v1_ListPartitionReassignmentsRequest__Output>
      ListPartitionReassignmentsResponse: MessageTypeDefinition<_samsa_v1_ListPartitionReassignmentsResponse, _samsa_v1_ListPartitionReassignmentsResponse__Output>
      ListTopicsRequest: MessageTypeDefinition<_samsa_v1_ListTopicsRequest, _samsa_v1_ListTopicsRequest__Output>
      ListTopicsResponse: MessageTypeDefinition<_samsa_v1_ListTopicsResponse, _samsa_v1_ListTopicsResponse__Output>
      OffsetPosition: EnumTypeDefinition
      OffsetSpec: MessageTypeDefinition<_samsa_v1_OffsetSpec, _samsa_v1_OffsetSpec__Output>
      PartitionInfo: MessageTypeDefinition<_samsa_v1_PartitionInfo, _samsa_v1_PartitionInfo__Output>
      PartitionReassignment: MessageTypeDefinition<_samsa_v1_PartitionReassignment, _samsa_v1_PartitionReassignment__Output>
      PartitionSelection: MessageTypeDefinition<_samsa_v1_PartitionSelection, _samsa_v1_PartitionSelection__Output>
      Quota: MessageTypeDefinition<_samsa_v1_Quota, _samsa_v1_Quota__Output>
      QuotaEntity: MessageTypeDefinition<_samsa_v1_QuotaEntity, _samsa_v1_QuotaEntity__Output>
      QuotaLimits: MessageTypeDefinition<_samsa_v1_QuotaLimits, _samsa_v1_QuotaLimits__Output>
      Record: MessageTypeDefinition<_samsa_v1_Record, _samsa_v1_Record__Output>
      RecordFormat: EnumTypeDefinition
      RecordHeader: MessageTypeDefinition<_samsa_v1_RecordHeader, _samsa_v1_RecordHeader__Output>
      ReplicaAssignment: MessageTypeDefinition<_samsa_v1_ReplicaAssignment, _samsa_v1_ReplicaAssignment__Output>
      TopicConfig: MessageTypeDefinition<_samsa_v1_TopicConfig, _samsa_v1_TopicConfig__Output>
      TopicInfo: MessageTypeDefinition<_samsa_v1_TopicInfo, _samsa_v1_TopicInfo__Output>
    }
  }
}

