// Original file: proto/samsa/v1/security.proto


export interface QuotaEntity {
  'user'?: (string);
  'clientId'?: (string);
}

export interface QuotaEntity__Output {
  'user': (string);
  'clientId': (string);
}
