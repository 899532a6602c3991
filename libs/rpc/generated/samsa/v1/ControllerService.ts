// Original file: proto/samsa/v1/controller.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AlterPartitionReassignmentsRequest as _samsa_v1_AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsRequest__Output as _samsa_v1_AlterPartitionReassignmentsRequest__Output } from '../../samsa/v1/AlterPartitionReassignmentsRequest.js';
import type { AlterPartitionReassignmentsResponse as _samsa_v1_AlterPartitionReassignmentsResponse, AlterPartitionReassignmentsResponse__Output as _samsa_v1_AlterPartitionReassignmentsResponse__Output } from '../../samsa/v1/AlterPartitionReassignmentsResponse.js';
import type { AlterQuotasRequest as _samsa_v1_AlterQuotasRequest, AlterQuotasRequest__Output as _samsa_v1_AlterQuotasRequest__Output } from '../../samsa/v1/AlterQuotasRequest.js';
import type { AlterQuotasResponse as _samsa_v1_AlterQuotasResponse, AlterQuotasResponse__Output as _samsa_v1_AlterQuotasResponse__Output } from '../../samsa/v1/AlterQuotasResponse.js';
import type { AlterTopicConfigRequest as _samsa_v1_AlterTopicConfigRequest, AlterTopicConfigRequest__Output as _samsa_v1_AlterTopicConfigRequest__Output } from '../../samsa/v1/AlterTopicConfigRequest.js';
import type { AlterTopicConfigResponse as _samsa_v1_AlterTopicConfigResponse, AlterTopicConfigResponse__Output as _samsa_v1_AlterTopicConfigResponse__Output } from '../../samsa/v1/AlterTopicConfigResponse.js';
import type { CreateAclsRequest as _samsa_v1_CreateAclsRequest, CreateAclsRequest__Output as _samsa_v1_CreateAclsRequest__Output } from '../../samsa/v1/CreateAclsRequest.js';
import type { CreateAclsResponse as _samsa_v1_CreateAclsResponse, CreateAclsResponse__Output as _samsa_v1_CreateAclsResponse__Output } from '../../samsa/v1/CreateAclsResponse.js';
import type { CreateInternalTopicRequest as _samsa_v1_CreateInternalTopicRequest, CreateInternalTopicRequest__Output as _samsa_v1_CreateInternalTopicRequest__Output } from '../../samsa/v1/CreateInternalTopicRequest.js';
import type { CreateInternalTopicResponse as _samsa_v1_CreateInternalTopicResponse, CreateInternalTopicResponse__Output as _samsa_v1_CreateInternalTopicResponse__Output } from '../../samsa/v1/CreateInternalTopicResponse.js';
import type { CreatePartitionsRequest as _samsa_v1_CreatePartitionsRequest, CreatePartitionsRequest__Output as _samsa_v1_CreatePartitionsRequest__Output } from '../../samsa/v1/CreatePartitionsRequest.js';
import type { CreatePartitionsResponse as _samsa_v1_CreatePartitionsResponse, CreatePartitionsResponse__Output as _samsa_v1_CreatePartitionsResponse__Output } from '../../samsa/v1/CreatePartitionsResponse.js';
import type { CreateTopicRequest as _samsa_v1_CreateTopicRequest, CreateTopicRequest__Output as _samsa_v1_CreateTopicRequest__Output } from '../../samsa/v1/CreateTopicRequest.js';
import type { CreateTopicResponse as _samsa_v1_CreateTopicResponse, CreateTopicResponse__Output as _samsa_v1_CreateTopicResponse__Output } from '../../samsa/v1/CreateTopicResponse.js';
import type { DeleteAclsRequest as _samsa_v1_DeleteAclsRequest, DeleteAclsRequest__Output as _samsa_v1_DeleteAclsRequest__Output } from '../../samsa/v1/DeleteAclsRequest.js';
import type { DeleteAclsResponse as _samsa_v1_DeleteAclsResponse, DeleteAclsResponse__Output as _samsa_v1_DeleteAclsResponse__Output } from '../../samsa/v1/DeleteAclsResponse.js';
import type { DeleteTopicRequest as _samsa_v1_DeleteTopicRequest, DeleteTopicRequest__Output as _samsa_v1_DeleteTopicRequest__Output } from '../../samsa/v1/DeleteTopicRequest.js';
import type { DeleteTopicResponse as _samsa_v1_DeleteTopicResponse, DeleteTopicResponse__Output as _samsa_v1_DeleteTopicResponse__Output } from '../../samsa/v1/DeleteTopicResponse.js';
import type { DescribeAclsRequest as _samsa_v1_DescribeAclsRequest, DescribeAclsRequest__Output as _samsa_v1_DescribeAclsRequest__Output } from '../../samsa/v1/DescribeAclsRequest.js';
import type { DescribeAclsResponse as _samsa_v1_DescribeAclsResponse, DescribeAclsResponse__Output as _samsa_v1_DescribeAclsResponse__Output } from '../../samsa/v1/DescribeAclsResponse.js';
import type { DescribeQuotasRequest as _samsa_v1_DescribeQuotasRequest, DescribeQuotasRequest__Output as _samsa_v1_DescribeQuotasRequest__Output } from '../../samsa/v1/DescribeQuotasRequest.js';
import type { DescribeQuotasResponse as _samsa_v1_DescribeQuotasResponse, DescribeQuotasResponse__Output as _samsa_v1_DescribeQuotasResponse__Output } from '../../samsa/v1/DescribeQuotasResponse.js';
import type { DescribeTopicsRequest as _samsa_v1_DescribeTopicsRequest, DescribeTopicsRequest__Output as _samsa_v1_DescribeTopicsRequest__Output } from '../../samsa/v1/DescribeTopicsRequest.js';
import type { DescribeTopicsResponse as _samsa_v1_DescribeTopicsResponse, DescribeTopicsResponse__Output as _samsa_v1_DescribeTopicsResponse__Output } from '../../samsa/v1/DescribeTopicsResponse.js';
import type { DrainBrokersRequest as _samsa_v1_DrainBrokersRequest, DrainBrokersRequest__Output as _samsa_v1_DrainBrokersRequest__Output } from '../../samsa/v1/DrainBrokersRequest.js';
import type { DrainBrokersResponse as _samsa_v1_DrainBrokersResponse, DrainBrokersResponse__Output as _samsa_v1_DrainBrokersResponse__Output } from '../../samsa/v1/DrainBrokersResponse.js';
import type { ElectLeadersRequest as _samsa_v1_ElectLeadersRequest, ElectLeadersRequest__Output as _samsa_v1_ElectLeadersRequest__Output } from '../../samsa/v1/ElectLeadersRequest.js';
import type { ElectLeadersResponse as _samsa_v1_ElectLeadersResponse, ElectLeadersResponse__Output as _samsa_v1_ElectLeadersResponse__Output } from '../../samsa/v1/ElectLeadersResponse.js';
import type { GetMetadataRequest as _samsa_v1_GetMetadataRequest, GetMetadataRequest__Output as _samsa_v1_GetMetadataRequest__Output } from '../../samsa/v1/GetMetadataRequest.js';
import type { GetMetadataResponse as _samsa_v1_GetMetadataResponse, GetMetadataResponse__Output as _samsa_v1_GetMetadataResponse__Output } from '../../samsa/v1/GetMetadataResponse.js';
import type { ListPartitionReassignmentsRequest as _samsa_v1_ListPartitionReassignmentsRequest, ListPartitionReassignmentsRequest__Output as _samsa_v1_ListPartitionReassignmentsRequest__Output } from '../../samsa/v1/ListPartitionReassignmentsRequest.js';
import type { ListPartitionReassignmentsResponse as _samsa_v1_ListPartitionReassignmentsResponse, ListPartitionReassignmentsResponse__Output as _samsa_v1_ListPartitionReassignmentsResponse__Output } from '../../samsa/v1/ListPartitionReassignmentsResponse.js';
import type { ListTopicsRequest as _samsa_v1_ListTopicsRequest, ListTopicsRequest__Output as _samsa_v1_ListTopicsRequest__Output } from '../../samsa/v1/ListTopicsRequest.js';
import type { ListTopicsResponse as _samsa_v1_ListTopicsResponse, ListTopicsResponse__Output as _samsa_v1_ListTopicsResponse__Output } from '../../samsa/v1/ListTopicsResponse.js';

