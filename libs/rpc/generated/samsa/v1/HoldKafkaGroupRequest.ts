// Original file: proto/samsa/v1/coordinator.proto


export interface HoldKafkaGroupRequest {
  'groupId'?: (string);
  'holder'?: (string);
  'ttlMs'?: (number);
  'release'?: (boolean);
}

export interface HoldKafkaGroupRequest__Output {
  'groupId': (string);
  'holder': (string);
  'ttlMs': (number);
  'release': (boolean);
}
