// Original file: proto/samsa/v1/coordinator.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CommitOffsetsRequest as _samsa_v1_CommitOffsetsRequest, CommitOffsetsRequest__Output as _samsa_v1_CommitOffsetsRequest__Output } from '../../samsa/v1/CommitOffsetsRequest.js';
import type { CommitOffsetsResponse as _samsa_v1_CommitOffsetsResponse, CommitOffsetsResponse__Output as _samsa_v1_CommitOffsetsResponse__Output } from '../../samsa/v1/CommitOffsetsResponse.js';
import type { DeleteGroupRequest as _samsa_v1_DeleteGroupRequest, DeleteGroupRequest__Output as _samsa_v1_DeleteGroupRequest__Output } from '../../samsa/v1/DeleteGroupRequest.js';
import type { DeleteGroupResponse as _samsa_v1_DeleteGroupResponse, DeleteGroupResponse__Output as _samsa_v1_DeleteGroupResponse__Output } from '../../samsa/v1/DeleteGroupResponse.js';
import type { DescribeGroupRequest as _samsa_v1_DescribeGroupRequest, DescribeGroupRequest__Output as _samsa_v1_DescribeGroupRequest__Output } from '../../samsa/v1/DescribeGroupRequest.js';
import type { DescribeGroupResponse as _samsa_v1_DescribeGroupResponse, DescribeGroupResponse__Output as _samsa_v1_DescribeGroupResponse__Output } from '../../samsa/v1/DescribeGroupResponse.js';
import type { FetchOffsetsRequest as _samsa_v1_FetchOffsetsRequest, FetchOffsetsRequest__Output as _samsa_v1_FetchOffsetsRequest__Output } from '../../samsa/v1/FetchOffsetsRequest.js';
import type { FetchOffsetsResponse as _samsa_v1_FetchOffsetsResponse, FetchOffsetsResponse__Output as _samsa_v1_FetchOffsetsResponse__Output } from '../../samsa/v1/FetchOffsetsResponse.js';
import type { FindCoordinatorRequest as _samsa_v1_FindCoordinatorRequest, FindCoordinatorRequest__Output as _samsa_v1_FindCoordinatorRequest__Output } from '../../samsa/v1/FindCoordinatorRequest.js';
import type { FindCoordinatorResponse as _samsa_v1_FindCoordinatorResponse, FindCoordinatorResponse__Output as _samsa_v1_FindCoordinatorResponse__Output } from '../../samsa/v1/FindCoordinatorResponse.js';
import type { GroupConsumeRequest as _samsa_v1_GroupConsumeRequest, GroupConsumeRequest__Output as _samsa_v1_GroupConsumeRequest__Output } from '../../samsa/v1/GroupConsumeRequest.js';
import type { GroupConsumeResponse as _samsa_v1_GroupConsumeResponse, GroupConsumeResponse__Output as _samsa_v1_GroupConsumeResponse__Output } from '../../samsa/v1/GroupConsumeResponse.js';
import type { HoldKafkaGroupRequest as _samsa_v1_HoldKafkaGroupRequest, HoldKafkaGroupRequest__Output as _samsa_v1_HoldKafkaGroupRequest__Output } from '../../samsa/v1/HoldKafkaGroupRequest.js';
import type { HoldKafkaGroupResponse as _samsa_v1_HoldKafkaGroupResponse, HoldKafkaGroupResponse__Output as _samsa_v1_HoldKafkaGroupResponse__Output } from '../../samsa/v1/HoldKafkaGroupResponse.js';
import type { ListGroupsRequest as _samsa_v1_ListGroupsRequest, ListGroupsRequest__Output as _samsa_v1_ListGroupsRequest__Output } from '../../samsa/v1/ListGroupsRequest.js';
import type { ListGroupsResponse as _samsa_v1_ListGroupsResponse, ListGroupsResponse__Output as _samsa_v1_ListGroupsResponse__Output } from '../../samsa/v1/ListGroupsResponse.js';
import type { ResetOffsetsRequest as _samsa_v1_ResetOffsetsRequest, ResetOffsetsRequest__Output as _samsa_v1_ResetOffsetsRequest__Output } from '../../samsa/v1/ResetOffsetsRequest.js';
import type { ResetOffsetsResponse as _samsa_v1_ResetOffsetsResponse, ResetOffsetsResponse__Output as _samsa_v1_ResetOffsetsResponse__Output } from '../../samsa/v1/ResetOffsetsResponse.js';
import type { ShareConsumeRequest as _samsa_v1_ShareConsumeRequest, ShareConsumeRequest__Output as _samsa_v1_ShareConsumeRequest__Output } from '../../samsa/v1/ShareConsumeRequest.js';
import type { ShareConsumeResponse as _samsa_v1_ShareConsumeResponse, ShareConsumeResponse__Output as _samsa_v1_ShareConsumeResponse__Output } from '../../samsa/v1/ShareConsumeResponse.js';