export interface ControllerServiceClient extends grpc.Client {
  AlterPartitionReassignments(argument: _samsa_v1_AlterPartitionReassignmentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  AlterPartitionReassignments(argument: _samsa_v1_AlterPartitionReassignmentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  AlterPartitionReassignments(argument: _samsa_v1_AlterPartitionReassignmentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  AlterPartitionReassignments(argument: _samsa_v1_AlterPartitionReassignmentsRequest, callback: grpc.requestCallback<_samsa_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  alterPartitionReassignments(argument: _samsa_v1_AlterPartitionReassignmentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  alterPartitionReassignments(argument: _samsa_v1_AlterPartitionReassignmentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  alterPartitionReassignments(argument: _samsa_v1_AlterPartitionReassignmentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  alterPartitionReassignments(argument: _samsa_v1_AlterPartitionReassignmentsRequest, callback: grpc.requestCallback<_samsa_v1_AlterPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  
  AlterQuotas(argument: _samsa_v1_AlterQuotasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterQuotasResponse__Output>): grpc.ClientUnaryCall;
  AlterQuotas(argument: _samsa_v1_AlterQuotasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_AlterQuotasResponse__Output>): grpc.ClientUnaryCall;
  AlterQuotas(argument: _samsa_v1_AlterQuotasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterQuotasResponse__Output>): grpc.ClientUnaryCall;
  AlterQuotas(argument: _samsa_v1_AlterQuotasRequest, callback: grpc.requestCallback<_samsa_v1_AlterQuotasResponse__Output>): grpc.ClientUnaryCall;
  alterQuotas(argument: _samsa_v1_AlterQuotasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterQuotasResponse__Output>): grpc.ClientUnaryCall;
  alterQuotas(argument: _samsa_v1_AlterQuotasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_AlterQuotasResponse__Output>): grpc.ClientUnaryCall;
  alterQuotas(argument: _samsa_v1_AlterQuotasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterQuotasResponse__Output>): grpc.ClientUnaryCall;
  alterQuotas(argument: _samsa_v1_AlterQuotasRequest, callback: grpc.requestCallback<_samsa_v1_AlterQuotasResponse__Output>): grpc.ClientUnaryCall;
  
  AlterTopicConfig(argument: _samsa_v1_AlterTopicConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterTopicConfigResponse__Output>): grpc.ClientUnaryCall;
  AlterTopicConfig(argument: _samsa_v1_AlterTopicConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_AlterTopicConfigResponse__Output>): grpc.ClientUnaryCall;
  AlterTopicConfig(argument: _samsa_v1_AlterTopicConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterTopicConfigResponse__Output>): grpc.ClientUnaryCall;
  AlterTopicConfig(argument: _samsa_v1_AlterTopicConfigRequest, callback: grpc.requestCallback<_samsa_v1_AlterTopicConfigResponse__Output>): grpc.ClientUnaryCall;
  alterTopicConfig(argument: _samsa_v1_AlterTopicConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterTopicConfigResponse__Output>): grpc.ClientUnaryCall;
  alterTopicConfig(argument: _samsa_v1_AlterTopicConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_AlterTopicConfigResponse__Output>): grpc.ClientUnaryCall;
  alterTopicConfig(argument: _samsa_v1_AlterTopicConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_AlterTopicConfigResponse__Output>): grpc.ClientUnaryCall;
  alterTopicConfig(argument: _samsa_v1_AlterTopicConfigRequest, callback: grpc.requestCallback<_samsa_v1_AlterTopicConfigResponse__Output>): grpc.ClientUnaryCall;
  
  CreateAcls(argument: _samsa_v1_CreateAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  CreateAcls(argument: _samsa_v1_CreateAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  CreateAcls(argument: _samsa_v1_CreateAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  CreateAcls(argument: _samsa_v1_CreateAclsRequest, callback: grpc.requestCallback<_samsa_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  createAcls(argument: _samsa_v1_CreateAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  createAcls(argument: _samsa_v1_CreateAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  createAcls(argument: _samsa_v1_CreateAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  createAcls(argument: _samsa_v1_CreateAclsRequest, callback: grpc.requestCallback<_samsa_v1_CreateAclsResponse__Output>): grpc.ClientUnaryCall;
  
  CreateInternalTopic(argument: _samsa_v1_CreateInternalTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateInternalTopicResponse__Output>): grpc.ClientUnaryCall;
  CreateInternalTopic(argument: _samsa_v1_CreateInternalTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CreateInternalTopicResponse__Output>): grpc.ClientUnaryCall;
  CreateInternalTopic(argument: _samsa_v1_CreateInternalTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateInternalTopicResponse__Output>): grpc.ClientUnaryCall;
  CreateInternalTopic(argument: _samsa_v1_CreateInternalTopicRequest, callback: grpc.requestCallback<_samsa_v1_CreateInternalTopicResponse__Output>): grpc.ClientUnaryCall;
  createInternalTopic(argument: _samsa_v1_CreateInternalTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateInternalTopicResponse__Output>): grpc.ClientUnaryCall;
  createInternalTopic(argument: _samsa_v1_CreateInternalTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CreateInternalTopicResponse__Output>): grpc.ClientUnaryCall;
  createInternalTopic(argument: _samsa_v1_CreateInternalTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateInternalTopicResponse__Output>): grpc.ClientUnaryCall;
  createInternalTopic(argument: _samsa_v1_CreateInternalTopicRequest, callback: grpc.requestCallback<_samsa_v1_CreateInternalTopicResponse__Output>): grpc.ClientUnaryCall;
  
  CreatePartitions(argument: _samsa_v1_CreatePartitionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  CreatePartitions(argument: _samsa_v1_CreatePartitionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  CreatePartitions(argument: _samsa_v1_CreatePartitionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  CreatePartitions(argument: _samsa_v1_CreatePartitionsRequest, callback: grpc.requestCallback<_samsa_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  createPartitions(argument: _samsa_v1_CreatePartitionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  createPartitions(argument: _samsa_v1_CreatePartitionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  createPartitions(argument: _samsa_v1_CreatePartitionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  createPartitions(argument: _samsa_v1_CreatePartitionsRequest, callback: grpc.requestCallback<_samsa_v1_CreatePartitionsResponse__Output>): grpc.ClientUnaryCall;
  
  CreateTopic(argument: _samsa_v1_CreateTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateTopicResponse__Output>): grpc.ClientUnaryCall;
  CreateTopic(argument: _samsa_v1_CreateTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CreateTopicResponse__Output>): grpc.ClientUnaryCall;
  CreateTopic(argument: _samsa_v1_CreateTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateTopicResponse__Output>): grpc.ClientUnaryCall;
  CreateTopic(argument: _samsa_v1_CreateTopicRequest, callback: grpc.requestCallback<_samsa_v1_CreateTopicResponse__Output>): grpc.ClientUnaryCall;
  createTopic(argument: _samsa_v1_CreateTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateTopicResponse__Output>): grpc.ClientUnaryCall;
  createTopic(argument: _samsa_v1_CreateTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_CreateTopicResponse__Output>): grpc.ClientUnaryCall;
  createTopic(argument: _samsa_v1_CreateTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_CreateTopicResponse__Output>): grpc.ClientUnaryCall;
  createTopic(argument: _samsa_v1_CreateTopicRequest, callback: grpc.requestCallback<_samsa_v1_CreateTopicResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteAcls(argument: _samsa_v1_DeleteAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  DeleteAcls(argument: _samsa_v1_DeleteAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  DeleteAcls(argument: _samsa_v1_DeleteAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  DeleteAcls(argument: _samsa_v1_DeleteAclsRequest, callback: grpc.requestCallback<_samsa_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  deleteAcls(argument: _samsa_v1_DeleteAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  deleteAcls(argument: _samsa_v1_DeleteAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  deleteAcls(argument: _samsa_v1_DeleteAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  deleteAcls(argument: _samsa_v1_DeleteAclsRequest, callback: grpc.requestCallback<_samsa_v1_DeleteAclsResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteTopic(argument: _samsa_v1_DeleteTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopic(argument: _samsa_v1_DeleteTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopic(argument: _samsa_v1_DeleteTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopic(argument: _samsa_v1_DeleteTopicRequest, callback: grpc.requestCallback<_samsa_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  deleteTopic(argument: _samsa_v1_DeleteTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  deleteTopic(argument: _samsa_v1_DeleteTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  deleteTopic(argument: _samsa_v1_DeleteTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  deleteTopic(argument: _samsa_v1_DeleteTopicRequest, callback: grpc.requestCallback<_samsa_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeAcls(argument: _samsa_v1_DescribeAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  DescribeAcls(argument: _samsa_v1_DescribeAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  DescribeAcls(argument: _samsa_v1_DescribeAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  DescribeAcls(argument: _samsa_v1_DescribeAclsRequest, callback: grpc.requestCallback<_samsa_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  describeAcls(argument: _samsa_v1_DescribeAclsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  describeAcls(argument: _samsa_v1_DescribeAclsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  describeAcls(argument: _samsa_v1_DescribeAclsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  describeAcls(argument: _samsa_v1_DescribeAclsRequest, callback: grpc.requestCallback<_samsa_v1_DescribeAclsResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeQuotas(argument: _samsa_v1_DescribeQuotasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeQuotasResponse__Output>): grpc.ClientUnaryCall;
  DescribeQuotas(argument: _samsa_v1_DescribeQuotasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeQuotasResponse__Output>): grpc.ClientUnaryCall;
  DescribeQuotas(argument: _samsa_v1_DescribeQuotasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeQuotasResponse__Output>): grpc.ClientUnaryCall;
  DescribeQuotas(argument: _samsa_v1_DescribeQuotasRequest, callback: grpc.requestCallback<_samsa_v1_DescribeQuotasResponse__Output>): grpc.ClientUnaryCall;
  describeQuotas(argument: _samsa_v1_DescribeQuotasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeQuotasResponse__Output>): grpc.ClientUnaryCall;
  describeQuotas(argument: _samsa_v1_DescribeQuotasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeQuotasResponse__Output>): grpc.ClientUnaryCall;
  describeQuotas(argument: _samsa_v1_DescribeQuotasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeQuotasResponse__Output>): grpc.ClientUnaryCall;
  describeQuotas(argument: _samsa_v1_DescribeQuotasRequest, callback: grpc.requestCallback<_samsa_v1_DescribeQuotasResponse__Output>): grpc.ClientUnaryCall;
  
  DescribeTopics(argument: _samsa_v1_DescribeTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTopics(argument: _samsa_v1_DescribeTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTopics(argument: _samsa_v1_DescribeTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTopics(argument: _samsa_v1_DescribeTopicsRequest, callback: grpc.requestCallback<_samsa_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  describeTopics(argument: _samsa_v1_DescribeTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  describeTopics(argument: _samsa_v1_DescribeTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  describeTopics(argument: _samsa_v1_DescribeTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  describeTopics(argument: _samsa_v1_DescribeTopicsRequest, callback: grpc.requestCallback<_samsa_v1_DescribeTopicsResponse__Output>): grpc.ClientUnaryCall;
  
  DrainBrokers(argument: _samsa_v1_DrainBrokersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DrainBrokersResponse__Output>): grpc.ClientUnaryCall;
  DrainBrokers(argument: _samsa_v1_DrainBrokersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DrainBrokersResponse__Output>): grpc.ClientUnaryCall;
  DrainBrokers(argument: _samsa_v1_DrainBrokersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DrainBrokersResponse__Output>): grpc.ClientUnaryCall;
  DrainBrokers(argument: _samsa_v1_DrainBrokersRequest, callback: grpc.requestCallback<_samsa_v1_DrainBrokersResponse__Output>): grpc.ClientUnaryCall;
  drainBrokers(argument: _samsa_v1_DrainBrokersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DrainBrokersResponse__Output>): grpc.ClientUnaryCall;
  drainBrokers(argument: _samsa_v1_DrainBrokersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DrainBrokersResponse__Output>): grpc.ClientUnaryCall;
  drainBrokers(argument: _samsa_v1_DrainBrokersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DrainBrokersResponse__Output>): grpc.ClientUnaryCall;
  drainBrokers(argument: _samsa_v1_DrainBrokersRequest, callback: grpc.requestCallback<_samsa_v1_DrainBrokersResponse__Output>): grpc.ClientUnaryCall;
  
  ElectLeaders(argument: _samsa_v1_ElectLeadersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  ElectLeaders(argument: _samsa_v1_ElectLeadersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  ElectLeaders(argument: _samsa_v1_ElectLeadersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  ElectLeaders(argument: _samsa_v1_ElectLeadersRequest, callback: grpc.requestCallback<_samsa_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  electLeaders(argument: _samsa_v1_ElectLeadersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  electLeaders(argument: _samsa_v1_ElectLeadersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  electLeaders(argument: _samsa_v1_ElectLeadersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  electLeaders(argument: _samsa_v1_ElectLeadersRequest, callback: grpc.requestCallback<_samsa_v1_ElectLeadersResponse__Output>): grpc.ClientUnaryCall;
  
  GetMetadata(argument: _samsa_v1_GetMetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetMetadata(argument: _samsa_v1_GetMetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetMetadata(argument: _samsa_v1_GetMetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetMetadata(argument: _samsa_v1_GetMetadataRequest, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  getMetadata(argument: _samsa_v1_GetMetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  getMetadata(argument: _samsa_v1_GetMetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  getMetadata(argument: _samsa_v1_GetMetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  getMetadata(argument: _samsa_v1_GetMetadataRequest, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  
  ListPartitionReassignments(argument: _samsa_v1_ListPartitionReassignmentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  ListPartitionReassignments(argument: _samsa_v1_ListPartitionReassignmentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  ListPartitionReassignments(argument: _samsa_v1_ListPartitionReassignmentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  ListPartitionReassignments(argument: _samsa_v1_ListPartitionReassignmentsRequest, callback: grpc.requestCallback<_samsa_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  listPartitionReassignments(argument: _samsa_v1_ListPartitionReassignmentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  listPartitionReassignments(argument: _samsa_v1_ListPartitionReassignmentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  listPartitionReassignments(argument: _samsa_v1_ListPartitionReassignmentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  listPartitionReassignments(argument: _samsa_v1_ListPartitionReassignmentsRequest, callback: grpc.requestCallback<_samsa_v1_ListPartitionReassignmentsResponse__Output>): grpc.ClientUnaryCall;
  
  ListTopics(argument: _samsa_v1_ListTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _samsa_v1_ListTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _samsa_v1_ListTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _samsa_v1_ListTopicsRequest, callback: grpc.requestCallback<_samsa_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _samsa_v1_ListTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _samsa_v1_ListTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _samsa_v1_ListTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _samsa_v1_ListTopicsRequest, callback: grpc.requestCallback<_samsa_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ControllerServiceHandlers extends grpc.UntypedServiceImplementation {
  AlterPartitionReassignments: grpc.handleUnaryCall<_samsa_v1_AlterPartitionReassignmentsRequest__Output, _samsa_v1_AlterPartitionReassignmentsResponse>;
  
  AlterQuotas: grpc.handleUnaryCall<_samsa_v1_AlterQuotasRequest__Output, _samsa_v1_AlterQuotasResponse>;
  
  AlterTopicConfig: grpc.handleUnaryCall<_samsa_v1_AlterTopicConfigRequest__Output, _samsa_v1_AlterTopicConfigResponse>;
  
  CreateAcls: grpc.handleUnaryCall<_samsa_v1_CreateAclsRequest__Output, _samsa_v1_CreateAclsResponse>;
  
  CreateInternalTopic: grpc.handleUnaryCall<_samsa_v1_CreateInternalTopicRequest__Output, _samsa_v1_CreateInternalTopicResponse>;
  
  CreatePartitions: grpc.handleUnaryCall<_samsa_v1_CreatePartitionsRequest__Output, _samsa_v1_CreatePartitionsResponse>;
  
  CreateTopic: grpc.handleUnaryCall<_samsa_v1_CreateTopicRequest__Output, _samsa_v1_CreateTopicResponse>;
  
  DeleteAcls: grpc.handleUnaryCall<_samsa_v1_DeleteAclsRequest__Output, _samsa_v1_DeleteAclsResponse>;
  
  DeleteTopic: grpc.handleUnaryCall<_samsa_v1_DeleteTopicRequest__Output, _samsa_v1_DeleteTopicResponse>;
  
  DescribeAcls: grpc.handleUnaryCall<_samsa_v1_DescribeAclsRequest__Output, _samsa_v1_DescribeAclsResponse>;
  
  DescribeQuotas: grpc.handleUnaryCall<_samsa_v1_DescribeQuotasRequest__Output, _samsa_v1_DescribeQuotasResponse>;
  
  DescribeTopics: grpc.handleUnaryCall<_samsa_v1_DescribeTopicsRequest__Output, _samsa_v1_DescribeTopicsResponse>;
  
  DrainBrokers: grpc.handleUnaryCall<_samsa_v1_DrainBrokersRequest__Output, _samsa_v1_DrainBrokersResponse>;
  
  ElectLeaders: grpc.handleUnaryCall<_samsa_v1_ElectLeadersRequest__Output, _samsa_v1_ElectLeadersResponse>;
  
  GetMetadata: grpc.handleUnaryCall<_samsa_v1_GetMetadataRequest__Output, _samsa_v1_GetMetadataResponse>;
  
  ListPartitionReassignments: grpc.handleUnaryCall<_samsa_v1_ListPartitionReassignmentsRequest__Output, _samsa_v1_ListPartitionReassignmentsResponse>;
  
  ListTopics: grpc.handleUnaryCall<_samsa_v1_ListTopicsRequest__Output, _samsa_v1_ListTopicsResponse>;
  
}

export interface ControllerServiceDefinition extends grpc.ServiceDefinition {
  AlterPartitionReassignments: MethodDefinition<_samsa_v1_AlterPartitionReassignmentsRequest, _samsa_v1_AlterPartitionReassignmentsResponse, _samsa_v1_AlterPartitionReassignmentsRequest__Output, _samsa_v1_AlterPartitionReassignmentsResponse__Output>
  AlterQuotas: MethodDefinition<_samsa_v1_AlterQuotasRequest, _samsa_v1_AlterQuotasResponse, _samsa_v1_AlterQuotasRequest__Output, _samsa_v1_AlterQuotasResponse__Output>
  AlterTopicConfig: MethodDefinition<_samsa_v1_AlterTopicConfigRequest, _samsa_v1_AlterTopicConfigResponse, _samsa_v1_AlterTopicConfigRequest__Output, _samsa_v1_AlterTopicConfigResponse__Output>
  CreateAcls: MethodDefinition<_samsa_v1_CreateAclsRequest, _samsa_v1_CreateAclsResponse, _samsa_v1_CreateAclsRequest__Output, _samsa_v1_CreateAclsResponse__Output>
  CreateInternalTopic: MethodDefinition<_samsa_v1_CreateInternalTopicRequest, _samsa_v1_CreateInternalTopicResponse, _samsa_v1_CreateInternalTopicRequest__Output, _samsa_v1_CreateInternalTopicResponse__Output>
  CreatePartitions: MethodDefinition<_samsa_v1_CreatePartitionsRequest, _samsa_v1_CreatePartitionsResponse, _samsa_v1_CreatePartitionsRequest__Output, _samsa_v1_CreatePartitionsResponse__Output>
  CreateTopic: MethodDefinition<_samsa_v1_CreateTopicRequest, _samsa_v1_CreateTopicResponse, _samsa_v1_CreateTopicRequest__Output, _samsa_v1_CreateTopicResponse__Output>
  DeleteAcls: MethodDefinition<_samsa_v1_DeleteAclsRequest, _samsa_v1_DeleteAclsResponse, _samsa_v1_DeleteAclsRequest__Output, _samsa_v1_DeleteAclsResponse__Output>
  DeleteTopic: MethodDefinition<_samsa_v1_DeleteTopicRequest, _samsa_v1_DeleteTopicResponse, _samsa_v1_DeleteTopicRequest__Output, _samsa_v1_DeleteTopicResponse__Output>
  DescribeAcls: MethodDefinition<_samsa_v1_DescribeAclsRequest, _samsa_v1_DescribeAclsResponse, _samsa_v1_DescribeAclsRequest__Output, _samsa_v1_DescribeAclsResponse__Output>
  DescribeQuotas: MethodDefinition<_samsa_v1_DescribeQuotasRequest, _samsa_v1_DescribeQuotasResponse, _samsa_v1_DescribeQuotasRequest__Output, _samsa_v1_DescribeQuotasResponse__Output>
  DescribeTopics: MethodDefinition<_samsa_v1_DescribeTopicsRequest, _samsa_v1_DescribeTopicsResponse, _samsa_v1_DescribeTopicsRequest__Output, _samsa_v1_DescribeTopicsResponse__Output>
  DrainBrokers: MethodDefinition<_samsa_v1_DrainBrokersRequest, _samsa_v1_DrainBrokersResponse, _samsa_v1_DrainBrokersRequest__Output, _samsa_v1_DrainBrokersResponse__Output>
  ElectLeaders: MethodDefinition<_samsa_v1_ElectLeadersRequest, _samsa_v1_ElectLeadersResponse, _samsa_v1_ElectLeadersRequest__Output, _samsa_v1_ElectLeadersResponse__Output>
  GetMetadata: MethodDefinition<_samsa_v1_GetMetadataRequest, _samsa_v1_GetMetadataResponse, _samsa_v1_GetMetadataRequest__Output, _samsa_v1_GetMetadataResponse__Output>
  ListPartitionReassignments: MethodDefinition<_samsa_v1_ListPartitionReassignmentsRequest, _samsa_v1_ListPartitionReassignmentsResponse, _samsa_v1_ListPartitionReassignmentsRequest__Output, _samsa_v1_ListPartitionReassignmentsResponse__Output>
  ListTopics: MethodDefinition<_samsa_v1_ListTopicsRequest, _samsa_v1_ListTopicsResponse, _samsa_v1_ListTopicsRequest__Output, _samsa_v1_ListTopicsResponse__Output>
}
