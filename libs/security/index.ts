/**
 * Transport security: TLS settings of a service, mutual TLS between services with certificates
 * reloaded from their files, client credentials for the CLI/SDK, the principal of a call, and the
 * local CA `npm start` and the tests make certificates with. Import this lib only through here.
 * See docs/security.md.
 */
export { TLS_CONFIG_SPEC, CLIENT_AUTH_MODES, tlsSettingsProblem, type TlsConfig, type ClientAuthMode } from './config.js';
export { CertificateFiles, TlsMaterialError, type CertificatePaths, type ReloadEvent } from './certificate-files.js';
export { startTransportSecurity, transportSecurity, clientTlsCredentials, type TransportSecurity } from './transport-security.js';
export {
  principalOf,
  principalOfCertificate,
  ANONYMOUS,
  SERVICE_OU,
  SERVICE_KINDS,
  type Principal,
  type CallWithAuthContext,
  type ServiceKindName,
} from './principal.js';
export { LocalCa, CLIENT_OU, type IssueOptions } from './local-ca.js';
export { clientTlsFromEnv, defaultTlsDir, CLI_CERT_NAME, type ClientTlsPaths } from './client-tls.js';
export { silenceIpServernameWarning } from './ip-servername-warning.js';
export {
  RESOURCE_TYPES,
  PATTERN_TYPES,
  OPERATIONS,
  PERMISSIONS,
  CLUSTER_RESOURCE,
  CLUSTER,
  topicResource,
  groupResource,
  validateBinding,
  bindingId,
  filterMatches,
  patternMatches,
  describeBinding,
  type AclBinding,
  type AclFilter,
  type ResourceType,
  type PatternType,
  type Operation,
  type Permission,
  type Resource,
} from './acl/acl.js';
export { AclAuthorizer, type Decision, type AccessRequest } from './acl/authorizer.js';
export {
  bindingFromProto,
  bindingToProto,
  filterFromProto,
  filterToProto,
  entityFromProto,
  entityToProto,
  quotaFromProto,
  quotaToProto,
} from './acl/acl-proto.js';
export {
  DEFAULT_ENTITY,
  QUOTA_KINDS,
  entityKey,
  describeEntity,
  resolveQuota,
  validateQuota,
  type Quota,
  type QuotaEntity,
  type QuotaLimits,
  type QuotaKind,
} from './quota/quota.js';
export { QuotaMeter, BURST_SECONDS, type Throttle } from './quota/throttle.js';
export { TokenVerifier, signToken, TOKEN_ALGORITHMS, LEEWAY_SECONDS, type TokenClaims, type VerifiedToken } from './token/jwt.js';
export { SecurityKeys, SecurityView } from './store/security-view.js';
export { SecurityAdmin } from './store/security-admin.js';
export { AuditLog, type Denial } from './audit.js';
export { RULES, ruleOf, type Rule, type Check } from './access/rules.js';
export { resolveCaller, hostOfPeer, CLIENT_ID_HEADER, AUTHORIZATION_HEADER, type Caller } from './access/caller.js';
export {
  AccessGuard,
  THROTTLE_TRAILER,
  VERIFIED_PRINCIPAL_HEADER,
  verifiedPrincipal,
  type AccessGuardOptions,
} from './access/access-guard.js';
export {
  startAccessControl,
  ACCESS_CONFIG_SPEC,
  AUTHORIZATION_MODES,
  type AccessControl,
  type AccessConfig,
} from './access/access-control.js';
export { ensureTokenSigningKey, TOKEN_SIGNING_KEY, TOKEN_PUBLIC_KEY, type TokenKeyPaths } from './token/signing-key.js';
