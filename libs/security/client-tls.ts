/**
 * Where a client that is not a service (the CLI, tools, example clients) finds its TLS material:
 * SAMSA_TLS_CA / SAMSA_TLS_CERT / SAMSA_TLS_KEY when set, else what `npm start` made under
 * <data dir>/tls/ (the data dir is SAMSA_DATA_DIR, default ./data): ca.crt and the CLI's
 * samsa-cli.crt / samsa-cli.key. SAMSA_INSECURE=1 means plaintext.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ClientTlsPaths {
  ca: string;
  cert?: string;
  key?: string;
}

/** The CN of the client certificate the launcher makes for the CLI. */
export const CLI_CERT_NAME = 'samsa-cli';

export function defaultTlsDir(dataDir = 'data'): string {
  return resolve(dataDir, 'tls');
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes'].includes(v.trim().toLowerCase());
}

/**
 * The TLS material named by `given` (flags) or `env`, or found in the default directory;
 * 'insecure' when asked for; undefined when there is none.
 */
export function clientTlsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  given: { ca?: string; cert?: string; key?: string; insecure?: boolean } = {},
): ClientTlsPaths | 'insecure' | undefined {
  if (given.insecure || (given.ca === undefined && truthy(env.SAMSA_INSECURE))) return 'insecure';
  const ca = given.ca ?? (env.SAMSA_TLS_CA || undefined);
  if (ca !== undefined) {
    const cert = given.cert ?? (env.SAMSA_TLS_CERT || undefined);
    const key = given.key ?? (env.SAMSA_TLS_KEY || undefined);
    return { ca, ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}) };
  }
  const dir = defaultTlsDir(env.SAMSA_DATA_DIR || 'data');
  const paths = { ca: join(dir, 'ca.crt'), cert: join(dir, `${CLI_CERT_NAME}.crt`), key: join(dir, `${CLI_CERT_NAME}.key`) };
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) return paths;
  return undefined;
}
