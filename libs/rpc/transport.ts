/**
 * The transport credentials of this process: what every Samsa client (clients.ts, health.ts)
 * connects with and every server (server.ts) listens with, unless a caller passes its own.
 *
 * Plaintext until someone says otherwise. A service sets them once at start, from its TLS settings
 * (libs/security startTransportSecurity); a tool or test that talks to a TLS cluster sets the
 * client side once (LocalCluster does it for its own client certificate). Process-wide because a
 * service's outgoing channels are made in many places (forwarding, replication, coordinator peers,
 * the SDK inside the coordinator) and all of them must carry the service's identity: one setting
 * cannot be forgotten at one of them.
 */
import * as grpc from '@grpc/grpc-js';

let channelCredentials: grpc.ChannelCredentials = grpc.credentials.createInsecure();
let serverCredentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure();

/** Credentials new client channels of this process use by default. */
export function defaultChannelCredentials(): grpc.ChannelCredentials {
  return channelCredentials;
}

/** Credentials servers of this process listen with by default. */
export function defaultServerCredentials(): grpc.ServerCredentials {
  return serverCredentials;
}

/** Sets the process's defaults; channels and servers made before keep what they had. */
export function setDefaultTransport(credentials: { channel?: grpc.ChannelCredentials; server?: grpc.ServerCredentials }): void {
  if (credentials.channel) channelCredentials = credentials.channel;
  if (credentials.server) serverCredentials = credentials.server;
}
