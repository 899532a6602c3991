// Original file: proto/samsa/v1/controller.proto


export interface DrainBrokersResponse {
  'drainingBrokerIds'?: (number)[];
}

export interface DrainBrokersResponse__Output {
  'drainingBrokerIds': (number)[];
}
