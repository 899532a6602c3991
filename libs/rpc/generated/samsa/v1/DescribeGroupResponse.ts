// Original file: proto/samsa/v1/coordinator.proto

import type { Assignor as _samsa_v1_Assignor, Assignor__Output as _samsa_v1_Assignor__Output } from '../../samsa/v1/Assignor.js';
import type { GroupMember as _samsa_v1_GroupMember, GroupMember__Output as _samsa_v1_GroupMember__Output } from '../../samsa/v1/GroupMember.js';
import type { CommittedOffset as _samsa_v1_CommittedOffset, CommittedOffset__Output as _samsa_v1_CommittedOffset__Output } from '../../samsa/v1/CommittedOffset.js';
import type { ShareGroupCounts as _samsa_v1_ShareGroupCounts, ShareGroupCounts__Output as _samsa_v1_ShareGroupCounts__Output } from '../../samsa/v1/ShareGroupCounts.js';

export interface DescribeGroupResponse {
  'groupId'?: (string);
  'state'?: (string);
  'generation'?: (number);
  'assignor'?: (_samsa_v1_Assignor);
  'members'?: (_samsa_v1_GroupMember)[];
  'offsets'?: (_samsa_v1_CommittedOffset)[];
  'share'?: (_samsa_v1_ShareGroupCounts | null);
}

export interface DescribeGroupResponse__Output {
  'groupId': (string);
  'state': (string);
  'generation': (number);
  'assignor': (_samsa_v1_Assignor__Output);
  'members': (_samsa_v1_GroupMember__Output)[];
  'offsets': (_samsa_v1_CommittedOffset__Output)[];
  'share': (_samsa_v1_ShareGroupCounts__Output | null);
}
