import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BrokerInfo as _samsa_v1_BrokerInfo, BrokerInfo__Output as _samsa_v1_BrokerInfo__Output } from './samsa/v1/BrokerInfo.js';
import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from './samsa/v1/ConsumedRecord.js';
import type { GetMetadataRequest as _samsa_v1_GetMetadataRequest, GetMetadataRequest__Output as _samsa_v1_GetMetadataRequest__Output } from './samsa/v1/GetMetadataRequest.js';
import type { GetMetadataResponse as _samsa_v1_GetMetadataResponse, GetMetadataResponse__Output as _samsa_v1_GetMetadataResponse__Output } from './samsa/v1/GetMetadataResponse.js';
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
      BrokerInfo: MessageTypeDefinition<_samsa_v1_BrokerInfo, _samsa_v1_BrokerInfo__Output>
      ConsumedRecord: MessageTypeDefinition<_samsa_v1_ConsumedRecord, _samsa_v1_ConsumedRecord__Output>
      ErrorReason: EnumTypeDefinition
      GetMetadataRequest: MessageTypeDefinition<_samsa_v1_GetMetadataRequest, _samsa_v1_GetMetadataRequest__Output>
      GetMetadataResponse: MessageTypeDefinition<_samsa_v1_GetMetadataResponse, _samsa_v1_GetMetadataResponse__Output>
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

