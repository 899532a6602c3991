// Original file: /work/wt-bench/proto/samsa/v1/common.proto


export interface BrokerInfo {
  'id'?: (number);
  'host'?: (string);
  'port'?: (number);
  'rack'?: (string);
}

export interface BrokerInfo__Output {
  'id': (number);
  'host': (string);
  'port': (number);
  'rack': (string);
}
