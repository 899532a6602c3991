// Original file: proto/samsa/v1/security.proto


export interface QuotaLimits {
  'produceBytesPerSecond'?: (number | string);
  'fetchBytesPerSecond'?: (number | string);
  'requestsPerSecond'?: (number | string);
}

export interface QuotaLimits__Output {
  'produceBytesPerSecond': (number);
  'fetchBytesPerSecond': (number);
  'requestsPerSecond': (number);
}