export interface CoordinatorServiceClient extends grpc.Client {
  CommitOffsets(argument: _samsa_v1_CommitOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CommitOffsetsResponse__Output>): grpc.ClientUnaryCall;
  CommitOffsets(argument: _samsa_v1_CommitOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CommitOffsetsResponse__Output>): grpc.ClientUnaryCall;
  CommitOffsets(argument: _samsa_v1_CommitOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CommitOffsetsResponse__Output>): grpc.ClientUnaryCall;
  CommitOffsets(argument: _samsa_v1_CommitOffsetsRequest, callback: grpc.requestCallback<_samsa_v1_CommitOffsetsResponse__Output>): grpc.ClientUnaryCall;
  commitOffsets(argument: _samsa_v1_CommitOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CommitOffsetsResponse__Output>): grpc.ClientUnaryCall;
  commitOffsets(argument: _samsa_v1_CommitOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CommitOffsetsResponse__Output>): grpc.ClientUnaryCall;
  commitOffsets(argument: _samsa_v1_CommitOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CommitOffsetsResponse__Output>): grpc.ClientUnaryCall;
  commitOffsets(argument: _samsa_v1_CommitOffsetsRequest, callback: grpc.requestCallback<_samsa_v1_CommitOffsetsResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteGroup(argument: _samsa_v1_DeleteGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteGroupResponse__Output>): grpc.ClientUnaryCall;
  DeleteGroup(argument: _samsa_v1_DeleteGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DeleteGroupResponse__Output>): grpc.ClientUnaryCall;
  DeleteGroup(argument: _samsa_v1_DeleteGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteGroupResponse__Output>): grpc.ClientUnaryCall;
  DeleteGroup(argument: _samsa_v1_DeleteGroupRequest, callback: grpc.requestCallback<_samsa_v1_DeleteGroupResponse__Output>): grpc.ClientUnaryCall;
  deleteGroup(argument: _samsa_v1_DeleteGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteGroupResponse__Output>): grpc.ClientUnaryCall;
  deleteGroup(argument: _samsa_v1_DeleteGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DeleteGroupResponse__Output>): grpc.ClientUnaryCall;
  deleteGroup(argument: _samsa_v1_DeleteGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteGroupResponse__Output>): grpc.ClientUnaryCall;
  deleteGroup(argument: _samsa_v1_DeleteGroupRequest, callback: grpc.requestCallback<_samsa_v1_DeleteGroupResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeGroup(argument: _samsa_v1_DescribeGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeGroupResponse__Output>): grpc.ClientUnaryCall;
  DescribeGroup(argument: _samsa_v1_DescribeGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeGroupResponse__Output>): grpc.ClientUnaryCall;
  DescribeGroup(argument: _samsa_v1_DescribeGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeGroupResponse__Output>): grpc.ClientUnaryCall;
  DescribeGroup(argument: _samsa_v1_DescribeGroupRequest, callback: grpc.requestCallback<_samsa_v1_DescribeGroupResponse__Output>): grpc.ClientUnaryCall;
  describeGroup(argument: _samsa_v1_DescribeGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeGroupResponse__Output>): grpc.ClientUnaryCall;
  describeGroup(argument: _samsa_v1_DescribeGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeGroupResponse__Output>): grpc.ClientUnaryCall;
  describeGroup(argument: _samsa_v1_DescribeGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeGroupResponse__Output>): grpc.ClientUnaryCall;
  describeGroup(argument: _samsa_v1_DescribeGroupRequest, callback: grpc.requestCallback<_samsa_v1_DescribeGroupResponse__Output>): grpc.ClientUnaryCall;
  
  FetchOffsets(argument: _samsa_v1_FetchOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FetchOffsetsResponse__Output>): grpc.ClientUnaryCall;
  FetchOffsets(argument: _samsa_v1_FetchOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_FetchOffsetsResponse__Output>): grpc.ClientUnaryCall;
  FetchOffsets(argument: _samsa_v1_FetchOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FetchOffsetsResponse__Output>): grpc.ClientUnaryCall;
  FetchOffsets(argument: _samsa_v1_FetchOffsetsRequest, callback: grpc.requestCallback<_samsa_v1_FetchOffsetsResponse__Output>): grpc.ClientUnaryCall;
  fetchOffsets(argument: _samsa_v1_FetchOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FetchOffsetsResponse__Output>): grpc.ClientUnaryCall;
  fetchOffsets(argument: _samsa_v1_FetchOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_FetchOffsetsResponse__Output>): grpc.ClientUnaryCall;
  fetchOffsets(argument: _samsa_v1_FetchOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FetchOffsetsResponse__Output>): grpc.ClientUnaryCall;
  fetchOffsets(argument: _samsa_v1_FetchOffsetsRequest, callback: grpc.requestCallback<_samsa_v1_FetchOffsetsResponse__Output>): grpc.ClientUnaryCall;
  
  FindCoordinator(argument: _samsa_v1_FindCoordinatorRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  FindCoordinator(argument: _samsa_v1_FindCoordinatorRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  FindCoordinator(argument: _samsa_v1_FindCoordinatorRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  FindCoordinator(argument: _samsa_v1_FindCoordinatorRequest, callback: grpc.requestCallback<_samsa_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  findCoordinator(argument: _samsa_v1_FindCoordinatorRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  findCoordinator(argument: _samsa_v1_FindCoordinatorRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  findCoordinator(argument: _samsa_v1_FindCoordinatorRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  findCoordinator(argument: _samsa_v1_FindCoordinatorRequest, callback: grpc.requestCallback<_samsa_v1_FindCoordinatorResponse__Output>): grpc.ClientUnaryCall;
  
  GroupConsume(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_GroupConsumeRequest, _samsa_v1_GroupConsumeResponse__Output>;
  GroupConsume(options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_GroupConsumeRequest, _samsa_v1_GroupConsumeResponse__Output>;
  groupConsume(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_GroupConsumeRequest, _samsa_v1_GroupConsumeResponse__Output>;
  groupConsume(options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_GroupConsumeRequest, _samsa_v1_GroupConsumeResponse__Output>;
  
  HoldKafkaGroup(argument: _samsa_v1_HoldKafkaGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_HoldKafkaGroupResponse__Output>): grpc.ClientUnaryCall;
  HoldKafkaGroup(argument: _samsa_v1_HoldKafkaGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_HoldKafkaGroupResponse__Output>): grpc.ClientUnaryCall;
  HoldKafkaGroup(argument: _samsa_v1_HoldKafkaGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_HoldKafkaGroupResponse__Output>): grpc.ClientUnaryCall;
  HoldKafkaGroup(argument: _samsa_v1_HoldKafkaGroupRequest, callback: grpc.requestCallback<_samsa_v1_HoldKafkaGroupResponse__Output>): grpc.ClientUnaryCall;
  holdKafkaGroup(argument: _samsa_v1_HoldKafkaGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_HoldKafkaGroupResponse__Output>): grpc.ClientUnaryCall;
  holdKafkaGroup(argument: _samsa_v1_HoldKafkaGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_HoldKafkaGroupResponse__Output>): grpc.ClientUnaryCall;
  holdKafkaGroup(argument: _samsa_v1_HoldKafkaGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_HoldKafkaGroupResponse__Output>): grpc.ClientUnaryCall;
  holdKafkaGroup(argument: _samsa_v1_HoldKafkaGroupRequest, callback: grpc.requestCallback<_samsa_v1_HoldKafkaGroupResponse__Output>): grpc.ClientUnaryCall;
  
  ListGroups(argument: _samsa_v1_ListGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _samsa_v1_ListGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _samsa_v1_ListGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  ListGroups(argument: _samsa_v1_ListGroupsRequest, callback: grpc.requestCallback<_samsa_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _samsa_v1_ListGroupsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _samsa_v1_ListGroupsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _samsa_v1_ListGroupsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  listGroups(argument: _samsa_v1_ListGroupsRequest, callback: grpc.requestCallback<_samsa_v1_ListGroupsResponse__Output>): grpc.ClientUnaryCall;
  
  ResetOffsets(argument: _samsa_v1_ResetOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ResetOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ResetOffsets(argument: _samsa_v1_ResetOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ResetOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ResetOffsets(argument: _samsa_v1_ResetOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ResetOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ResetOffsets(argument: _samsa_v1_ResetOffsetsRequest, callback: grpc.requestCallback<_samsa_v1_ResetOffsetsResponse__Output>): grpc.ClientUnaryCall;
  resetOffsets(argument: _samsa_v1_ResetOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ResetOffsetsResponse__Output>): grpc.ClientUnaryCall;
  resetOffsets(argument: _samsa_v1_ResetOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ResetOffsetsResponse__Output>): grpc.ClientUnaryCall;
  resetOffsets(argument: _samsa_v1_ResetOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ResetOffsetsResponse__Output>): grpc.ClientUnaryCall;
  resetOffsets(argument: _samsa_v1_ResetOffsetsRequest, callback: grpc.requestCallback<_samsa_v1_ResetOffsetsResponse__Output>): grpc.ClientUnaryCall;
  
  ShareConsume(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ShareConsumeRequest, _samsa_v1_ShareConsumeResponse__Output>;
  ShareConsume(options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ShareConsumeRequest, _samsa_v1_ShareConsumeResponse__Output>;
  shareConsume(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ShareConsumeRequest, _samsa_v1_ShareConsumeResponse__Output>;
  shareConsume(options?: grpc.CallOptions): grpc.ClientDuplexStream<_samsa_v1_ShareConsumeRequest, _samsa_v1_ShareConsumeResponse__Output>;
  
}

export interface CoordinatorServiceHandlers extends grpc.UntypedServiceImplementation {
  CommitOffsets: grpc.handleUnaryCall<_samsa_v1_CommitOffsetsRequest__Output, _samsa_v1_CommitOffsetsResponse>;
  
  DeleteGroup: grpc.handleUnaryCall<_samsa_v1_DeleteGroupRequest__Output, _samsa_v1_DeleteGroupResponse>;
  
  DescribeGroup: grpc.handleUnaryCall<_samsa_v1_DescribeGroupRequest__Output, _samsa_v1_DescribeGroupResponse>;
  
  FetchOffsets: grpc.handleUnaryCall<_samsa_v1_FetchOffsetsRequest__Output, _samsa_v1_FetchOffsetsResponse>;
  
  FindCoordinator: grpc.handleUnaryCall<_samsa_v1_FindCoordinatorRequest__Output, _samsa_v1_FindCoordinatorResponse>;
  
  GroupConsume: grpc.handleBidiStreamingCall<_samsa_v1_GroupConsumeRequest__Output, _samsa_v1_GroupConsumeResponse>;
  
  HoldKafkaGroup: grpc.handleUnaryCall<_samsa_v1_HoldKafkaGroupRequest__Output, _samsa_v1_HoldKafkaGroupResponse>;
  
  ListGroups: grpc.handleUnaryCall<_samsa_v1_ListGroupsRequest__Output, _samsa_v1_ListGroupsResponse>;
  
  ResetOffsets: grpc.handleUnaryCall<_samsa_v1_ResetOffsetsRequest__Output, _samsa_v1_ResetOffsetsResponse>;
  
  ShareConsume: grpc.handleBidiStreamingCall<_samsa_v1_ShareConsumeRequest__Output, _samsa_v1_ShareConsumeResponse>;
  
}

export interface CoordinatorServiceDefinition extends grpc.ServiceDefinition {
  CommitOffsets: MethodDefinition<_samsa_v1_CommitOffsetsRequest, _samsa_v1_CommitOffsetsResponse, _samsa_v1_CommitOffsetsRequest__Output, _samsa_v1_CommitOffsetsResponse__Output>
  DeleteGroup: MethodDefinition<_samsa_v1_DeleteGroupRequest, _samsa_v1_DeleteGroupResponse, _samsa_v1_DeleteGroupRequest__Output, _samsa_v1_DeleteGroupResponse__Output>
  DescribeGroup: MethodDefinition<_samsa_v1_DescribeGroupRequest, _samsa_v1_DescribeGroupResponse, _samsa_v1_DescribeGroupRequest__Output, _samsa_v1_DescribeGroupResponse__Output>
  FetchOffsets: MethodDefinition<_samsa_v1_FetchOffsetsRequest, _samsa_v1_FetchOffsetsResponse, _samsa_v1_FetchOffsetsRequest__Output, _samsa_v1_FetchOffsetsResponse__Output>
  FindCoordinator: MethodDefinition<_samsa_v1_FindCoordinatorRequest, _samsa_v1_FindCoordinatorResponse, _samsa_v1_FindCoordinatorRequest__Output, _samsa_v1_FindCoordinatorResponse__Output>
  GroupConsume: MethodDefinition<_samsa_v1_GroupConsumeRequest, _samsa_v1_GroupConsumeResponse, _samsa_v1_GroupConsumeRequest__Output, _samsa_v1_GroupConsumeResponse__Output>
  HoldKafkaGroup: MethodDefinition<_samsa_v1_HoldKafkaGroupRequest, _samsa_v1_HoldKafkaGroupResponse, _samsa_v1_HoldKafkaGroupRequest__Output, _samsa_v1_HoldKafkaGroupResponse__Output>
  ListGroups: MethodDefinition<_samsa_v1_ListGroupsRequest, _samsa_v1_ListGroupsResponse, _samsa_v1_ListGroupsRequest__Output, _samsa_v1_ListGroupsResponse__Output>
  ResetOffsets: MethodDefinition<_samsa_v1_ResetOffsetsRequest, _samsa_v1_ResetOffsetsResponse, _samsa_v1_ResetOffsetsRequest__Output, _samsa_v1_ResetOffsetsResponse__Output>
  ShareConsume: MethodDefinition<_samsa_v1_ShareConsumeRequest, _samsa_v1_ShareConsumeResponse, _samsa_v1_ShareConsumeRequest__Output, _samsa_v1_ShareConsumeResponse__Output>
}
