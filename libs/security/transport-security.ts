/**
 * A service's transport security, set up once at start from its TlsConfig: TLS on its listener,
 * mutual TLS on every channel it opens to another service (forwarding, replication, coordinator
 * calls, the SDK inside the coordinator), both from the same reloading CertificateFiles, made the
 * process's default transport (libs/rpc transport.ts).
 *
 * The rule: no certificate, no start, unless the config says `insecure` (SAMSA_INSECURE=1), which
 * is logged as an error-level line at start so nobody runs it unknowingly. Certificate and
 * insecure together is a configuration error too: which one was meant is not ours to guess.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { setDefaultTransport } from '../rpc/index.js';
import type { Logger } from '../telemetry/index.js';
import { CertificateFiles, TlsMaterialError, type CertificatePaths } from './certificate-files.js';
import { tlsSettingsProblem, type TlsConfig } from './config.js';
import { silenceIpServernameWarning } from './ip-servername-warning.js';

export interface TransportSecurity {
  readonly mode: 'tls' | 'insecure';
  /** The files being watched (undefined when insecure). */
  readonly files: CertificateFiles | undefined;
  readonly server: grpc.ServerCredentials;
  readonly channel: grpc.ChannelCredentials;
  /** Stops watching the files. */
  close(): void;
}

/** Reads the service's TLS settings, installs them as the process's transport and returns them. */
export function startTransportSecurity(config: TlsConfig, logger: Logger): TransportSecurity {
  const security = transportSecurity(config, logger);
  setDefaultTransport({ channel: security.channel, server: security.server });
  return security;
}

export function transportSecurity(config: TlsConfig, logger: Logger): TransportSecurity {
  const problem = tlsSettingsProblem(config);
  if (problem) throw new TlsMaterialError(problem);
  if (config.insecure) {
    logger.error(
      { insecure: true },
      'INSECURE MODE: plaintext gRPC, no authentication, anyone who reaches this port is trusted. For development only (SAMSA_INSECURE=1 / --insecure).',
    );
    return {
      mode: 'insecure',
      files: undefined,
      server: grpc.ServerCredentials.createInsecure(),
      channel: grpc.credentials.createInsecure(),
      close: () => {},
    };
  }
  silenceIpServernameWarning();
  const paths: CertificatePaths = { ca: config.tlsCa, cert: config.tlsCert, key: config.tlsKey };
  const files = new CertificateFiles(paths, config.tlsReloadMs, (event) => {
    if (event.kind === 'reloaded') logger.info({ cert: paths.cert }, 'TLS certificate files changed; new connections use them');
    else
      logger.warn(
        { cert: paths.cert, reason: event.reason },
        'TLS certificate files changed but are not a valid identity; keeping the previous one',
      );
  });
  // grpc-js names the first argument the CA provider but uses it as the identity; one provider
  // serves both, so the order does not matter.
  const server = grpc.experimental.createCertificateProviderServerCredentials(files, files, config.tlsClientAuth === 'required');
  const channel = grpc.experimental.createCertificateProviderChannelCredentials(files, files);
  logger.info(
    { cert: paths.cert, ca: paths.ca, clientAuth: config.tlsClientAuth, reloadMs: config.tlsReloadMs },
    'TLS on: mutual TLS between services',
  );
  return { mode: 'tls', files, server, channel, close: () => files.close() };
}

/**
 * Channel credentials for a client that is not a service (CLI, SDK, tests): the CA to verify
 * servers with and, for mutual TLS, a certificate and key. Read once; a client that lives long
 * enough to see its certificate rotated makes new credentials.
 */
export function clientTlsCredentials(paths: { ca: string; cert?: string; key?: string }): grpc.ChannelCredentials {
  const read = (what: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new TlsMaterialError(`cannot read the ${what} file ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if ((paths.cert === undefined) !== (paths.key === undefined))
    throw new TlsMaterialError('a client certificate needs its key, and a key its certificate');
  silenceIpServernameWarning();
  return grpc.credentials.createSsl(
    read('CA certificate', paths.ca),
    paths.key === undefined ? null : read('private key', paths.key),
    paths.cert === undefined ? null : read('certificate', paths.cert),
  );
}
