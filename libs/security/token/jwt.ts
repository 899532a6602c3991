/**
 * Bearer tokens: JSON Web Tokens (RFC 7519) in JWS compact form, signed with a private key the
 * cluster does not hold and verified with public keys it is configured with (docs/adr/0026).
 *
 *   base64url(header) "." base64url(payload) "." base64url(signature)
 *   header:  {"alg": "ES256" | "EdDSA" | "RS256", "typ": "JWT"}      (anything else is refused,
 *            "none" and HMAC included: a shared secret on every broker is one more secret to leak)
 *   payload: {"sub": "<name>", "exp": <seconds since epoch>, "nbf"?, "iat"?, "aud"?, "iss"?}
 *
 * The principal is `User:<sub>`. `exp` is required; `nbf` is honoured; both with LEEWAY_SECONDS
 * of clock skew. With an audience configured, `aud` must name it. Signatures are checked by
 * node:crypto (OpenSSL) against every configured key of the algorithm's type, so keys rotate by
 * configuring the new key beside the old one. ES256 signatures are the JWS form (r || s, 64
 * bytes), not DER. Verification is synchronous and pure apart from the clock passed in.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { SamsaError } from '../../errors/index.js';
import { systemClock, type Clock } from '../../runtime/index.js';

export const TOKEN_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

/** Clock skew tolerated on exp and nbf, in seconds. */
export const LEEWAY_SECONDS = 30;
/** Longest token accepted, in bytes (gRPC metadata is bounded too; this fails earlier and clearer). */
export const MAX_TOKEN_BYTES = 8192;

export interface TokenClaims {
  sub: string;
  exp: number;
  nbf?: number;
  iat?: number;
  aud?: string | string[];
  iss?: string;
}

export interface VerifiedToken {
  principal: string;
  claims: TokenClaims;
  /**
   * When the token stops verifying (exp plus the clock skew tolerated), in ms since the epoch: a
   * stream it opened is ended then (access-guard.ts), as a new call with it would be refused.
   */
  validUntilMs: number;
}

const fail = (why: string): never => {
  throw new SamsaError('AUTHENTICATION_FAILED', `bearer token refused: ${why}`);
};

function keyAlgorithm(key: KeyObject): TokenAlgorithm | undefined {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ES256' : undefined;
    case 'ed25519':
      return 'EdDSA';
    case 'rsa':
      return 'RS256';
    default:
      return undefined;
  }
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return fail(`its ${what} is not base64url-encoded JSON`);
}

export class TokenVerifier {
  private readonly keys: { key: KeyObject; alg: TokenAlgorithm }[];

  /** `publicKeysPem`: PEM public keys (SPKI), one per entry; `audience`: required `aud`, if any. */
  constructor(
    publicKeysPem: readonly string[],
    private readonly audience: string | undefined,
    readonly clock: Clock = systemClock,
  ) {
    this.keys = publicKeysPem.map((pem, i) => {
      const key = createPublicKey(pem);
      const alg = keyAlgorithm(key);
      if (!alg) throw new Error(`token key ${i + 1}: only P-256 EC, Ed25519 and RSA public keys are supported`);
      return { key, alg };
    });
    if (this.keys.length === 0) throw new Error('a token verifier needs at least one public key');
  }

  verify(token: string): VerifiedToken {
    if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) fail(`longer than ${MAX_TOKEN_BYTES} bytes`);
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) fail('not a JWS compact token (three base64url parts)');
    const [h, p, s] = parts as [string, string, string];
    const header = decodeJson(h, 'header');
    const alg = header.alg;
    if (typeof alg !== 'string' || !(TOKEN_ALGORITHMS as readonly string[]).includes(alg))
      fail(`algorithm ${String(alg)} is not accepted (ES256, EdDSA, RS256)`);
    const signed = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(s, 'base64url');
    const good = this.keys.some(({ key, alg: keyAlg }) => keyAlg === alg && verifyWith(alg as TokenAlgorithm, key, signed, signature));
    if (!good) fail('the signature does not verify with any key this cluster trusts');
    const claims = decodeJson(p, 'payload');
    const now = this.clock.nowMs() / 1000;
    if (typeof claims.sub !== 'string' || claims.sub === '' || Buffer.byteLength(claims.sub) > 255)
      fail('"sub" must be a name of 1..255 bytes');
    if (typeof claims.exp !== 'number') fail('it has no "exp" (expiry); tokens must expire');
    if ((claims.exp as number) + LEEWAY_SECONDS < now) fail(`it expired at ${new Date((claims.exp as number) * 1000).toISOString()}`);
    if (typeof claims.nbf === 'number' && claims.nbf - LEEWAY_SECONDS > now)
      fail(`it is not valid before ${new Date(claims.nbf * 1000).toISOString()}`);
    if (this.audience !== undefined) {
      const aud = claims.aud;
      const list = Array.isArray(aud) ? aud : [aud];
      if (!list.includes(this.audience)) fail(`its audience is not "${this.audience}"`);
    }
    return {
      principal: `User:${claims.sub as string}`,
      claims: claims as unknown as TokenClaims,
      validUntilMs: ((claims.exp as number) + LEEWAY_SECONDS) * 1000,
    };
  }
}

function verifyWith(alg: TokenAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    if (alg === 'EdDSA') return verify(null, data, key, signature);
    if (alg === 'ES256') return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}

/**
 * Signs a token with a PEM private key (the algorithm follows the key). For `samsa tokens issue`
 * and tests; a real deployment's identity provider issues them.
 */
export function signToken(privateKeyPem: string, claims: TokenClaims): string {
  const key = createPrivateKey(privateKeyPem);
  const alg = keyAlgorithm(createPublicKey(key));
  if (!alg) throw new Error('only P-256 EC, Ed25519 and RSA private keys can sign tokens');
  const enc = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc({ alg, typ: 'JWT' })}.${enc(claims)}`;
  const data = Buffer.from(input);
  const signature =
    alg === 'EdDSA'
      ? sign(null, data, key)
      : alg === 'ES256'
        ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', data, key);
  return `${input}.${signature.toString('base64url')}`;
}
