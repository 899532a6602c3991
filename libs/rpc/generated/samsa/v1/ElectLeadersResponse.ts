// Original file: proto/samsa/v1/controller.proto

import type { ElectionResult as _samsa_v1_ElectionResult, ElectionResult__Output as _samsa_v1_ElectionResult__Output } from '../../samsa/v1/ElectionResult.js';

export interface ElectLeadersResponse {
  'results'?: (_samsa_v1_ElectionResult)[];
}

export interface ElectLeadersResponse__Output {
  'results': (_samsa_v1_ElectionResult__Output)[];
}
