/**
 * Binding and shutting down a gRPC server with Samsa's options.
 *
 * The HTTP/2 receive window. grpc-js servers keep Node's default of 64 KiB for each stream and for
 * the whole connection, and have no option to change it (clients do: see clientOptions). A
 * producer's request of up to a MiB then moves 64 KiB per round trip, waiting for the server's
 * WINDOW_UPDATE each time, and that, not CPU, bounded produce throughput (the client and the
 * brokers were half idle). So every server advertises RECEIVE_WINDOW_BYTES (options.ts) per stream
 * (the `initialWindowSize` setting) and opens each connection's window as wide
 * (`setLocalWindowSize`). This reaches into two grpc-js internals, `commonServerOptions` (the
 * options it gives `http2.createServer`) and `http2Servers`; both are checked, and a grpc-js that
 * no longer has them fails here at start, not silently slow (test/unit/rpc/server-window.test.ts
 * checks the window a real connection sees). Memory is not the concern: grpc-js reads every
 * request whole anyway, up to the maximum message size.
 *
 * The peer certificate. grpc-js builds each call's auth context by asking the TLS socket for the
 * client's certificate (TLSSocket.getPeerCertificate, which converts it from OpenSSL's form every
 * time), and the access guard reads it on every call, the produce handler a second time: ~0.6% of
 * a broker's CPU under produce load. A connection's peer certificate cannot change once the
 * handshake is done (HTTP/2 forbids TLS renegotiation, RFC 9113 9.2.1, so it is switched off here;
 * TLS 1.3 has none), so each TLS connection answers from its first conversion
 * (test/unit/rpc/peer-certificate.test.ts counts them).
 */
import type * as http2 from 'node:http2';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { serverOptions, type RpcLimits, DEFAULT_RPC_LIMITS, RECEIVE_WINDOW_BYTES } from './options.js';
import { defaultServerCredentials } from './transport.js';

/** The parts of grpc-js's Server this module touches (not in its public types). */
interface ServerInternals {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server, unknown>;
}

export function createServer(limits: RpcLimits = DEFAULT_RPC_LIMITS): grpc.Server {
  const server = new grpc.Server(serverOptions(limits));
  const internals = server as unknown as ServerInternals;
  const common = internals.commonServerOptions;
  if (!common || typeof common !== 'object')
    throw new Error('@grpc/grpc-js changed: Server.commonServerOptions is gone; update libs/rpc/server.ts');
  common.settings = { ...common.settings, initialWindowSize: RECEIVE_WINDOW_BYTES };
  return server;
}

/**
 * Binds `host:port` (port 0 picks a free one) and resolves to the bound port. Without
 * `credentials`, the process's transport (transport.ts: TLS when the service set it up).
 */
export function bindServer(
  server: grpc.Server,
  host: string,
  port: number,
  credentials: grpc.ServerCredentials = defaultServerCredentials(),
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, credentials, (err, bound) => {
      if (err) return reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
      const listeners = (server as unknown as ServerInternals).http2Servers;
      if (!(listeners instanceof Map))
        return reject(new Error('@grpc/grpc-js changed: Server.http2Servers is gone; update libs/rpc/server.ts'));
      for (const listener of listeners.keys()) {
        if (windowed.has(listener)) continue;
        windowed.add(listener);
        listener.on('session', openConnectionWindow);
        // Emitted by TLS listeners only, once a connection's handshake is done, before its session.
        listener.on('secureConnection', convertPeerCertificateOnce);
      }
      resolve(bound);
    });
  });
}

/** Listeners already given the 'session' hook (a server may be bound more than once). */
const windowed = new WeakSet<http2.Http2Server>();

function openConnectionWindow(session: http2.ServerHttp2Session): void {
  // A session that is already closing refuses; it carries no more requests anyway.
  if (!session.destroyed) session.setLocalWindowSize(RECEIVE_WINDOW_BYTES);
}

function convertPeerCertificateOnce(socket: TLSSocket): void {
  socket.disableRenegotiation();
  const convert = socket.getPeerCertificate.bind(socket);
  let peer: PeerCertificate | undefined;
  // The detailed form (with the issuer chain) is not what grpc-js asks for; it is converted each time.
  socket.getPeerCertificate = ((detailed?: boolean) =>
    detailed ? convert(true) : (peer ??= convert())) as TLSSocket['getPeerCertificate'];
}

/** Stops taking new calls, lets in-flight ones finish for up to `graceMs`, then cancels the rest. */
export function shutdownServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
