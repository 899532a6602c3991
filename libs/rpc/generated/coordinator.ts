import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Assignment as _samsa_v1_Assignment, Assignment__Output as _samsa_v1_Assignment__Output } from './samsa/v1/Assignment.js';
import type { BrokerInfo as _samsa_v1_BrokerInfo, BrokerInfo__Output as _samsa_v1_BrokerInfo__Output } from './samsa/v1/BrokerInfo.js';
import type { CommitOffsetsRequest as _samsa_v1_CommitOffsetsRequest, CommitOffsetsRequest__Output as _samsa_v1_CommitOffsetsRequest__Output } from './samsa/v1/CommitOffsetsRequest.js';
import type { CommitOffsetsResponse as _samsa_v1_CommitOffsetsResponse, CommitOffsetsResponse__Output as _samsa_v1_CommitOffsetsResponse__Output } from './samsa/v1/CommitOffsetsResponse.js';
import type { CommittedOffset as _samsa_v1_CommittedOffset, CommittedOffset__Output as _samsa_v1_CommittedOffset__Output } from './samsa/v1/CommittedOffset.js';
import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from './samsa/v1/ConsumedRecord.js';
import type { CoordinatorServiceClient as _samsa_v1_CoordinatorServiceClient, CoordinatorServiceDefinition as _samsa_v1_CoordinatorServiceDefinition } from './samsa/v1/CoordinatorService.js';
import type { DeleteGroupRequest as _samsa_v1_DeleteGroupRequest, DeleteGroupRequest__Output as _samsa_v1_DeleteGroupRequest__Output } from './samsa/v1/DeleteGroupRequest.js';
import type { DeleteGroupResponse as _samsa_v1_DeleteGroupResponse, DeleteGroupResponse__Output as _samsa_v1_DeleteGroupResponse__Output } from './samsa/v1/DeleteGroupResponse.js';
import type { DescribeGroupRequest as _samsa_v1_DescribeGroupRequest, DescribeGroupRequest__Output as _samsa_v1_DescribeGroupRequest__Output } from './samsa/v1/DescribeGroupRequest.js';
import type { DescribeGroupResponse as _samsa_v1_DescribeGroupResponse, DescribeGroupResponse__Output as _samsa_v1_DescribeGroupResponse__Output } from './samsa/v1/DescribeGroupResponse.js';
import type { FetchOffsetsRequest as _samsa_v1_FetchOffsetsRequest, FetchOffsetsRequest__Output as _samsa_v1_FetchOffsetsRequest__Output } from './samsa/v1/FetchOffsetsRequest.js';
import type { FetchOffsetsResponse as _samsa_v1_FetchOffsetsResponse, FetchOffsetsResponse__Output as _samsa_v1_FetchOffsetsResponse__Output } from './samsa/v1/FetchOffsetsResponse.js';
import type { FindCoordinatorRequest as _samsa_v1_FindCoordinatorRequest, FindCoordinatorRequest__Output as _samsa_v1_FindCoordinatorRequest__Output } from './samsa/v1/FindCoordinatorRequest.js';
import type { FindCoordinatorResponse as _samsa_v1_FindCoordinatorResponse, FindCoordinatorResponse__Output as _samsa_v1_FindCoordinatorResponse__Output } from './samsa/v1/FindCoordinatorResponse.js';
import type { GetMetadataRequest as _samsa_v1_GetMetadataRequest, GetMetadataRequest__Output as _samsa_v1_GetMetadataRequest__Output } from './samsa/v1/GetMetadataRequest.js';
import type { GetMetadataResponse as _samsa_v1_GetMetadataResponse, GetMetadataResponse__Output as _samsa_v1_GetMetadataResponse__Output } from './samsa/v1/GetMetadataResponse.js';
import type { GroupCommitted as _samsa_v1_GroupCommitted, GroupCommitted__Output as _samsa_v1_GroupCommitted__Output } from './samsa/v1/GroupCommitted.js';
import type { GroupConsumeRequest as _samsa_v1_GroupConsumeRequest, GroupConsumeRequest__Output as _samsa_v1_GroupConsumeRequest__Output } from './samsa/v1/GroupConsumeRequest.js';
import type { GroupConsumeResponse as _samsa_v1_GroupConsumeResponse, GroupConsumeResponse__Output as _samsa_v1_GroupConsumeResponse__Output } from './samsa/v1/GroupConsumeResponse.js';
import type { GroupMember as _samsa_v1_GroupMember, GroupMember__Output as _samsa_v1_GroupMember__Output } from './samsa/v1/GroupMember.js';
import type { GroupRecords as _samsa_v1_GroupRecords, GroupRecords__Output as _samsa_v1_GroupRecords__Output } from './samsa/v1/GroupRecords.js';
import type { GroupSummary as _samsa_v1_GroupSummary, GroupSummary__Output as _samsa_v1_GroupSummary__Output } from './samsa/v1/GroupSummary.js';
import type { HoldKafkaGroupRequest as _samsa_v1_HoldKafkaGroupRequest, HoldKafkaGroupRequest__Output as _samsa_v1_HoldKafkaGroupRequest__Output } from './samsa/v1/HoldKafkaGroupRequest.js';
import type { HoldKafkaGroupResponse as _samsa_v1_HoldKafkaGroupResponse, HoldKafkaGroupResponse__Output as _samsa_v1_HoldKafkaGroupResponse__Output } from './samsa/v1/HoldKafkaGroupResponse.js';
import type { JoinGroup as _samsa_v1_JoinGroup, JoinGroup__Output as _samsa_v1_JoinGroup__Output } from './samsa/v1/JoinGroup.js';
import type { ListGroupsRequest as _samsa_v1_ListGroupsRequest, ListGroupsRequest__Output as _samsa_v1_ListGroupsRequest__Output } from './samsa/v1/ListGroupsRequest.js';
import type { ListGroupsResponse as _samsa_v1_ListGroupsResponse, ListGroupsResponse__Output as _samsa_v1_ListGroupsResponse__Output } from './samsa/v1/ListGroupsResponse.js';
import type { OffsetCommit as _samsa_v1_OffsetCommit, OffsetCommit__Output as _samsa_v1_OffsetCommit__Output } from './samsa/v1/OffsetCommit.js';
import type { OffsetSpec as _samsa_v1_OffsetSpec, OffsetSpec__Output as _samsa_v1_OffsetSpec__Output } from './samsa/v1/OffsetSpec.js';
import type { PartitionInfo as _samsa_v1_PartitionInfo, PartitionInfo__Output as _samsa_v1_PartitionInfo__Output } from './samsa/v1/PartitionInfo.js';
import type { ProcessedOffset as _samsa_v1_ProcessedOffset, ProcessedOffset__Output as _samsa_v1_ProcessedOffset__Output } from './samsa/v1/ProcessedOffset.js';
import type { Record as _samsa_v1_Record, Record__Output as _samsa_v1_Record__Output } from './samsa/v1/Record.js';
import type { RecordHeader as _samsa_v1_RecordHeader, RecordHeader__Output as _samsa_v1_RecordHeader__Output } from './samsa/v1/RecordHeader.js';
import type { ResetOffsetsRequest as _samsa_v1_ResetOffsetsRequest, ResetOffsetsRequest__Output as _samsa_v1_ResetOffsetsRequest__Output } from './samsa/v1/ResetOffsetsRequest.js';
import type { ResetOffsetsResponse as _samsa_v1_ResetOffsetsResponse, ResetOffsetsResponse__Output as _samsa_v1_ResetOffsetsResponse__Output } from './samsa/v1/ResetOffsetsResponse.js';
import type { ShareAck as _samsa_v1_ShareAck, ShareAck__Output as _samsa_v1_ShareAck__Output } from './samsa/v1/ShareAck.js';
import type { ShareAcks as _samsa_v1_ShareAcks, ShareAcks__Output as _samsa_v1_ShareAcks__Output } from './samsa/v1/ShareAcks.js';
import type { ShareCommitted as _samsa_v1_ShareCommitted, ShareCommitted__Output as _samsa_v1_ShareCommitted__Output } from './samsa/v1/ShareCommitted.js';
import type { ShareConsumeRequest as _samsa_v1_ShareConsumeRequest, ShareConsumeRequest__Output as _samsa_v1_ShareConsumeRequest__Output } from './samsa/v1/ShareConsumeRequest.js';
import type { ShareConsumeResponse as _samsa_v1_ShareConsumeResponse, ShareConsumeResponse__Output as _samsa_v1_ShareConsumeResponse__Output } from './samsa/v1/ShareConsumeResponse.js';
import type { ShareGroupCounts as _samsa_v1_ShareGroupCounts, ShareGroupCounts__Output as _samsa_v1_ShareGroupCounts__Output } from './samsa/v1/ShareGroupCounts.js';
import type { ShareJoin as _samsa_v1_ShareJoin, ShareJoin__Output as _samsa_v1_ShareJoin__Output } from './samsa/v1/ShareJoin.js';
import type { ShareJoined as _samsa_v1_ShareJoined, ShareJoined__Output as _samsa_v1_ShareJoined__Output } from './samsa/v1/ShareJoined.js';
import type { ShareRecord as _samsa_v1_ShareRecord, ShareRecord__Output as _samsa_v1_ShareRecord__Output } from './samsa/v1/ShareRecord.js';
import type { ShareRecords as _samsa_v1_ShareRecords, ShareRecords__Output as _samsa_v1_ShareRecords__Output } from './samsa/v1/ShareRecords.js';
import type { TopicConfig as _samsa_v1_TopicConfig, TopicConfig__Output as _samsa_v1_TopicConfig__Output } from './samsa/v1/TopicConfig.js';
import type { TopicInfo as _samsa_v1_TopicInfo, TopicInfo__Output as _samsa_v1_TopicInfo__Output } from './samsa/v1/TopicInfo.js';
import type { TopicPartitions as _samsa_v1_TopicPartitions, TopicPartitions__Output as _samsa_v1_TopicPartitions__Output } from './samsa/v1/TopicPartitions.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  samsa: {
    v1: {
      Acks: EnumTypeDefinition
      Assignment: MessageTypeDefinition<_samsa_v1_Assignment, _samsa_v1_Assignment__Output>
      Assignor: EnumTypeDefinition
      BrokerInfo: MessageTypeDefinition<_samsa_v1_BrokerInfo, _samsa_v1_BrokerInfo__Output>
      CommitOffsetsRequest: MessageTypeDefinition<_samsa_v1_CommitOffsetsRequest, _samsa_v1_CommitOffsetsRequest__Output>
      CommitOffsetsResponse: MessageTypeDefinition<_samsa_v1_CommitOffsetsResponse, _samsa_v1_CommitOffsetsResponse__Output>
      CommittedOffset: MessageTypeDefinition<_samsa_v1_CommittedOffset, _samsa_v1_CommittedOffset__Output>
      ConsumedRecord: MessageTypeDefinition<_samsa_v1_ConsumedRecord, _samsa_v1_ConsumedRecord__Output>
      CoordinatorService: SubtypeConstructor<typeof grpc.Client, _samsa_v1_CoordinatorServiceClient> & { service: _samsa_v1_CoordinatorServiceDefinition }
      DeleteGroupRequest: MessageTypeDefinition<_samsa_v1_DeleteGroupRequest, _samsa_v1_DeleteGroupRequest__Output>
      DeleteGroupResponse: MessageTypeDefinition<_samsa_v1_DeleteGroupResponse, _samsa_v1_DeleteGroupResponse__Output>
      DescribeGroupRequest: MessageTypeDefinition<_samsa_v1_DescribeGroupRequest, _samsa_v1_DescribeGroupRequest__Output>
      DescribeGroupResponse: MessageTypeDefinition<_samsa_v1_DescribeGroupResponse, _samsa_v1_DescribeGroupResponse__Output>
      ErrorReason: EnumTypeDefinition
      FetchOffsetsRequest: MessageTypeDefinition<_samsa_v1_FetchOffsetsRequest, _samsa_v1_FetchOffsetsRequest__Output>
      FetchOffsetsResponse: MessageTypeDefinition<_samsa_v1_FetchOffsetsResponse, _samsa_v1_FetchOffsetsResponse__Output>
      FindCoordinatorRequest: MessageTypeDefinition<_samsa_v1_FindCoordinatorRequest, _samsa_v1_FindCoordinatorRequest__Output>
      FindCoordinatorResponse: MessageTypeDefinition<_samsa_v1_FindCoordinatorResponse, _samsa_v1_FindCoordinatorResponse__Output>
      GetMetadataRequest: MessageTypeDefinition<_samsa_v1_GetMetadataRequest, _samsa_v1_GetMetadataRequest__Output>
      GetMetadataResponse: MessageTypeDefinition<_samsa_v1_GetMetadataResponse, _samsa_v1_GetMetadataResponse__Output>
      GroupCommitted: MessageTypeDefinition<_samsa_v1_GroupCommitted, _samsa_v1_GroupCommitted__Output>
      GroupConsumeRequest: MessageTypeDefinition<_samsa_v1_GroupConsumeRequest, _samsa_v1_GroupConsumeRequest__Output>
      GroupConsumeResponse: MessageTypeDefinition<_samsa_v1_GroupConsumeResponse, _samsa_v1_GroupConsumeResponse__Output>
      GroupMember: MessageTypeDefinition<_samsa_v1_GroupMember, _samsa_v1_GroupMember__Output>
      GroupRecords: MessageTypeDefinition<_samsa_v1_GroupRecords, _samsa_v1_GroupRecords__Output>
      GroupSummary: MessageTypeDefinition<_samsa_v1_GroupSummary, _samsa_v1_GroupSummary__Output>
      HoldKafkaGroupRequest: MessageTypeDefinition<_samsa_v1_HoldKafkaGroupRequest, _samsa_v1_HoldKafkaGroupRequest__Output>
      HoldKafkaGroupResponse: MessageTypeDefinition<_samsa_v1_HoldKafkaGroupResponse, _samsa_v1_HoldKafkaGroupResponse__Output>
      JoinGroup: MessageTypeDefinition<_samsa_v1_JoinGroup, _samsa_v1_JoinGroup__Output>
      ListGroupsRequest: MessageTypeDefinition<_samsa_v1_ListGroupsRequest, _samsa_v1_ListGroupsRequest__Output>
      ListGroupsResponse: MessageTypeDefinition<_samsa_v1_ListGroupsResponse, _samsa_v1_ListGroupsResponse__Output>
      OffsetCommit: MessageTypeDefinition<_samsa_v1_OffsetCommit, _samsa_v1_OffsetCommit__Output>
      OffsetPosition: EnumTypeDefinition
      OffsetSpec: MessageTypeDefinition<_samsa_v1_OffsetSpec, _samsa_v1_OffsetSpec__Output>
      PartitionInfo: MessageTypeDefinition<_samsa_v1_PartitionInfo, _samsa_v1_PartitionInfo__Output>
      ProcessedOffset: MessageTypeDefinition<_samsa_v1_ProcessedOffset, _samsa_v1_ProcessedOffset__Output>
      Record: MessageTypeDefinition<_samsa_v1_Record, _samsa_v1_Record__Output>
      RecordFormat: EnumTypeDefinition
      RecordHeader: MessageTypeDefinition<_samsa_v1_RecordHeader, _samsa_v1_RecordHeader__Output>
      ResetOffsetsRequest: MessageTypeDefinition<_samsa_v1_ResetOffsetsRequest, _samsa_v1_ResetOffsetsRequest__Output>
      ResetOffsetsResponse: MessageTypeDefinition<_samsa_v1_ResetOffsetsResponse, _samsa_v1_ResetOffsetsResponse__Output>
      ShareAck: MessageTypeDefinition<_samsa_v1_ShareAck, _samsa_v1_ShareAck__Output>
      ShareAckType: EnumTypeDefinition
      ShareAcks: MessageTypeDefinition<_samsa_v1_ShareAcks, _samsa_v1_ShareAcks__Output>
      ShareCommitted: MessageTypeDefinition<_samsa_v1_ShareCommitted, _samsa_v1_ShareCommitted__Output>
      ShareConsumeRequest: MessageTypeDefinition<_samsa_v1_ShareConsumeRequest, _samsa_v1_ShareConsumeRequest__Output>
      ShareConsumeResponse: MessageTypeDefinition<_samsa_v1_ShareConsumeResponse, _samsa_v1_ShareConsumeResponse__Output>
      ShareGroupCounts: MessageTypeDefinition<_samsa_v1_ShareGroupCounts, _samsa_v1_ShareGroupCounts__Output>
      ShareJoin: MessageTypeDefinition<_samsa_v1_ShareJoin, _samsa_v1_ShareJoin__Output>
      ShareJoined: MessageTypeDefinition<_samsa_v1_ShareJoined, _samsa_v1_ShareJoined__Output>
      ShareRecord: MessageTypeDefinition<_samsa_v1_ShareRecord, _samsa_v1_ShareRecord__Output>
      ShareRecords: MessageTypeDefinition<_samsa_v1_ShareRecords, _samsa_v1_ShareRecords__Output>
      TopicConfig: MessageTypeDefinition<_samsa_v1_TopicConfig, _samsa_v1_TopicConfig__Output>
      TopicInfo: MessageTypeDefinition<_samsa_v1_TopicInfo, _samsa_v1_TopicInfo__Output>
      TopicPartitions: MessageTypeDefinition<_samsa_v1_TopicPartitions, _samsa_v1_TopicPartitions__Output>
    }
  }
}

