/**
 * The token signing key `npm start` (and the test harness) makes beside the local CA: a P-256 key
 * pair, `token-signing.key` (mode 0600, what `samsa tokens issue` signs with) and
 * `token-signing.pub` (what every service verifies with, SAMSA_TOKEN_PUBLIC_KEYS). Made by
 * node:crypto (OpenSSL underneath); reused on later starts. In production an identity provider
 * holds the private key and the cluster only its public key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_SIGNING_KEY = 'token-signing.key';
export const TOKEN_PUBLIC_KEY = 'token-signing.pub';

export interface TokenKeyPaths {
  privateKey: string;
  publicKey: string;
}

export function ensureTokenSigningKey(dir: string): TokenKeyPaths {
  const paths = { privateKey: join(dir, TOKEN_SIGNING_KEY), publicKey: join(dir, TOKEN_PUBLIC_KEY) };
  if (existsSync(paths.privateKey) && existsSync(paths.publicKey)) return paths;
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return paths;
}
