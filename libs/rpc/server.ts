/** Binding and shutting down a gRPC server with Samsa's options. */
import * as grpc from '@grpc/grpc-js';
import { serverOptions, type RpcLimits, DEFAULT_RPC_LIMITS } from './options.js';

export function createServer(limits: RpcLimits = DEFAULT_RPC_LIMITS): grpc.Server {
  return new grpc.Server(serverOptions(limits));
}

/** Binds `host:port` (port 0 picks a free one) and resolves to the bound port. */
export function bindServer(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
      else resolve(bound);
    });
  });
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
