// Original file: proto/samsa/v1/security.proto


export interface CreateAclsResponse {
}

export interface CreateAclsResponse__Output {
}
