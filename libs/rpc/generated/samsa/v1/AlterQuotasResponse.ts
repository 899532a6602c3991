// Original file: proto/samsa/v1/security.proto


export interface AlterQuotasResponse {
}

export interface AlterQuotasResponse__Output {
}
