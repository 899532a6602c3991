/**
 * Who is calling: the principal of a gRPC call, from the client certificate it presented and the
 * CA verified (grpc-js's auth context holds only verified certificates, so a certificate from
 * another CA is never a principal, even when client certificates are optional).
 *
 * Names follow Kafka: `User:<subject CN>` (or the first SAN when the certificate has no CN).
 * Samsa's own services carry OU=samsa-service and a CN of `<kind>-<id>` (broker-1,
 * controller-2, coordinator-1); such a certificate is a service identity, which internal RPCs
 * (replication, forwarding, controller internals) may require. The ACL work reads these; it does
 * not parse certificates itself.
 */
import type { PeerCertificate } from 'node:tls';

/** The OU the launcher puts in every service certificate (local-ca.ts). */
export const SERVICE_OU = 'samsa-service';

export const SERVICE_KINDS = ['broker', 'controller', 'coordinator'] as const;
export type ServiceKindName = (typeof SERVICE_KINDS)[number];

export interface Principal {
  /** `User:<name>`, or `User:ANONYMOUS` for a call without a verified certificate. */
  readonly name: string;
  readonly authenticated: boolean;
  /** How it was authenticated. */
  readonly via: 'certificate' | 'none';
  /** Set when the certificate is one of Samsa's services. */
  readonly service?: { kind: ServiceKindName; id: number };
}

export const ANONYMOUS: Principal = { name: 'User:ANONYMOUS', authenticated: false, via: 'none' };

/** What grpc-js's server calls offer (ServerUnaryCall, ServerDuplexStream, ...). */
export interface CallWithAuthContext {
  getAuthContext(): { sslPeerCertificate?: PeerCertificate };
}

function first(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && typeof value[0] === 'string' && value[0] !== '') return value[0];
  return undefined;
}

/** `DNS:a, IP Address:1.2.3.4, URI:x` -> the first name's value. */
function firstSan(san: string | undefined): string | undefined {
  if (!san) return undefined;
  const entry = san.split(',')[0]?.trim();
  const colon = entry?.indexOf(':') ?? -1;
  return entry && colon > 0 ? entry.slice(colon + 1) : undefined;
}

/** The principal of a verified peer certificate. */
export function principalOfCertificate(cert: PeerCertificate): Principal {
  const subject = cert.subject as unknown as Record<string, unknown> | undefined;
  const cn = first(subject?.CN) ?? firstSan(cert.subjectaltname);
  if (!cn) return ANONYMOUS;
  const ou = subject?.OU;
  const ous = Array.isArray(ou) ? ou : [ou];
  const m = /^(broker|controller|coordinator)-(\d{1,10})$/.exec(cn);
  if (m && ous.includes(SERVICE_OU)) {
    return { name: `User:${cn}`, authenticated: true, via: 'certificate', service: { kind: m[1] as ServiceKindName, id: Number(m[2]) } };
  }
  return { name: `User:${cn}`, authenticated: true, via: 'certificate' };
}

/** The principal of a call: its verified client certificate's, or ANONYMOUS. */
export function principalOf(call: CallWithAuthContext): Principal {
  const cert = call.getAuthContext().sslPeerCertificate;
  return cert ? principalOfCertificate(cert) : ANONYMOUS;
}
