/**
 * Who is calling, as far as this process can tell: the hook authorization checks ask, and that
 * transport security fills.
 *
 * Until mutual TLS lands (libs/security), nothing is authenticated. The default resolver reads a
 * service's *claim*: every client channel of a process that called setServiceIdentity carries
 * `samsa-service-identity: <service>/<id>` (added by the interceptor clientOptions installs), so the
 * coordinator's own produces to __consumer_offsets say "coordinator/N" and a broker forwarding a
 * request says "broker/N". A claim keeps a client that does not make one (every plain generated
 * client, the CLI, the SDK) from what only services may do; it does not stop a client that forges
 * the header. docs/adr/0017-strict-input-and-internal-topics.md lists what that leaves open.
 *
 * When mTLS is on, call setPrincipalResolver once at start with a resolver that reads the
 * peer certificate (call.getAuthContext()) and ignores the claim header.
 */
import * as grpc from '@grpc/grpc-js';

export type ServiceKind = 'broker' | 'controller' | 'coordinator';

export type Principal = { kind: 'service'; service: ServiceKind; id: string; authenticated: boolean } | { kind: 'client' };

export const SERVICE_IDENTITY_HEADER = 'samsa-service-identity';
const SERVICES: readonly ServiceKind[] = ['broker', 'controller', 'coordinator'];

export type PrincipalResolver = (call: { metadata: grpc.Metadata }) => Principal;

/** The unauthenticated default: a well-formed claim names a service, anything else is a client. */
export const claimedPrincipal: PrincipalResolver = (call) => {
  const raw = call.metadata.get(SERVICE_IDENTITY_HEADER)[0];
  if (typeof raw !== 'string') return { kind: 'client' };
  const slash = raw.indexOf('/');
  const service = raw.slice(0, slash) as ServiceKind;
  if (slash < 0 || !SERVICES.includes(service)) return { kind: 'client' };
  return { kind: 'service', service, id: raw.slice(slash + 1), authenticated: false };
};

let resolver: PrincipalResolver = claimedPrincipal;

/** Replaces the resolver (transport security does, once, at start). */
export function setPrincipalResolver(next: PrincipalResolver): void {
  resolver = next;
}

export function principalOf(call: { metadata: grpc.Metadata }): Principal {
  return resolver(call);
}

/** True when the caller is one of `services`. */
export function isServiceCall(call: { metadata: grpc.Metadata }, ...services: ServiceKind[]): boolean {
  const p = principalOf(call);
  return p.kind === 'service' && services.includes(p.service);
}

let claim: string | undefined;

/**
 * This process is service `service` with id `id`: its outgoing calls say so (see the module
 * comment). Call it at start, before any client channel is made: channels made earlier say nothing.
 */
export function setServiceIdentity(service: ServiceKind, id: string): void {
  claim = `${service}/${id}`;
}

export function hasServiceIdentity(): boolean {
  return claim !== undefined;
}

/** Adds the process's claim to every call of a channel built with clientOptions (options.ts). */
export const claimIdentity: grpc.Interceptor = (options, nextCall) =>
  new grpc.InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      if (claim !== undefined) metadata.set(SERVICE_IDENTITY_HEADER, claim);
      next(metadata, listener);
    },
  });
