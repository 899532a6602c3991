// Original file: proto/samsa/v1/broker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ConsumeRequest as _samsa_v1_ConsumeRequest, ConsumeRequest__Output as _samsa_v1_ConsumeRequest__Output } from '../../samsa/v1/ConsumeRequest.js';
import type { ConsumeResponse as _samsa_v1_ConsumeResponse, ConsumeResponse__Output as _samsa_v1_ConsumeResponse__Output } from '../../samsa/v1/ConsumeResponse.js';
import type { DescribeReplicasRequest as _samsa_v1_DescribeReplicasRequest, DescribeReplicasRequest__Output as _samsa_v1_DescribeReplicasRequest__Output } from '../../samsa/v1/DescribeReplicasRequest.js';
import type { DescribeReplicasResponse as _samsa_v1_DescribeReplicasResponse, DescribeReplicasResponse__Output as _samsa_v1_DescribeReplicasResponse__Output } from '../../samsa/v1/DescribeReplicasResponse.js';
import type { FetchRequest as _samsa_v1_FetchRequest, FetchRequest__Output as _samsa_v1_FetchRequest__Output } from '../../samsa/v1/FetchRequest.js';
import type { FetchResponse as _samsa_v1_FetchResponse, FetchResponse__Output as _samsa_v1_FetchResponse__Output } from '../../samsa/v1/FetchResponse.js';
import type { GetMetadataRequest as _samsa_v1_GetMetadataRequest, GetMetadataRequest__Output as _samsa_v1_GetMetadataRequest__Output } from '../../samsa/v1/GetMetadataRequest.js';
import type { GetMetadataResponse as _samsa_v1_GetMetadataResponse, GetMetadataResponse__Output as _samsa_v1_GetMetadataResponse__Output } from '../../samsa/v1/GetMetadataResponse.js';
import type { InitProducerIdRequest as _samsa_v1_InitProducerIdRequest, InitProducerIdRequest__Output as _samsa_v1_InitProducerIdRequest__Output } from '../../samsa/v1/InitProducerIdRequest.js';
import type { InitProducerIdResponse as _samsa_v1_InitProducerIdResponse, InitProducerIdResponse__Output as _samsa_v1_InitProducerIdResponse__Output } from '../../samsa/v1/InitProducerIdResponse.js';
import type { ListOffsetsRequest as _samsa_v1_ListOffsetsRequest, ListOffsetsRequest__Output as _samsa_v1_ListOffsetsRequest__Output } from '../../samsa/v1/ListOffsetsRequest.js';
import type { ListOffsetsResponse as _samsa_v1_ListOffsetsResponse, ListOffsetsResponse__Output as _samsa_v1_ListOffsetsResponse__Output } from '../../samsa/v1/ListOffsetsResponse.js';
import type { ProduceRequest as _samsa_v1_ProduceRequest, ProduceRequest__Output as _samsa_v1_ProduceRequest__Output } from '../../samsa/v1/ProduceRequest.js';
import type { ProduceResponse as _samsa_v1_ProduceResponse, ProduceResponse__Output as _samsa_v1_ProduceResponse__Output } from '../../samsa/v1/ProduceResponse.js';

