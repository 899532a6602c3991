/**
 * Transport security: TLS settings of a service, mutual TLS between services with certificates
 * reloaded from their files, client credentials for the CLI/SDK, the principal of a call, and the
 * local CA `npm start` and the tests make certificates with. Import this lib only through here.
 * See docs/security.md.
 */
export { TLS_CONFIG_SPEC, CLIENT_AUTH_MODES, type TlsConfig, type ClientAuthMode } from './config.js';
export { CertificateFiles, TlsMaterialError, type CertificatePaths, type ReloadEvent } from './certificate-files.js';
export { startTransportSecurity, transportSecurity, clientTlsCredentials, type TransportSecurity } from './transport-security.js';
export { principalOf, principalOfCertificate, ANONYMOUS, SERVICE_OU, SERVICE_KINDS, type Principal, type CallWithAuthContext, type ServiceKindName } from './principal.js';
export { LocalCa, CLIENT_OU, type IssueOptions } from './local-ca.js';
export { clientTlsFromEnv, defaultTlsDir, CLI_CERT_NAME, type ClientTlsPaths } from './client-tls.js';
export { silenceIpServernameWarning } from './ip-servername-warning.js';
