/**
 * The TLS settings every Samsa service reads once at start (spread into each service's config
 * spec, so they show in its --help and README table). TLS is the default: a service given no
 * certificate refuses to start unless SAMSA_INSECURE=1 says plaintext on purpose.
 */
import { bool, int, oneOf, str, type ConfigOf } from '../config/index.js';

export const CLIENT_AUTH_MODES = ['required', 'optional'] as const;
export type ClientAuthMode = (typeof CLIENT_AUTH_MODES)[number];

export const TLS_CONFIG_SPEC = {
  tlsCa: str(
    'SAMSA_TLS_CA',
    'tls-ca',
    '',
    'PEM file of the CA that signs every Samsa certificate (peers and clients are verified against it); `npm start` makes one under <data-dir>/tls/',
  ),
  tlsCert: str(
    'SAMSA_TLS_CERT',
    'tls-cert',
    '',
    "PEM file of this service's certificate: served to clients and presented to the services it calls (mutual TLS)",
  ),
  tlsKey: str('SAMSA_TLS_KEY', 'tls-key', '', 'PEM file of the private key of --tls-cert (keep it mode 0600)'),
  tlsClientAuth: oneOf(
    'SAMSA_TLS_CLIENT_AUTH',
    'tls-client-auth',
    'optional',
    CLIENT_AUTH_MODES,
    'optional: a client may connect without a certificate and authenticate with a bearer token, or be User:ANONYMOUS (no rights unless an ACL names it; refused outright when ACLs are off); a certificate that fails verification is never a principal. required: a client without a certificate signed by the CA fails the TLS handshake (no bearer-token clients)',
  ),
  tlsReloadMs: int(
    'SAMSA_TLS_RELOAD_MS',
    'tls-reload-ms',
    5_000,
    'how often the certificate, key and CA files are re-read; new connections use a changed pair without a restart',
    100,
    3_600_000,
  ),
  insecure: bool(
    'SAMSA_INSECURE',
    'insecure',
    false,
    'plaintext gRPC, no authentication: for development only, said loudly at start; without it a service refuses to start with no certificate',
  ),
} as const;

export type TlsConfig = ConfigOf<typeof TLS_CONFIG_SPEC>;

const TLS_FILES_MISSING =
  'TLS is on by default and needs SAMSA_TLS_CA, SAMSA_TLS_CERT and SAMSA_TLS_KEY (or --tls-ca/--tls-cert/--tls-key); ' +
  '`npm start` makes them under <data-dir>/tls/. For plaintext development set SAMSA_INSECURE=1.';

/**
 * The rule of the TLS settings, or undefined when they keep it: with --insecure, no TLS file (which
 * of the two was meant is not ours to guess); without it, all three files. `missing` is the message
 * when files are missing (what this process needs them for). Checked when a service reads its
 * config (libs/service loadServiceConfig) and again by transportSecurity.
 */
export function tlsSettingsProblem(
  config: Pick<TlsConfig, 'tlsCa' | 'tlsCert' | 'tlsKey' | 'insecure'>,
  missing = TLS_FILES_MISSING,
): string | undefined {
  const given = [config.tlsCa, config.tlsCert, config.tlsKey].filter((p) => p !== '').length;
  if (config.insecure)
    return given > 0 ? 'SAMSA_INSECURE=1 and TLS files (SAMSA_TLS_CA/CERT/KEY) are both set; unset one of them' : undefined;
  return given < 3 ? missing : undefined;
}
