/**
 * The gRPC server step every cluster member's start() shares (broker, controller, coordinator):
 * make the server with Samsa's options, add grpc.health.v1 and reflection for exactly the services
 * it serves, add their handlers, bind (TLS when the process set it up), and register its closers
 * on the Resources stack. The lifecycle (lifecycle.ts) then reports it SERVING once start()
 * returned, and NOT_SERVING at the start of the stop, after the service handed its work over.
 *
 * Two closers, in this order: "gRPC server" (cancel every call) as soon as the server exists, so a
 * start that fails at the bind or after it leaves no listener behind; "graceful server shutdown"
 * once bound, so the stop lets in-flight calls finish for `graceMs` first. Whatever a service
 * registers after serveGrpc() closes before the server stops; what must close only after it (the
 * coordinator's partition claims) is registered before the call.
 */
import type * as grpc from '@grpc/grpc-js';
import {
  bindServer,
  createServer,
  DEFAULT_RPC_LIMITS,
  HealthReporter,
  loadSamsaProto,
  shutdownServer,
  type RpcLimits,
  type ServingStatus,
  type v1,
} from '../rpc/index.js';
import type { Resources } from './resources.js';

/** Samsa's gRPC services (proto/samsa/v1) and the handlers each takes. */
interface SamsaServiceHandlers {
  BrokerService: v1.BrokerServiceHandlers;
  ControllerService: v1.ControllerServiceHandlers;
  CoordinatorService: v1.CoordinatorServiceHandlers;
  ReplicationService: v1.ReplicationServiceHandlers;
}

/**
 * One service of the server: its name in package samsa.v1 and its handlers. Handlers left out
 * answer UNIMPLEMENTED (a broker serves only FindCoordinator of CoordinatorService).
 */
export type ServedService = {
  [K in keyof SamsaServiceHandlers]: { readonly service: K; readonly handlers: Partial<SamsaServiceHandlers[K]> };
}[keyof SamsaServiceHandlers];

export interface GrpcEndpointOptions {
  readonly host: string;
  /** 0 picks a free port (see GrpcEndpoint.port). */
  readonly port: number;
  readonly limits?: RpcLimits;
  /** How long in-flight calls may take to finish on shutdown before they are cancelled. */
  readonly graceMs: number;
  readonly services: readonly ServedService[];
}

export interface GrpcEndpoint {
  /** The port bound: the configured one, or the one picked for port 0. */
  readonly port: number;
  /** The server's health and every served service's: NOT_SERVING until set. */
  setHealth(status: ServingStatus): void;
}

/** Makes, fills and binds the server; see the module comment. Health starts NOT_SERVING. */
export async function serveGrpc(resources: Resources, options: GrpcEndpointOptions): Promise<GrpcEndpoint> {
  const server = createServer(options.limits ?? DEFAULT_RPC_LIMITS);
  resources.defer('gRPC server', () => server.forceShutdown());
  // Health and reflection list what this port serves, each service by its full name.
  const health = new HealthReporter(
    server,
    options.services.map((s) => `samsa.v1.${s.service}`),
  );
  const proto = loadSamsaProto().proto.samsa.v1;
  // Partial handlers: grpc-js answers UNIMPLEMENTED for the methods left out.
  for (const s of options.services) server.addService(proto[s.service].service, s.handlers as grpc.UntypedServiceImplementation);
  const port = await bindServer(server, options.host, options.port);
  resources.defer('graceful server shutdown', () => shutdownServer(server, options.graceMs));
  return { port, setHealth: (status) => health.set(status) };
}
