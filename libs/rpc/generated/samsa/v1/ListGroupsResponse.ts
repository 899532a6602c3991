// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { GroupSummary as _samsa_v1_GroupSummary, GroupSummary__Output as _samsa_v1_GroupSummary__Output } from '../../samsa/v1/GroupSummary.js';

export interface ListGroupsResponse {
  'groups'?: (_samsa_v1_GroupSummary)[];
}

export interface ListGroupsResponse__Output {
  'groups': (_samsa_v1_GroupSummary__Output)[];
}
