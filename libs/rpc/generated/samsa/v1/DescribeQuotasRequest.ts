// Original file: proto/samsa/v1/security.proto


export interface DescribeQuotasRequest {
}

export interface DescribeQuotasRequest__Output {
}
