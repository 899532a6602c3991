// Original file: proto/samsa/v1/controller.proto

import type { ElectionOutcome as _samsa_v1_ElectionOutcome, ElectionOutcome__Output as _samsa_v1_ElectionOutcome__Output } from '../../samsa/v1/ElectionOutcome.js';

export interface ElectionResult {
  'topic'?: (string);
  'partition'?: (number);
  'outcome'?: (_samsa_v1_ElectionOutcome);
  'leaderId'?: (number);
  'message'?: (string);
}

export interface ElectionResult__Output {
  'topic': (string);
  'partition': (number);
  'outcome': (_samsa_v1_ElectionOutcome__Output);
  'leaderId': (number);
  'message': (string);
}
