/**
 * The listener step of a service that speaks its own protocol over TCP instead of gRPC (the Kafka
 * gateway's Kafka listener): what serveGrpc (grpc-endpoint.ts) is for a cluster member's gRPC
 * server. Makes a plaintext TCP server, or a TLS one (1.2 or later) when given a certificate,
 * registers its closer on the Resources stack as soon as it exists, then binds.
 *
 * The closer ("<name>") stops accepting, destroys every connection still open and returns once
 * each has emitted 'close': requests in flight get no answer (Kafka clients reconnect and retry). Registered before the bind, so a start
 * that fails at the bind or after it leaves no listener behind; whatever the service registers
 * afterwards closes before it, and what must outlive the connections (the upstream channels the
 * connections call through) is registered before the call. Connections are tracked from the TCP
 * accept, before any TLS handshake, so a peer stuck in its handshake cannot hold the stop up.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../telemetry/index.js';
import type { Resources } from './resources.js';

export interface SocketListenerOptions {
  /** What listens, for the closer's name and errors: "Kafka listener". */
  readonly name: string;
  readonly host: string;
  /** 0 picks a free port (see SocketListener.port). */
  readonly port: number;
  /** PEM certificate chain and private key: a TLS listener. Without: plaintext TCP. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /**
   * Called with each connection once accepted (for TLS: once its handshake is done). The socket
   * stays the listener's: the closer destroys it if it is still open.
   */
  readonly accept: (socket: Socket) => void;
  readonly logger: Logger;
}

export interface SocketListener {
  /** The port bound: the configured one, or the one picked for port 0. */
  readonly port: number;
}

/** Makes and binds the listener; see the module comment. Rejects, naming the address, when it cannot listen. */
export async function serveSockets(resources: Resources, options: SocketListenerOptions): Promise<SocketListener> {
  const { name, host, port, tls, accept, logger } = options;
  const open = new Set<Socket>();
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  // For TLS both the TCP socket (from its accept) and the TLS socket over it (once handshaken).
  const accepted = (socket: Socket): void => {
    track(socket);
    accept(socket);
  };
  const server: Server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, accepted)
    : createTcpServer(accepted);
  server.on('connection', track);
  server.on('tlsClientError', (err: Error) => logger.debug({ err: err.message }, 'TLS handshake failed'));
  resources.defer(name, async () => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve())); // an error here: it was not listening
    // Every socket's 'close' too (it comes a tick after the server's), so what the connections do
    // on close is over before the closers registered earlier run.
    const ended = [...open].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    for (const socket of open) socket.destroy();
    await Promise.all([stopped, ...ended]);
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => reject(new Error(`${name} cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  // Once listening, a failed accept (EMFILE) is the server's 'error': without a listener it would end the process.
  server.on('error', (err) => logger.warn({ err: err.message, listener: name }, 'accepting a connection failed'));
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : port };
}
