import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AclBinding as _samsa_v1_AclBinding, AclBinding__Output as _samsa_v1_AclBinding__Output } from './samsa/v1/AclBinding.js';
import type { AclBindingFilter as _samsa_v1_AclBindingFilter, AclBindingFilter__Output as _samsa_v1_AclBindingFilter__Output } from './samsa/v1/AclBindingFilter.js';
import type { AlterQuotasRequest as _samsa_v1_AlterQuotasRequest, AlterQuotasRequest__Output as _samsa_v1_AlterQuotasRequest__Output } from './samsa/v1/AlterQuotasRequest.js';
import type { AlterQuotasResponse as _samsa_v1_AlterQuotasResponse, AlterQuotasResponse__Output as _samsa_v1_AlterQuotasResponse__Output } from './samsa/v1/AlterQuotasResponse.js';
import type { CreateAclsRequest as _samsa_v1_CreateAclsRequest, CreateAclsRequest__Output as _samsa_v1_CreateAclsRequest__Output } from './samsa/v1/CreateAclsRequest.js';
import type { CreateAclsResponse as _samsa_v1_CreateAclsResponse, CreateAclsResponse__Output as _samsa_v1_CreateAclsResponse__Output } from './samsa/v1/CreateAclsResponse.js';
import type { DeleteAclsRequest as _samsa_v1_DeleteAclsRequest, DeleteAclsRequest__Output as _samsa_v1_DeleteAclsRequest__Output } from './samsa/v1/DeleteAclsRequest.js';
import type { DeleteAclsResponse as _samsa_v1_DeleteAclsResponse, DeleteAclsResponse__Output as _samsa_v1_DeleteAclsResponse__Output } from './samsa/v1/DeleteAclsResponse.js';
import type { DescribeAclsRequest as _samsa_v1_DescribeAclsRequest, DescribeAclsRequest__Output as _samsa_v1_DescribeAclsRequest__Output } from './samsa/v1/DescribeAclsRequest.js';
import type { DescribeAclsResponse as _samsa_v1_DescribeAclsResponse, DescribeAclsResponse__Output as _samsa_v1_DescribeAclsResponse__Output } from './samsa/v1/DescribeAclsResponse.js';
import type { DescribeQuotasRequest as _samsa_v1_DescribeQuotasRequest, DescribeQuotasRequest__Output as _samsa_v1_DescribeQuotasRequest__Output } from './samsa/v1/DescribeQuotasRequest.js';
import type { DescribeQuotasResponse as _samsa_v1_DescribeQuotasResponse, DescribeQuotasResponse__Output as _samsa_v1_DescribeQuotasResponse__Output } from './samsa/v1/DescribeQuotasResponse.js';
import type { Quota as _samsa_v1_Quota, Quota__Output as _samsa_v1_Quota__Output } from './samsa/v1/Quota.js';
import type { QuotaEntity as _samsa_v1_QuotaEntity, QuotaEntity__Output as _samsa_v1_QuotaEntity__Output } from './samsa/v1/QuotaEntity.js';
import type { QuotaLimits as _samsa_v1_QuotaLimits, QuotaLimits__Output as _samsa_v1_QuotaLimits__Output } from './samsa/v1/QuotaLimits.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  samsa: {
    v1: {
      AclBinding: MessageTypeDefinition<_samsa_v1_AclBinding, _samsa_v1_AclBinding__Output>
      AclBindingFilter: MessageTypeDefinition<_samsa_v1_AclBindingFilter, _samsa_v1_AclBindingFilter__Output>
      AclOperation: EnumTypeDefinition
      AclPatternType: EnumTypeDefinition
      AclPermission: EnumTypeDefinition
      AclResourceType: EnumTypeDefinition
      AlterQuotasRequest: MessageTypeDefinition<_samsa_v1_AlterQuotasRequest, _samsa_v1_AlterQuotasRequest__Output>
      AlterQuotasResponse: MessageTypeDefinition<_samsa_v1_AlterQuotasResponse, _samsa_v1_AlterQuotasResponse__Output>
      CreateAclsRequest: MessageTypeDefinition<_samsa_v1_CreateAclsRequest, _samsa_v1_CreateAclsRequest__Output>
      CreateAclsResponse: MessageTypeDefinition<_samsa_v1_CreateAclsResponse, _samsa_v1_CreateAclsResponse__Output>
      DeleteAclsRequest: MessageTypeDefinition<_samsa_v1_DeleteAclsRequest, _samsa_v1_DeleteAclsRequest__Output>
      DeleteAclsResponse: MessageTypeDefinition<_samsa_v1_DeleteAclsResponse, _samsa_v1_DeleteAclsResponse__Output>
      DescribeAclsRequest: MessageTypeDefinition<_samsa_v1_DescribeAclsRequest, _samsa_v1_DescribeAclsRequest__Output>
      DescribeAclsResponse: MessageTypeDefinition<_samsa_v1_DescribeAclsResponse, _samsa_v1_DescribeAclsResponse__Output>
      DescribeQuotasRequest: MessageTypeDefinition<_samsa_v1_DescribeQuotasRequest, _samsa_v1_DescribeQuotasRequest__Output>
      DescribeQuotasResponse: MessageTypeDefinition<_samsa_v1_DescribeQuotasResponse, _samsa_v1_DescribeQuotasResponse__Output>
      Quota: MessageTypeDefinition<_samsa_v1_Quota, _samsa_v1_Quota__Output>
      QuotaEntity: MessageTypeDefinition<_samsa_v1_QuotaEntity, _samsa_v1_QuotaEntity__Output>
      QuotaLimits: MessageTypeDefinition<_samsa_v1_QuotaLimits, _samsa_v1_QuotaLimits__Output>
    }
  }
}