export interface BrokerServiceClient extends grpc.Client {
  Consume(argument: _samsa_v1_ConsumeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_samsa_v1_ConsumeResponse__Output>;
  Consume(argument: _samsa_v1_ConsumeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_samsa_v1_ConsumeResponse__Output>;
  consume(argument: _samsa_v1_ConsumeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_samsa_v1_ConsumeResponse__Output>;
  consume(argument: _samsa_v1_ConsumeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_samsa_v1_ConsumeResponse__Output>;
  
  DescribeReplicas(argument: _samsa_v1_DescribeReplicasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeReplicasResponse__Output>): grpc.ClientUnaryCall;
  DescribeReplicas(argument: _samsa_v1_DescribeReplicasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeReplicasResponse__Output>): grpc.ClientUnaryCall;
  DescribeReplicas(argument: _samsa_v1_DescribeReplicasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeReplicasResponse__Output>): grpc.ClientUnaryCall;
  DescribeReplicas(argument: _samsa_v1_DescribeReplicasRequest, callback: grpc.requestCallback<_samsa_v1_DescribeReplicasResponse__Output>): grpc.ClientUnaryCall;
  describeReplicas(argument: _samsa_v1_DescribeReplicasRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeReplicasResponse__Output>): grpc.ClientUnaryCall;
  describeReplicas(argument: _samsa_v1_DescribeReplicasRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_DescribeReplicasResponse__Output>): grpc.ClientUnaryCall;
  describeReplicas(argument: _samsa_v1_DescribeReplicasRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_DescribeReplicasResponse__Output>): grpc.ClientUnaryCall;
  describeReplicas(argument: _samsa_v1_DescribeReplicasRequest, callback: grpc.requestCallback<_samsa_v1_DescribeReplicasResponse__Output>): grpc.ClientUnaryCall;
  
  Fetch(argument: _samsa_v1_FetchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  Fetch(argument: _samsa_v1_FetchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  Fetch(argument: _samsa_v1_FetchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  Fetch(argument: _samsa_v1_FetchRequest, callback: grpc.requestCallback<_samsa_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  fetch(argument: _samsa_v1_FetchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  fetch(argument: _samsa_v1_FetchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  fetch(argument: _samsa_v1_FetchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  fetch(argument: _samsa_v1_FetchRequest, callback: grpc.requestCallback<_samsa_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  
  GetMetadata(argument: _samsa_v1_GetMetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetMetadata(argument: _samsa_v1_GetMetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetMetadata(argument: _samsa_v1_GetMetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  GetMetadata(argument: _samsa_v1_GetMetadataRequest, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  getMetadata(argument: _samsa_v1_GetMetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  getMetadata(argument: _samsa_v1_GetMetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  getMetadata(argument: _samsa_v1_GetMetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  getMetadata(argument: _samsa_v1_GetMetadataRequest, callback: grpc.requestCallback<_samsa_v1_GetMetadataResponse__Output>): grpc.ClientUnaryCall;
  
  InitProducerId(argument: _samsa_v1_InitProducerIdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  InitProducerId(argument: _samsa_v1_InitProducerIdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  InitProducerId(argument: _samsa_v1_InitProducerIdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  InitProducerId(argument: _samsa_v1_InitProducerIdRequest, callback: grpc.requestCallback<_samsa_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  initProducerId(argument: _samsa_v1_InitProducerIdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  initProducerId(argument: _samsa_v1_InitProducerIdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  initProducerId(argument: _samsa_v1_InitProducerIdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  initProducerId(argument: _samsa_v1_InitProducerIdRequest, callback: grpc.requestCallback<_samsa_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  
  ListOffsets(argument: _samsa_v1_ListOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsets(argument: _samsa_v1_ListOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsets(argument: _samsa_v1_ListOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsets(argument: _samsa_v1_ListOffsetsRequest, callback: grpc.requestCallback<_samsa_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  listOffsets(argument: _samsa_v1_ListOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  listOffsets(argument: _samsa_v1_ListOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  listOffsets(argument: _samsa_v1_ListOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  listOffsets(argument: _samsa_v1_ListOffsetsRequest, callback: grpc.requestCallback<_samsa_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  
  Produce(argument: _samsa_v1_ProduceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  Produce(argument: _samsa_v1_ProduceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  Produce(argument: _samsa_v1_ProduceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  Produce(argument: _samsa_v1_ProduceRequest, callback: grpc.requestCallback<_samsa_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  produce(argument: _samsa_v1_ProduceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  produce(argument: _samsa_v1_ProduceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_samsa_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  produce(argument: _samsa_v1_ProduceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_samsa_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  produce(argument: _samsa_v1_ProduceRequest, callback: grpc.requestCallback<_samsa_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface BrokerServiceHandlers extends grpc.UntypedServiceImplementation {
  Consume: grpc.handleServerStreamingCall<_samsa_v1_ConsumeRequest__Output, _samsa_v1_ConsumeResponse>;
  
  DescribeReplicas: grpc.handleUnaryCall<_samsa_v1_DescribeReplicasRequest__Output, _samsa_v1_DescribeReplicasResponse>;
  
  Fetch: grpc.handleUnaryCall<_samsa_v1_FetchRequest__Output, _samsa_v1_FetchResponse>;
  
  GetMetadata: grpc.handleUnaryCall<_samsa_v1_GetMetadataRequest__Output, _samsa_v1_GetMetadataResponse>;
  
  InitProducerId: grpc.handleUnaryCall<_samsa_v1_InitProducerIdRequest__Output, _samsa_v1_InitProducerIdResponse>;
  
  ListOffsets: grpc.handleUnaryCall<_samsa_v1_ListOffsetsRequest__Output, _samsa_v1_ListOffsetsResponse>;
  
  Produce: grpc.handleUnaryCall<_samsa_v1_ProduceRequest__Output, _samsa_v1_ProduceResponse>;
  
}

export interface BrokerServiceDefinition extends grpc.ServiceDefinition {
  Consume: MethodDefinition<_samsa_v1_ConsumeRequest, _samsa_v1_ConsumeResponse, _samsa_v1_ConsumeRequest__Output, _samsa_v1_ConsumeResponse__Output>
  DescribeReplicas: MethodDefinition<_samsa_v1_DescribeReplicasRequest, _samsa_v1_DescribeReplicasResponse, _samsa_v1_DescribeReplicasRequest__Output, _samsa_v1_DescribeReplicasResponse__Output>
  Fetch: MethodDefinition<_samsa_v1_FetchRequest, _samsa_v1_FetchResponse, _samsa_v1_FetchRequest__Output, _samsa_v1_FetchResponse__Output>
  GetMetadata: MethodDefinition<_samsa_v1_GetMetadataRequest, _samsa_v1_GetMetadataResponse, _samsa_v1_GetMetadataRequest__Output, _samsa_v1_GetMetadataResponse__Output>
  InitProducerId: MethodDefinition<_samsa_v1_InitProducerIdRequest, _samsa_v1_InitProducerIdResponse, _samsa_v1_InitProducerIdRequest__Output, _samsa_v1_InitProducerIdResponse__Output>
  ListOffsets: MethodDefinition<_samsa_v1_ListOffsetsRequest, _samsa_v1_ListOffsetsResponse, _samsa_v1_ListOffsetsRequest__Output, _samsa_v1_ListOffsetsResponse__Output>
  Produce: MethodDefinition<_samsa_v1_ProduceRequest, _samsa_v1_ProduceResponse, _samsa_v1_ProduceRequest__Output, _samsa_v1_ProduceResponse__Output>
}
