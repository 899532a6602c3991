/**
 * Who a call comes from, as the access guard sees it: the principal, whether it is one of Samsa's
 * services, the client's address, and the client id quotas key on.
 *
 * - A bearer token (`authorization: Bearer <jwt>` metadata) decides when present: it must verify
 *   (jwt.ts), or the call fails UNAUTHENTICATED; it never falls back to the certificate.
 * - Otherwise, on a TLS server, the verified client certificate (principal.ts); none, or one that
 *   did not verify: User:ANONYMOUS. The claim header is never read there: a client without a
 *   certificate could send it (grpc-js gives an unverified connection no auth context at all, so
 *   the server's own mode decides, not what the call looks like).
 * - On a plaintext server (--insecure) nothing is verified: a service's *claim* header names it
 *   (libs/rpc principal.ts), everyone else is User:ANONYMOUS.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../errors/index.js';
import { claimedPrincipal, MAX_CLIENT_ID_BYTES } from '../../rpc/index.js';
import { ANONYMOUS, principalOf, type CallWithAuthContext, type ServiceKindName } from '../principal.js';
import type { TokenVerifier } from '../token/jwt.js';

export const CLIENT_ID_HEADER = 'samsa-client-id';
export const AUTHORIZATION_HEADER = 'authorization';

export interface Caller {
  principal: string;
  via: 'certificate' | 'token' | 'claim' | 'none';
  service?: { kind: ServiceKindName; id: number | string };
  /** The client's IP address. */
  host: string;
  clientId: string;
  /** A token's caller: when the token stops verifying (ms since the epoch); streams end then. */
  validUntilMs?: number;
}

interface CallInfo extends CallWithAuthContext {
  getPeer(): string;
  getAuthContext(): ReturnType<CallWithAuthContext['getAuthContext']> & { transportSecurityType?: string };
}

/** "127.0.0.1:5000", "[::1]:5000", "ipv4:1.2.3.4:5", "::ffff:1.2.3.4" forms -> the bare address. */
export function hostOfPeer(peer: string): string {
  let p = peer.replace(/^ipv[46]:/, '');
  if (p.startsWith('[')) p = p.slice(1, p.indexOf(']'));
  else if (p.split(':').length === 2) p = p.slice(0, p.lastIndexOf(':'));
  return p.replace(/^::ffff:/, '');
}

/** The caller of a call whose metadata is `metadata`; throws AUTHENTICATION_FAILED for a bad token. */
export function resolveCaller(call: CallInfo, metadata: grpc.Metadata, tokens: TokenVerifier | undefined, insecure: boolean): Caller {
  const host = hostOfPeer(call.getPeer());
  const rawClientId = metadata.get(CLIENT_ID_HEADER)[0];
  const clientId = typeof rawClientId === 'string' ? rawClientId : '';
  if (Buffer.byteLength(clientId) > MAX_CLIENT_ID_BYTES)
    throw new SamsaError('INVALID_REQUEST', `the ${CLIENT_ID_HEADER} header is longer than ${MAX_CLIENT_ID_BYTES} bytes`);
  const auth = metadata.get(AUTHORIZATION_HEADER)[0];
  if (auth !== undefined) {
    const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!m) throw new SamsaError('AUTHENTICATION_FAILED', 'the authorization header must be "Bearer <token>"');
    if (!tokens)
      throw new SamsaError(
        'AUTHENTICATION_FAILED',
        'this cluster accepts no bearer tokens (its services have no SAMSA_TOKEN_PUBLIC_KEYS); use a client certificate',
      );
    const verified = tokens.verify(m[1] as string);
    return { principal: verified.principal, via: 'token', host, clientId, validUntilMs: verified.validUntilMs };
  }
  if (!insecure) {
    const p = principalOf(call);
    return {
      principal: p.name,
      via: p.authenticated ? 'certificate' : 'none',
      ...(p.service ? { service: p.service } : {}),
      host,
      clientId,
    };
  }
  const claim = claimedPrincipal({ metadata });
  if (claim.kind === 'service')
    return { principal: `User:${claim.service}-${claim.id}`, via: 'claim', service: { kind: claim.service, id: claim.id }, host, clientId };
  return { principal: ANONYMOUS.name, via: 'none', host, clientId };
}
