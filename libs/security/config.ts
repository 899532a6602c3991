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
