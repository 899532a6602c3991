// Original file: proto/samsa/v1/controller.proto


export interface DrainBrokersRequest {
  'brokerIds'?: (number)[];
  'undrain'?: (boolean);
  'validateOnly'?: (boolean);
}

export interface DrainBrokersRequest__Output {
  'brokerIds': (number)[];
  'undrain': (boolean);
  'validateOnly': (boolean);
}
